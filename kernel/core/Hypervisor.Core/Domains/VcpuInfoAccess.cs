namespace Hypervisor.Core.Domains
{
    /// <summary>The hypervisor's side of a vCPU's vcpu_info (in shared_info or where the guest
    /// registered it): the event mask and pending flag, and CR2 for page faults. These live in
    /// guest-writable memory, so every read is a fresh single read and nothing read is trusted
    /// beyond its one bit.</summary>
    public static class VcpuInfoAccess
    {
        // Offsets in vcpu_info (VcpuInfo in the ABI; its layout test checks them against Xen's).
        public const ulong UpcallPendingOffset = 0;
        public const ulong UpcallMaskOffset = 1;
        public const ulong Cr2Offset = 16;
        public const ulong TimeOffset = 32;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool IsUpcallMasked(Vcpu vcpu) => vcpu.Domain.Host.Memory.Read8(vcpu.VcpuInfoAddress + UpcallMaskOffset) != 0;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void SetUpcallMask(Vcpu vcpu, byte value) => vcpu.Domain.Host.Memory.Write8(vcpu.VcpuInfoAddress + UpcallMaskOffset, value);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool IsUpcallPending(Vcpu vcpu) => vcpu.Domain.Host.Memory.Read8(vcpu.VcpuInfoAddress + UpcallPendingOffset) != 0;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static ulong ReadCr2(Vcpu vcpu) => vcpu.Domain.Host.Memory.Read64(vcpu.VcpuInfoAddress + Cr2Offset);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void SetCr2(Vcpu vcpu, ulong value) => vcpu.Domain.Host.Memory.Write64(vcpu.VcpuInfoAddress + Cr2Offset, value);
    }
}
