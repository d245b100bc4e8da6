using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the guest's own stores do to memory it may only read:
    /// <list type="bullet">
    /// <item>the M2P table at 0xffff800000000000: readable (an own frame's entry is its pfn), not writable
    /// (#PF, error code 0x03: protection, write);</item>
    /// <item>page-table pages, mapped read-only: a store to an L1 page is emulated by Xen as a checked
    /// update (the same value, a new valid entry that then maps its frame), an invalid new entry is not
    /// written and faults (#PF); stores to L2, L3 and L4 pages fault (#PF).</item>
    /// </list>
    /// </summary>
    internal static unsafe class DirectWriteTests
    {
        public static void Run(TestSuite suite)
        {
            M2p(suite);
            if (!TestPages.Ready)
            {
                suite.Skip("page_table_writes", "the window's L1 entry was not found");
                return;
            }
            L1Writes(suite);
            UpperWrites(suite);
        }

        private static void M2p(TestSuite suite)
        {
            ulong pfn = Tables.PfnOf(TestPages.A);
            suite.EqualHex("m2p_entry_of_own_frame", pfn, Tables.M2p(TestPages.MfnA));
            suite.Check("m2p_start_readable", Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart, out _),
                "0xffff800000000000 is not readable");

            ulong address = AddressSpaceLayout.MachToPhysVirtStart + TestPages.MfnA * 8;
            int vector = Probe.WriteFaultVector(address, pfn);
            ulong error = TrapTable.LastErrorCode;
            ulong fault = TrapTable.LastFaultAddress;
            suite.Result("m2p_write_faults", vector == TrapNames.PageFault && error == 3 && fault == address)
                .Text(" a write: ").Text(Tables.Vector(vector)).Text(", error code ").Hex(error, 2).Text(" at ").Hex(fault)
                .Text(" (expected #PF, 0x03)").End();
            suite.EqualHex("m2p_unchanged", pfn, Tables.M2p(TestPages.MfnA));
        }

        private static void L1Writes(TestSuite suite)
        {
            ulong pteVa = TestPages.PteVa;
            ulong entry = Tables.Read(pteVa);
            int vector = Probe.WriteFaultVector(pteVa, entry);
            suite.Result("l1_store_same_value_emulated", vector < 0 && Tables.Read(pteVa) == entry).Text(" a store: ").Text(Tables.Vector(vector)).End();

            vector = Probe.WriteFaultVector(pteVa, (TestPages.MfnB << 12) | Tables.DataRw);
            Tables.Ext(MmuextCommand.InvlpgLocal, TestPages.A);
            suite.Result("l1_store_new_entry_emulated", vector < 0 && TestPages.Shows() == 'B').Text(" a store: ").Text(Tables.Vector(vector))
                .Text(", the window shows ").Char(TestPages.Shows()).End();

            ulong before = Tables.Read(pteVa);
            vector = Probe.WriteFaultVector(pteVa, (Tables.L4Mfn << 12) | Tables.DataRw);
            suite.Result("l1_store_invalid_entry_faults", vector == TrapNames.PageFault && Tables.Read(pteVa) == before)
                .Text(" a store of the L4 frame, writable: ").Text(Tables.Vector(vector)).Text(", entry ")
                .Text(Tables.Read(pteVa) == before ? "unchanged" : "changed").End();

            vector = Probe.WriteFaultVector(pteVa, (TestPages.MfnA << 12) | Tables.DataRw);
            Tables.Ext(MmuextCommand.InvlpgLocal, TestPages.A);
            suite.Result("l1_store_restores_window", vector < 0 && TestPages.Shows() == 'A').Text(" a store: ").Text(Tables.Vector(vector))
                .Text(", the window shows ").Char(TestPages.Shows()).End();
            TestPages.RestoreWindow();
        }

        private static void UpperWrites(TestSuite suite)
        {
            string[] names = { "", "", "l2_store_faults", "l3_store_faults", "l4_store_faults" };
            for (int level = 2; level <= 4; level++)
            {
                if (!Tables.Walk(TestPages.A, level, out ulong entryVa, out _))
                {
                    suite.Skip(names[level], "the walk failed");
                    continue;
                }
                ulong entry = Tables.Read(entryVa);
                int vector = Probe.WriteFaultVector(entryVa, entry);
                ulong error = TrapTable.LastErrorCode;
                suite.Result(names[level], vector == TrapNames.PageFault && error == 3).Text(" rewriting its own value: ")
                    .Text(Tables.Vector(vector)).Text(", error code ").Hex(error, 2).End();
            }
        }
    }
}
