using Hypervisor.Core.Domains;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>RDMSR/WRMSR from the guest kernel: the MSRs Xen 4.17 lets a 64-bit PV kernel use, #GP
    /// for the rest.</summary>
    public class MsrEmulationTests
    {
        private static readonly byte[] Rdmsr = { 0x0F, 0x32 };
        private static readonly byte[] Wrmsr = { 0x0F, 0x30 };

        private static bool Read(CpuStateGuest g, uint msr, out ulong value)
        {
            g.Regs.Rcx = 0xFFFF_FFFF_0000_0000UL | msr;   // only ECX names the MSR
            g.Regs.Rax = 0xAAAA_AAAA_AAAA_AAAAUL;
            g.Regs.Rdx = 0xBBBB_BBBB_BBBB_BBBBUL;
            g.Place(Rdmsr);
            bool emulated = g.Execute();
            value = (g.Regs.Rdx << 32) | g.Regs.Rax;
            if (emulated)
            {
                // EDX:EAX, with the upper halves of RAX and RDX cleared.
                Assert.Equal(0UL, g.Regs.Rax >> 32);
                Assert.Equal(0UL, g.Regs.Rdx >> 32);
                Assert.Equal(g.Code + 2, g.Regs.Rip);
            }
            return emulated;
        }

        private static bool Write(CpuStateGuest g, uint msr, ulong value)
        {
            g.Regs.Rcx = msr;
            g.Regs.Rax = 0xDEAD_0000_0000_0000UL | (value & 0xFFFF_FFFF);   // only EAX and EDX count
            g.Regs.Rdx = 0xBEEF_0000_0000_0000UL | (value >> 32);
            g.Place(Wrmsr);
            bool emulated = g.Execute();
            if (emulated)
                Assert.Equal(g.Code + 2, g.Regs.Rip);
            return emulated;
        }

        private static void Vendor(CpuStateGuest g, string vendor)
        {
            uint Part(int i) => (uint)(vendor[i] | vendor[i + 1] << 8 | vendor[i + 2] << 16 | vendor[i + 3] << 24);
            uint a = 0, b = Part(0), c = Part(8), d = Part(4);
            g.T.Platform.Setup(p => p.Cpuid(0, 0, out a, out b, out c, out d));
        }

        [Theory]
        [InlineData(PvMsrPolicy.FsBase)]
        [InlineData(PvMsrPolicy.GsBase)]
        [InlineData(PvMsrPolicy.ShadowGsBase)]
        public void SegmentBasesReadBackWhatWasWritten(uint msr)
        {
            var g = new CpuStateGuest();
            const ulong Base = 0xFFFF_FFFF_8123_4560UL;
            Assert.True(Write(g, msr, Base));
            Assert.True(Read(g, msr, out ulong value));
            Assert.Equal(Base, value);
        }

        [Fact]
        public void SegmentBaseMsrsAreTheVcpusBases()
        {
            var g = new CpuStateGuest();
            Assert.True(Write(g, PvMsrPolicy.FsBase, 0x1000));
            Assert.True(Write(g, PvMsrPolicy.GsBase, 0x2000));
            Assert.True(Write(g, PvMsrPolicy.ShadowGsBase, 0x3000));
            Assert.Equal(0x1000UL, g.Vcpu.FsBase);
            Assert.Equal(0x2000UL, g.Vcpu.GsBaseKernel);    // the kernel's GS is the live one
            Assert.Equal(0x3000UL, g.Vcpu.GsBaseUser);      // SWAPGS would bring in the user's
        }

        [Theory]
        [InlineData(PvMsrPolicy.FsBase)]
        [InlineData(PvMsrPolicy.GsBase)]
        [InlineData(PvMsrPolicy.ShadowGsBase)]
        public void NonCanonicalBaseIsGeneralProtection(uint msr)
        {
            var g = new CpuStateGuest();
            Assert.False(Write(g, msr, 0x0000_8000_0000_0000UL));
            Assert.Equal(0UL, g.Vcpu.FsBase);
            Assert.Equal(0UL, g.Vcpu.GsBaseKernel);
            Assert.Equal(0UL, g.Vcpu.GsBaseUser);
        }

        [Fact]
        public void EferShowsLongModeNoExecuteAndSyscall()
        {
            var g = new CpuStateGuest();
            Assert.True(Read(g, PvMsrPolicy.Efer, out ulong efer));
            Assert.Equal(0xD01UL, efer);
            Assert.True(Write(g, PvMsrPolicy.Efer, 0xD01));     // writing it back is allowed
            Assert.False(Write(g, PvMsrPolicy.Efer, 0x501));    // changing it is not
        }

        [Fact]
        public void ApicBaseIsEnabledAtTheDefaultAddressWithBspOnVcpuZero()
        {
            var g = new CpuStateGuest();
            Assert.True(Read(g, PvMsrPolicy.ApicBase, out ulong value));
            Assert.Equal(0xFEE0_0900UL, value);
            Assert.False(Write(g, PvMsrPolicy.ApicBase, value));
        }

        [Fact]
        public void TscComesFromThePlatform()
        {
            var g = new CpuStateGuest();
            g.T.Platform.Setup(p => p.ReadTimeStampCounter()).Returns(0x0000_0012_3456_789AUL);
            Assert.True(Read(g, PvMsrPolicy.Tsc, out ulong value));
            Assert.Equal(0x0000_0012_3456_789AUL, value);
            Assert.False(Write(g, PvMsrPolicy.Tsc, 0));
        }

        [Fact]
        public void PatIsThePowerOnValueAndReadOnly()
        {
            var g = new CpuStateGuest();
            Assert.True(Read(g, PvMsrPolicy.Pat, out ulong value));
            Assert.Equal(0x0007_0406_0007_0406UL, value);
            Assert.False(Write(g, PvMsrPolicy.Pat, value));
        }

        [Fact]
        public void MiscEnableOnIntelHidesPerfmonAndMonitorAndIgnoresWrites()
        {
            var g = new CpuStateGuest();
            Vendor(g, "GenuineIntel");
            Assert.True(Read(g, PvMsrPolicy.MiscEnable, out ulong value));
            Assert.Equal(0UL, value & ((1UL << 7) | (1UL << 18)));                       // PERF_AVAIL, MONITOR
            Assert.Equal((1UL << 11) | (1UL << 12) | (1UL << 23), value & ((1UL << 11) | (1UL << 12) | (1UL << 23)));
            Assert.True(Write(g, PvMsrPolicy.MiscEnable, value | (1UL << 18)));
            Assert.True(Read(g, PvMsrPolicy.MiscEnable, out ulong after));
            Assert.Equal(value, after);
        }

        [Fact]
        public void MiscEnableIsGeneralProtectionElsewhere()
        {
            var g = new CpuStateGuest();
            Vendor(g, "AuthenticAMD");
            Assert.False(Read(g, PvMsrPolicy.MiscEnable, out _));
            Assert.False(Write(g, PvMsrPolicy.MiscEnable, 0));
        }

        [Theory]
        [InlineData("AuthenticAMD")]
        [InlineData("HygonGenuine")]
        public void DeCfgOnAmdSaysLfenceSerialisesAndDropsWrites(string vendor)
        {
            var g = new CpuStateGuest();
            Vendor(g, vendor);
            Assert.True(Read(g, PvMsrPolicy.AmdDeCfg, out ulong value));
            Assert.Equal(PvMsrPolicy.DeCfgLfenceSerialise, value);
            Assert.True(Write(g, PvMsrPolicy.AmdDeCfg, 0));
            Assert.True(Read(g, PvMsrPolicy.AmdDeCfg, out value));
            Assert.Equal(PvMsrPolicy.DeCfgLfenceSerialise, value);
        }

        [Fact]
        public void DeCfgIsGeneralProtectionElsewhere()
        {
            var g = new CpuStateGuest();
            Vendor(g, "GenuineIntel");
            Assert.False(Read(g, PvMsrPolicy.AmdDeCfg, out _));
            Assert.False(Write(g, PvMsrPolicy.AmdDeCfg, 0));
        }

        [Fact]
        public void PlatformInfoAndPerfCapabilitiesReadZero()
        {
            var g = new CpuStateGuest();
            Assert.True(Read(g, PvMsrPolicy.PlatformInfo, out ulong info));
            Assert.Equal(0UL, info);
            Assert.False(Write(g, PvMsrPolicy.PlatformInfo, 0));
            Assert.True(Read(g, PvMsrPolicy.PerfCapabilities, out ulong caps));
            Assert.Equal(0UL, caps);
        }

        [Fact]
        public void MiscFeaturesEnablesAcceptsOnlyZero()
        {
            var g = new CpuStateGuest();
            Assert.True(Read(g, PvMsrPolicy.MiscFeaturesEnables, out ulong value));
            Assert.Equal(0UL, value);
            Assert.True(Write(g, PvMsrPolicy.MiscFeaturesEnables, 0));
            Assert.False(Write(g, PvMsrPolicy.MiscFeaturesEnables, 1));   // CPUID faulting: not offered
        }

        [Theory]
        [InlineData(0xC0000081u)]   // STAR: the hypervisor's own
        [InlineData(0xC0000082u)]   // LSTAR
        [InlineData(0x800u)]        // x2APIC
        [InlineData(0x40000000u)]   // Xen's hypercall-page MSR: PV guests use the ELF note
        [InlineData(0x12345678u)]
        public void UnknownMsrsRaiseGeneralProtectionInTheGuest(uint msr)
        {
            var g = new CpuStateGuest();
            Assert.False(Read(g, msr, out _));
            Assert.Equal(g.Handler(13), g.Regs.Rip);
            Assert.False(Write(g, msr, 0));
            Assert.True(g.Domain.IsAlive);
        }

        [Fact]
        public void UserModeGetsGeneralProtection()
        {
            var g = new CpuStateGuest();
            g.Place(Rdmsr);
            g.Regs.Rcx = PvMsrPolicy.Efer;
            g.T.EnterUserMode();
            Assert.False(g.Execute());
        }

        [Fact]
        public void PrefixesCountInTheLength()
        {
            var g = new CpuStateGuest();
            g.Regs.Rcx = PvMsrPolicy.Efer;
            g.Place(0x48, 0x0F, 0x32);
            Assert.True(g.Execute());
            Assert.Equal(g.Code + 3, g.Regs.Rip);
            Assert.Equal(0xD01UL, g.Regs.Rax);
        }
    }
}
