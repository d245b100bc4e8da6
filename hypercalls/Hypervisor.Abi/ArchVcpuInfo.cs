using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors arch-x86/xen-x86_64.h <c>struct arch_vcpu_info</c> (16 bytes; the padding keeps
    /// <see cref="VcpuInfo"/> at 64 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct ArchVcpuInfo
    {
        /// <summary><c>cr2</c>: the faulting address Xen saved for the guest's page-fault handler.</summary>
        [FieldOffset(0)] public ulong Cr2;

        /// <summary><c>pad</c>.</summary>
        [FieldOffset(8)] public ulong Pad;
    }
}
