using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors arch-x86/xen.h <c>struct arch_shared_info</c> (48 bytes on x86-64): where the
    /// guest publishes its P2M for the tools (save, restore, dump), and the NMI reason.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 48)]
    public struct ArchSharedInfo
    {
        /// <summary>Value of <see cref="PfnToMfnFrameListList"/> when the three-level list is unusable
        /// and the linear list at <see cref="P2mVaddr"/> must be used (~0).</summary>
        public const ulong FrameListListInvalid = ulong.MaxValue;

        /// <summary><c>max_pfn</c>: number of valid P2M entries.</summary>
        [FieldOffset(0)] public ulong MaxPfn;

        /// <summary><c>pfn_to_mfn_frame_list_list</c>: frame of the top of the three-level P2M frame list
        /// (0: not set up).</summary>
        [FieldOffset(8)] public ulong PfnToMfnFrameListList;

        /// <summary><c>nmi_reason</c>: why the last NMI was raised.</summary>
        [FieldOffset(16)] public ulong NmiReason;

        /// <summary><c>p2m_cr3</c>: CR3 value (see <see cref="AddressSpaceLayout.PfnToCr3"/>) of the
        /// address space in which <see cref="P2mVaddr"/> is valid; 0 when the next three are unused.</summary>
        [FieldOffset(24)] public ulong P2mCr3;

        /// <summary><c>p2m_vaddr</c>: virtual address of the linear P2M list.</summary>
        [FieldOffset(32)] public ulong P2mVaddr;

        /// <summary><c>p2m_generation</c>: bumped by the guest around each P2M mapping change (odd: busy).</summary>
        [FieldOffset(40)] public ulong P2mGeneration;
    }
}
