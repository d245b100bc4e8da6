using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the grants tests share. Dom0 grants its own pages to itself (domid 0), so one domain can
    /// map and copy them: P, Q and R are data pages of the heap with their own patterns; the windows
    /// are heap pages unmapped with update_va_mapping, free addresses whose L1 entry exists (where
    /// map_grant_ref puts its mappings); the grant table's first frame is mapped over another heap page.
    /// </summary>
    internal static unsafe class Pages
    {
        public const ulong Page = 4096;
        public const ulong PatternP = 0x5050505050505051UL;
        public const ulong PatternQ = 0x5151515151515152UL;
        public const ulong PatternR = 0x5252525252525253UL;

        /// <summary>Dom0's own numeric id: the grantee of its grants to itself.</summary>
        public const ushort Dom0 = 0;

        public static ulong P, Q, R;
        public static ulong MfnP, MfnQ, MfnR;

        /// <summary>Free addresses for mappings, and the machine addresses of their L1 entries.</summary>
        public static ulong Window, Window2;
        public static ulong WindowPteMa, Window2PteMa;
        /// <summary>Where the windows' L1 entries can be read (the bootstrap tables are mapped read-only).</summary>
        public static ulong WindowPteVa, Window2PteVa;

        /// <summary>Where the grant table's first frame is mapped once <see cref="TableTests"/> set it up.</summary>
        public static ulong TableVa;

        /// <summary>A frame the domain does not own: the first frame of the M2P (0 when not found).</summary>
        public static ulong ForeignMfn;

        /// <summary>The top-level page table's frame (a page-table frame of ours).</summary>
        public static ulong L4Mfn;

        public static bool Ready;

        public static void Setup(TestSuite suite)
        {
            ulong pages = (ulong)GuestMemory.AllocatePages(6);
            P = pages;
            Q = pages + Page;
            R = pages + 2 * Page;
            Window = pages + 3 * Page;
            Window2 = pages + 4 * Page;
            TableVa = pages + 5 * Page;
            MfnP = MachineFrames.Of(P);
            MfnQ = MachineFrames.Of(Q);
            MfnR = MachineFrames.Of(R);
            Refill();
            L4Mfn = MachineFrames.Of(StartOfDay.StartInfo->PtBase);

            long rc1 = Hypercalls.UpdateVaMapping(Window, 0, PageFlags.UvmfInvlpg);
            long rc2 = Hypercalls.UpdateVaMapping(Window2, 0, PageFlags.UvmfInvlpg);
            bool walked = FindL1Entry(Window, out WindowPteVa, out WindowPteMa) && FindL1Entry(Window2, out Window2PteVa, out Window2PteMa);
            Ready = rc1 == 0 && rc2 == 0 && walked && Probe.ReadFaultVector(Window) == 14 && Pte(Window) == 0;
            suite.Result("setup_windows_unmapped", Ready).Text(" update_va_mapping returned ").Result(rc1).Text(" and ").Result(rc2)
                .Text(", window L1 entry at ").Hex(WindowPteMa).Text(" = ").Hex(Pte(Window)).End();

            ulong* frames = stackalloc ulong[4];
            XenMachphysMfnList list = default;
            list.MaxExtents = 4;
            list.ExtentStart = (ulong)frames;
            long rc = Hypercalls.MemoryOp(MemoryOp.MachphysMfnList, &list);
            ForeignMfn = rc == 0 && list.NrExtents > 0 ? frames[0] : 0;
            suite.Result("setup_foreign_frame", ForeignMfn != 0).Text(" first M2P frame ").Hex(ForeignMfn).End();
        }

        public static void Refill()
        {
            Fill(P, PatternP);
            Fill(Q, PatternQ);
            Fill(R, PatternR);
        }

        public static void Fill(ulong va, ulong value)
        {
            ulong* p = (ulong*)va;
            for (int i = 0; i < 512; i++)
                p[i] = value;
        }

        /// <summary>True when every word of the page reads <paramref name="value"/> (probed: false if unreadable).</summary>
        public static bool Holds(ulong va, ulong value)
        {
            for (ulong i = 0; i < 512; i++)
            {
                if (!Probe.TryRead(va + i * 8, out ulong v) || v != value)
                    return false;
            }
            return true;
        }

        /// <summary>The L1 entry that maps a window, as it is now.</summary>
        public static ulong Pte(ulong window)
        {
            ulong va = window == Window2 ? Window2PteVa : WindowPteVa;
            return va != 0 && Probe.TryRead(va, out ulong v) ? v : ulong.MaxValue;
        }

        /// <summary>The frame a PTE maps.</summary>
        public static ulong FrameOf(ulong pte) => (pte & PageFlags.FrameMask) >> 12;

        /// <summary>The window maps nothing again (after a failed test left something there).</summary>
        public static void Clear(ulong window) => Hypercalls.UpdateVaMapping(window, 0, PageFlags.UvmfInvlpg);

        /// <summary>
        /// Walks the kernel page tables (from pt_base) for <paramref name="va"/> down to its L1 entry: its
        /// machine address, and where the entry can be read. Every table of the initial mapping is a frame
        /// of the bootstrap region, found at its pseudo-physical address through the read-only M2P.
        /// </summary>
        public static bool FindL1Entry(ulong va, out ulong entryVa, out ulong entryMa)
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
                if (!Probe.TryRead(entryVa, out ulong entry) || (entry & PageFlags.Present) == 0 || (entry & (1UL << 7)) != 0)
                    break;
                tableMfn = FrameOf(entry);
                if (!Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + tableMfn * 8, out ulong pfn) || pfn >= StartOfDay.StartInfo->NrPages)
                    break;
                tableVa = MachineFrames.VirtBase + pfn * Page;
                if (tableVa >= StartOfDay.Layout.RegionEnd || MachineFrames.Of(tableVa) != tableMfn)
                    break;
            }
            entryVa = 0;
            entryMa = 0;
            return false;
        }
    }
}
