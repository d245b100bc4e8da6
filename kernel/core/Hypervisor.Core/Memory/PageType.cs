namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// What a machine frame is currently used as. A frame holds one type at a time and may change
    /// type only while nobody holds a reference to its current type: that single rule is what keeps
    /// a guest from ever writing to a page table or a descriptor table behind the hypervisor's back.
    /// The page-table values equal their level, so <c>(PageType)level</c> converts.
    /// </summary>
    public enum PageType : byte
    {
        /// <summary>No type yet (fresh frames), or a hypervisor frame shared read-only with guests.</summary>
        None = 0,
        L1 = 1,
        L2 = 2,
        L3 = 3,
        L4 = 4,

        /// <summary>A GDT or LDT page: its descriptors were checked, so it must not be writable.</summary>
        SegmentDescriptor = 5,

        /// <summary>Mapped writable somewhere (or being written by the hypervisor for the guest).</summary>
        Writable = 6,
    }
}
