using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The pages the page_tables tests remap: A, B and C are data pages of the heap, each filled with its
    /// own pattern. A's address is the "window": its L1 entry (found by walking the tables) is the entry
    /// the tests rewrite, so that a read of A tells which frame the entry maps. The foreign frame is RAM
    /// the domain does not own: the first frame of the M2P table (XENMEM_machphys_mfn_list), which the
    /// hypervisor owns.
    /// </summary>
    internal static unsafe class TestPages
    {
        public const ulong PatternA = 0xA0A0A0A0A0A0A0A1UL;
        public const ulong PatternB = 0xB0B0B0B0B0B0B0B2UL;
        public const ulong PatternC = 0xC0C0C0C0C0C0C0C3UL;

        public static ulong A, B, C;
        public static ulong MfnA, MfnB, MfnC;

        /// <summary>The L1 entry that maps A: its virtual address (read-only) and machine address.</summary>
        public static ulong PteVa, PteMa;

        /// <summary>A RAM frame owned by the hypervisor (0 when XENMEM_machphys_mfn_list failed).</summary>
        public static ulong ForeignMfn;

        public static bool Ready;

        public static void Setup(TestSuite suite)
        {
            ulong pages = (ulong)GuestMemory.AllocatePages(3);
            A = pages;
            B = pages + Tables.Page;
            C = pages + 2 * Tables.Page;
            MfnA = Tables.MfnOf(A);
            MfnB = Tables.MfnOf(B);
            MfnC = Tables.MfnOf(C);
            Refill();
            Ready = Tables.Walk(A, 1, out PteVa, out PteMa) && (Tables.Read(PteVa) & PageFlags.FrameMask) == MfnA << 12;
            suite.Result("window_l1_entry_found", Ready).Text(" va ").Hex(A).Text(" mfn ").Hex(MfnA).Text(", L1 entry at ")
                .Hex(PteMa).Text(" = ").Hex(Tables.Read(PteVa)).End();

            ulong* frames = stackalloc ulong[4];
            XenMachphysMfnList list = default;
            list.MaxExtents = 4;
            list.ExtentStart = (ulong)frames;
            long rc = Hypercalls.Raw(HypercallNumber.MemoryOp, MemoryOp.MachphysMfnList, (ulong)&list, 0);
            ForeignMfn = rc == 0 && list.NrExtents > 0 ? frames[0] : 0;
            suite.Result("foreign_frame_found", ForeignMfn != 0 && Tables.VaOfMfn(ForeignMfn) == 0)
                .Text(" machphys_mfn_list returned ").Result(rc).Text(", first M2P frame ").Hex(ForeignMfn).End();
        }

        public static void Refill()
        {
            Tables.Fill(A, PatternA);
            Tables.Fill(B, PatternB);
            Tables.Fill(C, PatternC);
        }

        /// <summary>The window maps A again (update_va_mapping, else mmu_update and a flush); true when it does.</summary>
        public static bool RestoreWindow()
        {
            ulong entry = (MfnA << 12) | Tables.DataRw;
            if (Tables.UpdateVa(A, entry, UpdateVaMappingFlags.Invlpg) != 0)
            {
                Tables.Update(PteMa, entry);
                Tables.Ext(MmuextCommand.TlbFlushLocal, 0);
            }
            return Tables.Holds(A, PatternA);
        }

        /// <summary>What frame the window shows now: 'A', 'B', 'C', '-' (nothing mapped) or '?' (another frame).</summary>
        public static char Shows()
        {
            if (!Probe.TryRead(A, out ulong v))
                return '-';
            return v == PatternA ? 'A' : v == PatternB ? 'B' : v == PatternC ? 'C' : '?';
        }
    }
}
