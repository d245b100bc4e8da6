namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// The bookkeeping of one machine frame (Xen's page_info, reduced to what PV memory needs).
    /// Twelve bytes, kept in one array indexed by frame number, so a lookup is an index, not a search.
    /// </summary>
    internal struct FrameState
    {
        /// <summary>Bit in <see cref="Flags"/>: the guest pinned the frame's type (holds one type and
        /// one general reference until unpinned).</summary>
        public const byte Pinned = 1;

        /// <summary>Bit in <see cref="Flags"/>: the contents were checked for the current type.</summary>
        public const byte Validated = 2;

        /// <summary>Bit in <see cref="Flags"/>: a hypervisor frame every guest may map read-only.</summary>
        public const byte SharedReadOnly = 4;

        /// <summary>General references: mappings, table links, pins, hypercalls in progress.</summary>
        public uint References;

        /// <summary>References to the current <see cref="Type"/>.</summary>
        public uint TypeCount;

        public ushort Owner;
        public PageType Type;
        public byte Flags;
    }
}
