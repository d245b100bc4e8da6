namespace Hypervisor.Abi
{
    /// <summary>Where Xen's own descriptors live in a PV guest's GDT (arch-x86/xen.h), for set_gdt and
    /// update_descriptor. Xen takes the far end so that guests' hard-coded low selectors keep working.</summary>
    public static class DescriptorTables
    {
        /// <summary><c>FIRST_RESERVED_GDT_PAGE</c>: GDT pages from this one on belong to Xen, so a guest
        /// GDT has at most this many frames of its own.</summary>
        public const int FirstReservedGdtPage = 14;

        /// <summary><c>FIRST_RESERVED_GDT_BYTE</c>.</summary>
        public const int FirstReservedGdtByte = FirstReservedGdtPage * 4096;

        /// <summary><c>FIRST_RESERVED_GDT_ENTRY</c>: 7168, the first descriptor a guest may not set.</summary>
        public const int FirstReservedGdtEntry = FirstReservedGdtByte / 8;

        /// <summary>Frames set_gdt accepts (<c>gdt_frames[16]</c> of vcpu_guest_context).</summary>
        public const int MaxGdtFrames = 16;
    }
}
