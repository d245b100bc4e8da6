namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>
    /// Where the domain builder puts things in a new PV domain's virtual space, in Xen's order: the
    /// kernel, the initrd, the P2M list, start_info, (a domU's XenStore and console pages), the
    /// bootstrap page tables, one stack page; then padding up to a 4 MiB boundary with at least
    /// 512 KiB free, so the kernel has room to build its own tables. Everything from
    /// <see cref="VirtBase"/> to <see cref="MappedEnd"/> is mapped to pseudo-physical frames 0..n in
    /// order; the rest of the domain's pages are in its P2M but not mapped.
    /// A kernel with an INIT_P2M note gets its P2M list there instead, outside the region (as from
    /// Xen): the frames after the region (and an unmapped initrd) hold the tables that map it and the
    /// list itself, and start_info names them (first_p2m_pfn, nr_p2m_frames) so the kernel can
    /// reclaim them.
    /// </summary>
    public struct PvLayout
    {
        public const ulong PageSize = 4096;
        private const ulong Padding = 512 * 1024;
        private const ulong MappingAlignment = 4UL << 20;

        public ulong VirtBase;
        public ulong KernelStart;
        public ulong KernelEnd;
        /// <summary>Virtual address of the initrd (0 length: no initrd; unmapped ones live after
        /// <see cref="MappedEnd"/> and are given to the guest by frame number).</summary>
        public ulong InitrdStart;
        public ulong InitrdLength;
        public bool InitrdUnmapped;
        /// <summary>Virtual address of the P2M list (start_info's mfn_list).</summary>
        public ulong P2mStart;
        /// <summary>The list lies at the kernel's INIT_P2M address, outside the bootstrap region.</summary>
        public bool P2mOutsideRegion;
        /// <summary>First pseudo-physical frame after the bootstrap region and an unmapped initrd: where
        /// a P2M outside the region starts (start_info's first_p2m_pfn, which Xen sets in any case).</summary>
        public ulong FirstP2mFrame;
        /// <summary>Frames of a P2M outside the region, page tables first (<see cref="P2mTableFrames"/>),
        /// then the list's pages; 0 when the list is inside the region.</summary>
        public ulong P2mFrames;
        public ulong P2mTableFrames;
        public ulong StartInfoStart;
        public ulong XenStoreStart;
        public ulong ConsoleStart;
        public ulong PageTablesStart;
        public ulong PageTableFrames;
        public ulong StackStart;
        public ulong MappedEnd;
        public ulong TotalPages;

        public ulong StackEnd => StackStart + PageSize;
        public ulong PageTablesEnd => PageTablesStart + PageTableFrames * PageSize;
        public ulong MappedPages => (MappedEnd - VirtBase) / PageSize;
        /// <summary>The page-aligned virtual range a P2M outside the region occupies.</summary>
        public ulong P2mMapStart => P2mStart & ~(PageSize - 1);
        public ulong P2mMapEnd => RoundUp(P2mStart + TotalPages * 8, PageSize);

        /// <summary>Frame number (pseudo-physical) of a virtual address inside the mapped region.</summary>
        public ulong FrameOf(ulong virtualAddress) => (virtualAddress - VirtBase) / PageSize;

        /// <summary>Lays out a domain of <paramref name="totalPages"/> pages for <paramref name="kernel"/>.
        /// Returns false when the pages do not cover the bootstrap region; <paramref name="neededPages"/>
        /// then says how many would.</summary>
        public static bool TryCompute(KernelImage kernel, ulong initrdLength, bool withGuestRings, ulong totalPages,
                                      out PvLayout layout, out ulong neededPages)
        {
            neededPages = Compute(kernel, initrdLength, withGuestRings, totalPages, out layout);
            if (neededPages <= totalPages)
                return true;
            // More pages mean a bigger P2M list, which can push the region past the next 4 MiB
            // boundary: grow the count until it covers the layout it produces, so the number given
            // back really is enough.
            for (int round = 0; round < 8; round++)
            {
                ulong more = Compute(kernel, initrdLength, withGuestRings, neededPages, out _);
                if (more <= neededPages)
                    break;
                neededPages = more;
            }
            return false;
        }

        private static ulong Compute(KernelImage kernel, ulong initrdLength, bool withGuestRings, ulong totalPages,
                                     out PvLayout layout)
        {
            layout = default;
            layout.VirtBase = kernel.VirtBase;
            layout.KernelStart = kernel.KernelStart;
            layout.KernelEnd = kernel.KernelEnd;
            layout.TotalPages = totalPages;
            layout.InitrdLength = initrdLength;
            layout.InitrdUnmapped = kernel.ModuleByFrameNumber && initrdLength != 0;

            ulong cursor = RoundUp(kernel.KernelEnd, PageSize);
            if (initrdLength != 0 && !layout.InitrdUnmapped)
            {
                layout.InitrdStart = cursor;
                cursor = RoundUp(cursor + initrdLength, PageSize);
            }
            layout.P2mOutsideRegion = kernel.P2mBase != 0;
            if (layout.P2mOutsideRegion)
            {
                layout.P2mStart = kernel.P2mBase;
            }
            else
            {
                layout.P2mStart = cursor;
                cursor = RoundUp(cursor + totalPages * 8, PageSize);
            }
            layout.StartInfoStart = cursor;
            cursor += PageSize;                    // start_info and dom0's console info share a page
            if (withGuestRings)
            {
                layout.XenStoreStart = cursor;
                layout.ConsoleStart = cursor + PageSize;
                cursor += 2 * PageSize;
            }
            layout.PageTablesStart = cursor;

            // The tables must map themselves, the stack and the padding, so their number depends on
            // where they end: grow the count until it covers the region it produces.
            ulong tables = 1;
            while (true)
            {
                layout.PageTableFrames = tables;
                layout.StackStart = layout.PageTablesEnd;
                layout.MappedEnd = RoundUp(layout.StackEnd + Padding, MappingAlignment);
                ulong needed = TablesFor(layout.VirtBase, layout.MappedEnd);
                if (needed <= tables)
                    break;
                tables = needed;
            }

            ulong neededPages = layout.MappedPages + (layout.InitrdUnmapped ? RoundUp(initrdLength, PageSize) / PageSize : 0);
            if (layout.InitrdUnmapped)
                layout.InitrdStart = layout.MappedPages;   // a frame number, as start_info will carry it
            layout.FirstP2mFrame = neededPages;
            if (layout.P2mOutsideRegion)
            {
                // Only the tables the bootstrap region does not already have are new.
                ulong start = layout.P2mMapStart, end = layout.P2mMapEnd;
                layout.P2mTableFrames = TablesFor(start, end) - 1
                    - Shared(start, end, layout.VirtBase, layout.MappedEnd, 39)
                    - Shared(start, end, layout.VirtBase, layout.MappedEnd, 30)
                    - Shared(start, end, layout.VirtBase, layout.MappedEnd, 21);
                layout.P2mFrames = layout.P2mTableFrames + (end - start) / PageSize;
                neededPages += layout.P2mFrames;
            }
            return neededPages;
        }

        /// <summary>Page-table frames (one L4, then every L3, L2 and L1 that [start, end) touches).</summary>
        public static ulong TablesFor(ulong start, ulong end)
        {
            ulong last = end - 1;
            return 1
                + ((last >> 39) - (start >> 39) + 1)
                + ((last >> 30) - (start >> 30) + 1)
                + ((last >> 21) - (start >> 21) + 1);
        }

        /// <summary>Tables at the level that covers 2^<paramref name="shift"/> bytes which both
        /// [a, aEnd) and [b, bEnd) use.</summary>
        private static ulong Shared(ulong a, ulong aEnd, ulong b, ulong bEnd, int shift)
        {
            ulong first = a >> shift, last = (aEnd - 1) >> shift;
            ulong otherFirst = b >> shift, otherLast = (bEnd - 1) >> shift;
            ulong from = first > otherFirst ? first : otherFirst;
            ulong to = last < otherLast ? last : otherLast;
            return from <= to ? to - from + 1 : 0;
        }

        private static ulong RoundUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
    }
}
