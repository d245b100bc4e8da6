using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct mmu_update</c> (16 bytes): one request of
    /// mmu_update(reqs, count, done_out, foreigndom). The low two bits of <see cref="Ptr"/> select the
    /// <see cref="MmuUpdateCommand"/>; the rest is the machine address of the entry.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct MmuUpdate
    {
        /// <summary><c>ptr</c>: machine address of the page-table entry (or, for
        /// <see cref="MmuUpdateCommand.MachphysUpdate"/>, of the frame) ORed with the command.</summary>
        [FieldOffset(0)] public ulong Ptr;

        /// <summary><c>val</c>: the new entry, with a machine frame number (or the new pfn for the M2P).</summary>
        [FieldOffset(8)] public ulong Val;
    }

    /// <summary>Commands in the low bits of <see cref="MmuUpdate.Ptr"/> (xen.h MMU_*), and how
    /// mmu_update's foreigndom argument is packed.</summary>
    public static class MmuUpdateCommand
    {
        /// <summary><c>MMU_NORMAL_PT_UPDATE</c>: validated write of one page-table entry.</summary>
        public const ulong NormalPtUpdate = 0;

        /// <summary><c>MMU_MACHPHYS_UPDATE</c>: set the M2P entry of a frame the caller (or FD) owns.</summary>
        public const ulong MachphysUpdate = 1;

        /// <summary><c>MMU_PT_UPDATE_PRESERVE_AD</c>: as a normal update, but keep the entry's current
        /// accessed and dirty bits.</summary>
        public const ulong PtUpdatePreserveAd = 2;

        /// <summary><c>MMU_PT_UPDATE_NO_TRANSLATE</c>: as a normal update, but <c>val</c> is never translated
        /// through the foreign domain's P2M.</summary>
        public const ulong PtUpdateNoTranslate = 3;

        /// <summary>Mask of the command bits in <see cref="MmuUpdate.Ptr"/>.</summary>
        public const ulong CommandMask = 3;

        /// <summary>foreigndom bits 15:0: FD, the owner of mapped data frames (DOMID_SELF for none).</summary>
        public const uint ForeignDataDomainMask = 0xFFFF;

        /// <summary>foreigndom bits 31:16: PFD + 1, the owner of the page tables (0 means DOMID_SELF).</summary>
        public const int ForeignPageTableDomainShift = 16;
    }
}
