using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Finds the L1 entry that maps an address in the kernel's page tables (from start_info's pt_base):
    /// its machine address (what mmu_update and GNTMAP_contains_pte name) and where the kernel can read
    /// it. Every table of the initial mapping is a frame of the bootstrap region, found at its
    /// pseudo-physical address through the read-only M2P.
    /// </summary>
    public static unsafe class PageTableWalk
    {
        /// <summary>PSE: an L2 or L3 entry that maps a large page (no table below it).</summary>
        private const ulong LargePage = 1UL << 7;

        public static bool TryFindL1Entry(ulong va, out ulong entryVa, out ulong entryMa)
        {
            ulong tableVa = StartOfDay.StartInfo->PtBase;
            ulong tableMfn = MachineFrames.Of(tableVa);
            for (int level = 4; ; level--)
            {
                ulong index = (va >> (12 + 9 * (level - 1))) & 511;
                entryVa = tableVa + index * 8;
                entryMa = (tableMfn << 12) + index * 8;
                if (level == 1)
                    return true;
                if (!Probe.TryRead(entryVa, out ulong entry) || (entry & PageFlags.Present) == 0 || (entry & LargePage) != 0)
                    break;
                tableMfn = (entry & PageFlags.FrameMask) >> 12;
                if (!Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + tableMfn * 8, out ulong pfn) || pfn >= StartOfDay.StartInfo->NrPages)
                    break;
                tableVa = MachineFrames.VirtBase + pfn * PageFlags.PageSize;
                if (tableVa >= StartOfDay.Layout.RegionEnd || MachineFrames.Of(tableVa) != tableMfn)
                    break;
            }
            entryVa = 0;
            entryMa = 0;
            return false;
        }
    }
}
