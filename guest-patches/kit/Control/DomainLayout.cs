namespace Hypervisor.Guest
{
    /// <summary>
    /// Where the domain builder puts things in a new PV domain's initial virtual region, following
    /// Xen's start-of-day contract (xen.h, "Start-of-day memory layout") and what the kit expects of it
    /// (<see cref="BootstrapLayout"/>: the stack page right after the page tables): the kernel from
    /// VIRT_BASE, the P2M list, start_info, a report page (free for the caller: the domctl suite's peer
    /// writes its results there), the bootstrap page tables (L4, L3, L2, then one L1 per 2 MiB of the
    /// region), one stack page, then padding up to a 4 MiB boundary with at least 512 KiB. Pseudo-physical
    /// frame n is mapped at VIRT_BASE + n * 4 KiB. Every address here is virtual.
    /// </summary>
    public struct DomainLayout
    {
        public const ulong PageSize = 4096;
        public const ulong L1Span = 2UL << 20;
        public const ulong L2Span = 1UL << 30;

        /// <summary>The first L1 table's index among the page-table frames (after L4, L3, L2).</summary>
        public const ulong FirstL1 = 3;

        public ulong VirtBase;
        public ulong NrPages;
        public ulong KernelEnd;
        public ulong P2mStart;
        public ulong P2mPages;
        public ulong StartInfo;
        public ulong Report;
        public ulong PageTables;
        public ulong PageTableFrames;
        public ulong Stack;
        public ulong StackEnd;
        public ulong RegionEnd;

        /// <summary>The L1 tables: the first covers the 2 MiB that hold VIRT_BASE.</summary>
        public ulong L1Count => PageTableFrames - FirstL1;

        public ulong RegionPages => (RegionEnd - VirtBase) / PageSize;

        public ulong PfnOf(ulong va) => (va - VirtBase) / PageSize;

        public bool IsPageTable(ulong pfn) => pfn >= PfnOf(PageTables) && pfn < PfnOf(PageTables) + PageTableFrames;

        /// <summary>Plans the region for a kernel ending at <paramref name="kernelEnd"/> (page-aligned) in a
        /// domain of <paramref name="nrPages"/> pages. Returns null, or why it cannot be done (the region
        /// does not fit in the domain, or crosses a 1 GiB boundary: one L3 and one L2 table only).</summary>
        public static string Plan(ulong virtBase, ulong kernelEnd, ulong nrPages, out DomainLayout layout)
        {
            layout = default;
            layout.VirtBase = virtBase;
            layout.NrPages = nrPages;
            layout.KernelEnd = kernelEnd;
            layout.P2mStart = kernelEnd;
            layout.P2mPages = (nrPages * 8 + PageSize - 1) / PageSize;
            layout.StartInfo = layout.P2mStart + layout.P2mPages * PageSize;
            layout.Report = layout.StartInfo + PageSize;
            layout.PageTables = layout.Report + PageSize;
            // The L1 count depends on where the region ends, which depends on the L1 count.
            ulong l1s = 1;
            while (true)
            {
                ulong stack = layout.PageTables + (FirstL1 + l1s) * PageSize;
                ulong end = BootstrapLayout.RegionEndAfter(stack + PageSize);
                ulong needed = (end - 1) / L1Span - virtBase / L1Span + 1;
                if (needed <= l1s)
                {
                    layout.PageTableFrames = FirstL1 + l1s;
                    layout.Stack = stack;
                    layout.StackEnd = stack + PageSize;
                    layout.RegionEnd = end;
                    break;
                }
                l1s = needed;
            }
            if ((virtBase & (PageSize - 1)) != 0)
                return "VIRT_BASE is not page-aligned";
            if (virtBase / L2Span != (layout.RegionEnd - 1) / L2Span)
                return "the region crosses a 1 GiB boundary (the builder makes one L2 table)";
            if (layout.RegionPages > nrPages)
                return "the region (kernel, P2M, start_info, page tables, stack, padding) needs more pages than the domain has";
            return null;
        }
    }
}
