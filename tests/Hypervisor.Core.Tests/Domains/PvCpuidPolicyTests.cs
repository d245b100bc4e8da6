using System.Text;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    public class PvCpuidPolicyTests
    {
        private static (uint A, uint B, uint C, uint D) Run(TestDomain t, uint leaf, uint subleaf = 0)
        {
            PvCpuidPolicy.Execute(t.Vcpu, leaf, subleaf, out uint a, out uint b, out uint c, out uint d);
            return (a, b, c, d);
        }

        private static void Host(TestDomain t, uint leaf, uint subleaf, uint a, uint b, uint c, uint d)
        {
            t.Platform.Setup(p => p.Cpuid(leaf, subleaf, out a, out b, out c, out d));
        }

        private static string Signature(uint b, uint c, uint d)
        {
            var bytes = new byte[12];
            System.BitConverter.GetBytes(b).CopyTo(bytes, 0);
            System.BitConverter.GetBytes(c).CopyTo(bytes, 4);
            System.BitConverter.GetBytes(d).CopyTo(bytes, 8);
            return Encoding.ASCII.GetString(bytes);
        }

        [Fact]
        public void XenLeaf0_SignatureAndLastLeaf()
        {
            var t = TestDomain.Create();
            var (a, b, c, d) = Run(t, 0x4000_0000);
            Assert.Equal("XenVMMXenVMM", Signature(b, c, d));
            Assert.Equal(0x4000_0002u, a);
            t.Platform.Verify(p => p.Cpuid(It.IsAny<uint>(), It.IsAny<uint>(), out It.Ref<uint>.IsAny, out It.Ref<uint>.IsAny, out It.Ref<uint>.IsAny, out It.Ref<uint>.IsAny), Times.Never);
        }

        [Fact]
        public void XenLeaf1_Version4Point17()
        {
            var t = TestDomain.Create();
            Assert.Equal(0x0004_0011u, Run(t, 0x4000_0001).A);
            Assert.Equal((uint)((XenVersionHypercall.Major << 16) | XenVersionHypercall.Minor), Run(t, 0x4000_0001).A);
        }

        [Fact]
        public void XenLeaf2_OneHypercallPage()
        {
            var t = TestDomain.Create();
            var (a, b, _, _) = Run(t, 0x4000_0002);
            Assert.Equal(1u, a);
            Assert.Equal(0x4000_0000u, b);
        }

        [Theory]
        [InlineData(0x4000_0003u)]
        [InlineData(0x4000_00FFu)]
        public void XenLeavesPastTheLast_AreZero(uint leaf)
        {
            var t = TestDomain.Create();
            Assert.Equal((0u, 0u, 0u, 0u), Run(t, leaf));
        }

        [Fact]
        public void Leaf1_SetsTheHypervisorBit_HidesWhatRing3CannotUse()
        {
            var t = TestDomain.Create();
            Host(t, 1, 0, 0x000906EA, 0x0F10_0800, 0x7FFA_FBFF, 0xBFEB_FBFF);
            var (a, b, c, d) = Run(t, 1);
            Assert.Equal(0x000906EAu, a);                         // family/model/stepping as the host's
            Assert.NotEqual(0u, c & (1u << 31));                  // hypervisor present
            Assert.Equal(0u, c & (1u << 3));                      // MONITOR
            Assert.Equal(0u, c & (1u << 5));                      // VMX
            Assert.Equal(0u, c & (1u << 21));                     // x2APIC
            Assert.Equal(0u, c & (1u << 27));                     // OSXSAVE
            Assert.NotEqual(0u, c & (1u << 0));                   // SSE3 stays
            Assert.Equal(0u, d & (1u << 3));                      // PSE
            Assert.Equal(0u, d & (1u << 13));                     // PGE
            Assert.NotEqual(0u, d & (1u << 25));                  // SSE stays
            Assert.Equal(0u, b >> 24);                            // no initial APIC ID
            Assert.Equal(0x0010_0800u, b);
        }

        [Fact]
        public void Leaf7_HidesSupervisorFeatures()
        {
            var t = TestDomain.Create();
            Host(t, 7, 0, 0, 0xFFFF_FFFF, 0xFFFF_FFFF, 0x1234);
            var (_, b, c, d) = Run(t, 7, 0);
            Assert.Equal(0u, b & ((1u << 7) | (1u << 20)));       // SMEP, SMAP
            Assert.Equal(0u, c & (1u << 2));                      // UMIP
            Assert.Equal(0u, b & 1u);                             // FSGSBASE: the guest's CR4 cannot enable it
            Assert.NotEqual(0u, b & (1u << 5));                   // AVX2 stays
            Assert.Equal(0x1234u, d);
        }

        [Fact]
        public void ExtendedLeaf1_HidesWhatAPvGuestCannotUse()
        {
            var t = TestDomain.Create();
            Host(t, 0x80000001, 0, 0x00A60F12, 0x1234, 0xFFFF_FFFF, 0xFFFF_FFFF);
            var (a, b, c, d) = Run(t, 0x80000001, 0);
            Assert.Equal((0x00A60F12u, 0x1234u), (a, b));
            Assert.Equal(0u, d & (1u << 26));                                    // 1 GiB pages
            Assert.Equal(0u, d & ((1u << 3) | (1u << 13)));                      // PSE, PGE, as in leaf 1
            Assert.Equal(0u, c & ((1u << 2) | (1u << 12) | (1u << 29)));         // SVM, SKINIT, MONITORX
            const uint kept = (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29);   // SYSCALL, NX, RDTSCP, LM
            Assert.Equal(kept, d & kept);
            Assert.NotEqual(0u, c & 1u);                                         // LAHF/SAHF stays
        }

        [Fact]
        public void OtherLeaves_AreTheHosts()
        {
            var t = TestDomain.Create();
            Host(t, 0, 0, 0x16, 0x756E6547, 0x6C65746E, 0x49656E69);
            Assert.Equal((0x16u, 0x756E6547u, 0x6C65746Eu, 0x49656E69u), Run(t, 0));
        }
    }
}
