using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Hypercalls.Memory;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>set_segment_base: FS and the two GS bases a ring-3 kernel cannot write itself.</summary>
    public class SetSegmentBaseTests
    {
        private const ulong High = 0xFFFF_FF80_1234_5000UL;
        private const ulong Low = 0x0000_7FFF_FFFF_F000UL;
        private const ulong NonCanonical = 0x0000_8000_0000_0000UL;

        [Fact]
        public void SetsEachBase()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.SetSegmentBase, SegmentBase.Fs, High));
            Assert.Equal(0, g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUser, Low));
            Assert.Equal(0, g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsKernel, High + 0x1000));
            Assert.Equal(High, g.Vcpu.FsBase);
            Assert.Equal(Low, g.Vcpu.GsBaseUser);
            Assert.Equal(High + 0x1000, g.Vcpu.GsBaseKernel);
        }

        [Fact]
        public void TheLiveGsBaseFollowsTheMode()
        {
            var g = new CpuStateGuest();
            g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUser, Low);
            g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsKernel, High);
            Assert.Equal(High, GuestMode.CurrentGsBase(g.Vcpu));
            g.T.EnterUserMode();
            Assert.Equal(Low, GuestMode.CurrentGsBase(g.Vcpu));
        }

        [Theory]
        [InlineData(SegmentBase.Fs)]
        [InlineData(SegmentBase.GsUser)]
        [InlineData(SegmentBase.GsKernel)]
        public void NonCanonicalBaseIsEinvalAndChangesNothing(int which)
        {
            var g = new CpuStateGuest();
            g.Call(HypercallNumber.SetSegmentBase, (ulong)which, Low);
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.SetSegmentBase, (ulong)which, NonCanonical));
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.SetSegmentBase, (ulong)which, 0x1234_0000_0000_0000UL));
            ulong value = which == SegmentBase.Fs ? g.Vcpu.FsBase : which == SegmentBase.GsUser ? g.Vcpu.GsBaseUser : g.Vcpu.GsBaseKernel;
            Assert.Equal(Low, value);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(3UL)]
        [InlineData(0xE02BUL)]   // FLAT_RING3_DS32
        [InlineData(0xE033UL)]
        [InlineData(0xFFFF_0000UL)]   // only base[15:0] is the selector: null
        public void NullOrFlatUserGsSelectorClearsTheUserBase(ulong selector)
        {
            var g = new CpuStateGuest();
            g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUser, Low);
            Assert.Equal(0, g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, selector));
            Assert.Equal(0UL, g.Vcpu.GsBaseUser);
        }

        [Fact]
        public void ASelectorBeyondTheGdtLoadsNull()
        {
            // As Xen: the CPU would refuse it, so the null selector is loaded instead and the call
            // still succeeds (Linux BUG()s on an error).
            var g = new CpuStateGuest();
            g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUser, Low);
            Assert.Equal(0, g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, 0x63));
            Assert.Equal(0UL, g.Vcpu.GsBaseUser);
        }

        // A data segment with base 0x12345678 (DPL 0: set_gdt raises it to 3).
        private const ulong DataWithBase = 0x12CF92345678FFFFUL;

        [Theory]
        [InlineData(DataWithBase, 0x12345678UL)]                          // data: its base
        [InlineData(DataWithBase & ~(1UL << 47), 0UL)]                    // not present: null
        [InlineData(0x12CF9A345678FFFFUL, 0x12345678UL)]                  // readable code
        [InlineData(0x12CF98345678FFFFUL, 0UL)]                           // execute-only code
        [InlineData(0x0000000000000000UL, 0UL)]                           // empty
        public void AGdtSelectorGivesItsDescriptorsBase(ulong descriptor, ulong expected)
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            k.SetEntry(frame, 5, descriptor);
            k.T.Write64(k.Args(0), frame);
            Assert.Equal(0, k.Call(HypercallNumber.SetGdt, k.Args(0), 16));
            k.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUser, Low);

            Assert.Equal(0, k.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, 0x2B));   // Linux's __USER_DS
            Assert.Equal(expected, k.Vcpu.GsBaseUser);
            // The RPL does not matter (it becomes 3); an index past the GDT's entries loads null.
            k.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUser, Low);
            Assert.Equal(0, k.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, 0x28));
            Assert.Equal(expected, k.Vcpu.GsBaseUser);
            Assert.Equal(0, k.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, 16 * 8 + 3));
            Assert.Equal(0UL, k.Vcpu.GsBaseUser);
        }

        [Fact]
        public void AnLdtSelectorReadsTheLdt()
        {
            var k = new MmuKit();
            ulong ldt = k.Args(2);
            k.T.Write64(ldt + 8, DataWithBase | (3UL << 45));
            k.Vcpu.LdtBase = ldt;
            k.Vcpu.LdtEntries = 2;
            Assert.Equal(0, k.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, 0x0F));
            Assert.Equal(0x12345678UL, k.Vcpu.GsBaseUser);
            Assert.Equal(0, k.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, 0x17));   // entry 2: beyond
            Assert.Equal(0UL, k.Vcpu.GsBaseUser);
        }

        [Fact]
        public void UnknownWhichIsEinval()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.SetSegmentBase, 4, Low));
        }
    }
}
