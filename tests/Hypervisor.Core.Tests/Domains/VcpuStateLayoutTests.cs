using System.Runtime.InteropServices;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>Layouts other code relies on: the arch layer casts its trap frame to
    /// <see cref="GuestRegisters"/>, and <see cref="VcpuInfoAccess"/> touches vcpu_info by offset.</summary>
    public class VcpuStateLayoutTests
    {
        [Theory]
        [InlineData("R15", 0)]
        [InlineData("R11", 32)]
        [InlineData("R8", 56)]
        [InlineData("Rbp", 64)]
        [InlineData("Rdi", 72)]
        [InlineData("Rsi", 80)]
        [InlineData("Rax", 112)]
        [InlineData("Vector", 120)]
        [InlineData("ErrorCode", 128)]
        [InlineData("Rip", 136)]
        [InlineData("Cs", 144)]
        [InlineData("Rflags", 152)]
        [InlineData("Rsp", 160)]
        [InlineData("Ss", 168)]
        public void GuestRegisters_InTheEntryCodesOrder(string field, int offset)
        {
            Assert.Equal(offset, (int)Marshal.OffsetOf<GuestRegisters>(field));
        }

        [Fact]
        public void GuestRegisters_Size()
        {
            Assert.Equal(176, TestDomain.SizeOf<GuestRegisters>());
        }

        [Fact]
        public void VcpuInfoAccess_OffsetsAreVcpuInfos()
        {
            Assert.Equal(VcpuInfoAccess.UpcallPendingOffset, (ulong)Marshal.OffsetOf<VcpuInfo>(nameof(VcpuInfo.EvtchnUpcallPending)));
            Assert.Equal(VcpuInfoAccess.UpcallMaskOffset, (ulong)Marshal.OffsetOf<VcpuInfo>(nameof(VcpuInfo.EvtchnUpcallMask)));
            Assert.Equal(VcpuInfoAccess.Cr2Offset, (ulong)Marshal.OffsetOf<VcpuInfo>(nameof(VcpuInfo.Arch)));   // arch.cr2 opens arch
            Assert.Equal(VcpuInfoAccess.TimeOffset, (ulong)Marshal.OffsetOf<VcpuInfo>(nameof(VcpuInfo.Time)));
        }

        [Fact]
        public void VcpuInfoAccess_UsesVcpuInfosOffsets()
        {
            var t = TestDomain.Create();
            ulong info = t.Vcpu.VcpuInfoAddress;
            VcpuInfoAccess.SetUpcallMask(t.Vcpu, 0);
            VcpuInfoAccess.SetCr2(t.Vcpu, 0x1122_3344_5566_7788);
            t.Memory.Write8(info + (ulong)Marshal.OffsetOf<VcpuInfo>(nameof(VcpuInfo.EvtchnUpcallPending)), 1);
            Assert.True(VcpuInfoAccess.IsUpcallPending(t.Vcpu));
            Assert.False(VcpuInfoAccess.IsUpcallMasked(t.Vcpu));
            t.Memory.Write8(info + (ulong)Marshal.OffsetOf<VcpuInfo>(nameof(VcpuInfo.EvtchnUpcallMask)), 1);
            Assert.True(VcpuInfoAccess.IsUpcallMasked(t.Vcpu));
            ulong cr2 = (ulong)Marshal.OffsetOf<VcpuInfo>(nameof(VcpuInfo.Arch)) + (ulong)Marshal.OffsetOf<ArchVcpuInfo>(nameof(ArchVcpuInfo.Cr2));
            Assert.Equal(0x1122_3344_5566_7788UL, t.Memory.Read64(info + cr2));
        }
    }
}
