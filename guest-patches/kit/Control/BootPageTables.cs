namespace Hypervisor.Guest
{
    /// <summary>
    /// The contents of a new domain's bootstrap page tables (<see cref="DomainLayout"/>): frame 0 is the
    /// L4, 1 the L3, 2 the L2, then the L1s, which map the region [VIRT_BASE, RegionEnd) to pseudo-physical
    /// frames 0.. (machine frames from the P2M): data writable (P|RW|US|A|D), the page-table frames
    /// themselves read-only (P|US|A) as Xen requires of a table it validates; the links between tables
    /// are P|RW|US|A.
    /// </summary>
    public static unsafe class BootPageTables
    {
        public const ulong DataFlags = PageFlags.Present | PageFlags.Writable | PageFlags.User | PageFlags.Accessed | PageFlags.Dirty;
        public const ulong TableFrameFlags = PageFlags.Present | PageFlags.User | PageFlags.Accessed;
        public const ulong LinkFlags = PageFlags.Present | PageFlags.Writable | PageFlags.User | PageFlags.Accessed;

        public static int Index(ulong va, int level) => (int)((va >> (12 + 9 * (level - 1))) & 511);

        /// <summary>The machine frame of page-table frame <paramref name="index"/> (0 = L4).</summary>
        public static ulong FrameOf(in DomainLayout layout, ulong* p2m, ulong index)
            => p2m[layout.PfnOf(layout.PageTables) + index];

        /// <summary>Writes page-table frame <paramref name="index"/> into <paramref name="page"/> (4 KiB,
        /// every entry written).</summary>
        public static void Fill(ulong* page, ulong index, in DomainLayout layout, ulong* p2m)
        {
            for (int i = 0; i < 512; i++)
                page[i] = 0;
            ulong virtBase = layout.VirtBase;
            if (index == 0)
            {
                page[Index(virtBase, 4)] = (FrameOf(layout, p2m, 1) << 12) | LinkFlags;
                return;
            }
            if (index == 1)
            {
                page[Index(virtBase, 3)] = (FrameOf(layout, p2m, 2) << 12) | LinkFlags;
                return;
            }
            ulong firstSpan = virtBase & ~(DomainLayout.L1Span - 1);
            if (index == 2)
            {
                for (ulong l1 = 0; l1 < layout.L1Count; l1++)
                {
                    ulong va = firstSpan + l1 * DomainLayout.L1Span;
                    page[Index(va, 2)] = (FrameOf(layout, p2m, DomainLayout.FirstL1 + l1) << 12) | LinkFlags;
                }
                return;
            }
            ulong spanStart = firstSpan + (index - DomainLayout.FirstL1) * DomainLayout.L1Span;
            for (int j = 0; j < 512; j++)
            {
                ulong va = spanStart + (ulong)j * DomainLayout.PageSize;
                if (va < virtBase || va >= layout.RegionEnd)
                    continue;
                ulong pfn = layout.PfnOf(va);
                page[j] = (p2m[pfn] << 12) | (layout.IsPageTable(pfn) ? TableFrameFlags : DataFlags);
            }
        }
    }
}
