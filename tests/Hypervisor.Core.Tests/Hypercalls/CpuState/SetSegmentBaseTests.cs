using Hypervisor.Abi;
using Hypervisor.Core.Domains;
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
        public void GuestDescriptorSelectorIsRefused()
        {
            var g = new CpuStateGuest();
            g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUser, Low);
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.SetSegmentBase, SegmentBase.GsUserSelector, 0x63));
            Assert.Equal(Low, g.Vcpu.GsBaseUser);
        }

        [Fact]
        public void UnknownWhichIsEinval()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.SetSegmentBase, 4, Low));
        }
    }
}
