using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    public class ResumableStateTests
    {
        private static TestDomain Running()
        {
            var t = TestDomain.Create();
            t.SetKernelRegisters(PvKernelElfBuilder.Entry, t.Layout.StackEnd);
            return t;
        }

        [Theory]
        [InlineData(FlatSelector.Ring3Cs64)]
        [InlineData(FlatSelector.Ring3Cs32)]
        public void FlatGuestSelectors_Resume(ushort cs)
        {
            var t = Running();
            t.Vcpu.Registers.Cs = cs | 0xFFFF_0000UL;                 // junk above the selector is dropped
            t.Vcpu.Registers.Ss = FlatSelector.Ring3Ss64 | 0xAB_0000UL;
            Assert.True(ResumableState.Check(t.Vcpu));
            Assert.Equal((ulong)cs, t.Vcpu.Registers.Cs);
            Assert.Equal((ulong)FlatSelector.Ring3Ss64, t.Vcpu.Registers.Ss);
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void Rflags_AreMadeSafe()
        {
            var t = Running();
            t.Vcpu.Registers.Rflags = (1UL << 14) | (1UL << 17) | GuestRegisters.IoplMask | (1UL << 0);   // NT, VM, IOPL 3, CF
            Assert.True(ResumableState.Check(t.Vcpu));
            ulong f = t.Vcpu.Registers.Rflags;
            Assert.Equal(0UL, f & ((1UL << 14) | (1UL << 17) | GuestRegisters.IoplMask));
            Assert.NotEqual(0UL, f & GuestRegisters.InterruptFlag);
            Assert.NotEqual(0UL, f & GuestRegisters.ReservedFlag);
            Assert.NotEqual(0UL, f & 1);
        }

        [Theory]
        [InlineData(0xE030UL)]     // ring 0
        [InlineData(0x0008UL)]     // the hypervisor's own code selector
        [InlineData(0xE02BUL)]     // a data selector
        [InlineData(0UL)]
        public void BadCodeSelector_CrashesTheDomain(ulong cs)
        {
            var t = Running();
            t.Vcpu.Registers.Cs = cs;
            Assert.False(ResumableState.Check(t.Vcpu));
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Contains("domain 0 vCPU 0: cannot resume the guest: its code selector is not a flat guest selector (0x" + cs.ToString("x16") + ")", t.ConsoleText);
        }

        [Theory]
        [InlineData(0xE028UL)]
        [InlineData(0x0010UL)]
        [InlineData(0UL)]
        public void BadStackSelector_CrashesTheDomain(ulong ss)
        {
            var t = Running();
            t.Vcpu.Registers.Ss = ss;
            Assert.False(ResumableState.Check(t.Vcpu));
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Contains("stack selector is not the flat guest selector", t.ConsoleText);
        }

        [Theory]
        [InlineData(0x0000_8000_0000_0000UL)]    // non-canonical
        [InlineData(0xFFFF_7FFF_FFFF_FFFFUL)]
        [InlineData(0xFFFF_8000_0000_0000UL)]    // the hypervisor's range
        [InlineData(0xFFFF_82D0_4000_0000UL)]
        [InlineData(0xFFFF_87FF_FFFF_FFFFUL)]
        public void BadRip_CrashesTheDomain(ulong rip)
        {
            var t = Running();
            t.Vcpu.Registers.Rip = rip;
            Assert.False(ResumableState.Check(t.Vcpu));
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Contains("instruction pointer is not a guest address", t.ConsoleText);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(0x0000_7FFF_FFFF_FFFFUL)]
        [InlineData(0xFFFF_8800_0000_0000UL)]
        [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
        public void GuestRips_Resume(ulong rip)
        {
            var t = Running();
            t.Vcpu.Registers.Rip = rip;
            Assert.True(ResumableState.Check(t.Vcpu));
        }

        [Fact]
        public void ACrashedDomainIsCrashedOnce()
        {
            var t = Running();
            t.Vcpu.Registers.Cs = 0;
            ResumableState.Check(t.Vcpu);
            ResumableState.Check(t.Vcpu);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(t.ConsoleText, "domain 0 crashed"));
        }
    }
}
