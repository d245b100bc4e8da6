using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The initial virtual region the domain builder set up, as start_info describes it (xen.h, "Start-of-day
    /// memory layout"): kernel, initrd, P2M list, start_info, (domU: XenStore and console pages), bootstrap
    /// page tables, a one-page stack, then padding of at least 512 KiB up to a 4 MiB boundary. The region
    /// is mapped contiguously; what lies after the stack is free for the kernel (the kit's heap).
    /// </summary>
    public struct BootstrapLayout
    {
        public const ulong PageSize = 4096;
        public const ulong RegionAlignment = 4UL << 20;
        public const ulong MinimumPadding = 512UL << 10;

        public ulong StartInfo;
        public ulong P2mStart;
        public ulong P2mEnd;
        public ulong PageTablesStart;
        public ulong PageTablesEnd;
        public ulong StackStart;
        public ulong StackEnd;

        /// <summary>The end of the region as the contract guarantees it: the first 4 MiB boundary with at
        /// least 512 KiB after the stack.</summary>
        public ulong RegionEnd;

        public static unsafe BootstrapLayout From(StartInfo* start)
        {
            BootstrapLayout layout;
            layout.StartInfo = (ulong)start;
            layout.P2mStart = start->MfnList;
            layout.P2mEnd = start->MfnList + start->NrPages * 8;
            layout.PageTablesStart = start->PtBase;
            layout.PageTablesEnd = start->PtBase + start->NrPtFrames * PageSize;
            layout.StackStart = layout.PageTablesEnd;
            layout.StackEnd = layout.StackStart + PageSize;
            layout.RegionEnd = RegionEndAfter(layout.StackEnd);
            return layout;
        }

        /// <summary>Xen's rule: round up to 4 MiB, and add 4 MiB more if that leaves less than 512 KiB.</summary>
        public static ulong RegionEndAfter(ulong lastElementEnd)
        {
            ulong end = AlignUp(lastElementEnd, RegionAlignment);
            if (end - lastElementEnd < MinimumPadding)
                end += RegionAlignment;
            return end;
        }

        public static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
    }
}
