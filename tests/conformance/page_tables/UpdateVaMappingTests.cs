using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// update_va_mapping(va, pte, flags): map, remap and unmap the window with each flush type and scope
    /// (the page reads the new frame's contents; unmapped it faults at its address); refused: an address
    /// in the hypervisor's range or non-canonical, an address with no L1 table (-EINVAL), a page-table
    /// frame mapped writable and a frame of the hypervisor (-EBUSY).
    /// </summary>
    internal static unsafe class UpdateVaMappingTests
    {
        public static void Run(TestSuite suite)
        {
            if (!TestPages.Ready)
            {
                suite.Skip("update_va_mapping", "the window's L1 entry was not found");
                return;
            }
            Mappings(suite);
            Refusals(suite);
        }

        private static void Mappings(TestSuite suite)
        {
            ulong a = TestPages.A;
            Probe.TryRead(a, out _);
            long rc = Tables.UpdateVa(a, (TestPages.MfnB << 12) | Tables.DataRw, UpdateVaMappingFlags.Invlpg);
            suite.Result("map_invlpg", rc == 0 && TestPages.Shows() == 'B').Text(" returned ").Result(rc)
                .Text(", the window shows ").Char(TestPages.Shows()).End();

            rc = Tables.UpdateVa(a, (TestPages.MfnC << 12) | Tables.DataRw, UpdateVaMappingFlags.TlbFlush);
            suite.Result("remap_tlb_flush", rc == 0 && TestPages.Shows() == 'C').Text(" returned ").Result(rc)
                .Text(", the window shows ").Char(TestPages.Shows()).End();

            rc = Tables.UpdateVa(a, (TestPages.MfnC << 12) | Tables.DataRo, UpdateVaMappingFlags.Invlpg | UpdateVaMappingFlags.All);
            int vector = Probe.WriteFaultVector(a, 0);
            suite.Result("remap_read_only_invlpg_all", rc == 0 && TestPages.Shows() == 'C' && vector == TrapNames.PageFault)
                .Text(" returned ").Result(rc).Text(", a write: ").Text(Tables.Vector(vector)).End();

            rc = Tables.UpdateVa(a, (TestPages.MfnB << 12) | Tables.DataRw, UpdateVaMappingFlags.TlbFlush | UpdateVaMappingFlags.All);
            suite.Result("remap_tlb_flush_all", rc == 0 && TestPages.Shows() == 'B').Text(" returned ").Result(rc)
                .Text(", the window shows ").Char(TestPages.Shows()).End();

            // UVMF_MULTI: the flags carry the address of a vCPU bitmap (vCPU 0).
            ulong* mask = stackalloc ulong[1];
            mask[0] = 1;
            rc = Tables.UpdateVa(a, (TestPages.MfnC << 12) | Tables.DataRw, UpdateVaMappingFlags.Invlpg | (ulong)mask);
            suite.Result("remap_invlpg_vcpu_mask", rc == 0 && TestPages.Shows() == 'C').Text(" returned ").Result(rc)
                .Text(", the window shows ").Char(TestPages.Shows()).End();

            rc = Tables.UpdateVa(a, (TestPages.MfnB << 12) | Tables.DataRw, UpdateVaMappingFlags.None);
            long flush = Tables.Ext(MmuextCommand.InvlpgLocal, a);
            suite.Result("remap_no_flush_then_invlpg", rc == 0 && flush == 0 && TestPages.Shows() == 'B').Text(" returned ").Result(rc)
                .Text(", the window shows ").Char(TestPages.Shows()).End();

            rc = Tables.UpdateVa(a, 0, UpdateVaMappingFlags.Invlpg);
            vector = Probe.ReadFaultVector(a);
            ulong address = TrapTable.LastFaultAddress;
            suite.Result("unmap", rc == 0 && vector == TrapNames.PageFault && address == a).Text(" returned ").Result(rc)
                .Text(", a read: ").Text(Tables.Vector(vector)).Text(" at ").Hex(address).End();
            ulong entry = Tables.Read(TestPages.PteVa);
            suite.EqualHex("unmapped_entry_is_zero", 0, entry);

            rc = Tables.UpdateVa(a, (TestPages.MfnA << 12) | Tables.DataRw, UpdateVaMappingFlags.Invlpg);
            suite.Result("map_again", rc == 0 && TestPages.Shows() == 'A').Text(" returned ").Result(rc)
                .Text(", the window shows ").Char(TestPages.Shows()).End();
        }

        private static void Refusals(TestSuite suite)
        {
            ulong pte = (TestPages.MfnB << 12) | Tables.DataRo;
            suite.Errno("hypervisor_va_refused", XenErrno.EINVAL,
                Tables.UpdateVa(AddressSpaceLayout.HypervisorVirtStart + 0x1000, pte, UpdateVaMappingFlags.Invlpg));
            suite.Errno("hypervisor_va_end_refused", XenErrno.EINVAL,
                Tables.UpdateVa(AddressSpaceLayout.HypervisorVirtEnd - 0x1000, pte, UpdateVaMappingFlags.Invlpg));
            suite.Errno("non_canonical_va_refused", XenErrno.EINVAL,
                Tables.UpdateVa(0x0000800000000000UL, pte, UpdateVaMappingFlags.Invlpg));

            // An address under an empty L4 slot of the lower half has no L1 to update.
            ulong noL1 = 0;
            for (ulong slot = 255; slot >= 2 && noL1 == 0; slot--)
            {
                if (Tables.Read(Tables.L4Va + slot * 8) == 0)
                    noL1 = slot << 39;
            }
            if (noL1 == 0)
                suite.Skip("va_without_l1_refused", "no empty L4 slot in the lower half");
            else
                suite.Errno("va_without_l1_refused", XenErrno.EINVAL, Tables.UpdateVa(noL1, pte, UpdateVaMappingFlags.Invlpg));

            long rc = Tables.UpdateVa(TestPages.A, (Tables.L4Mfn << 12) | Tables.DataRw, UpdateVaMappingFlags.Invlpg);
            suite.Result("page_table_frame_rw_refused", rc == -XenErrno.EBUSY && TestPages.Shows() == 'A').Text(" returned ").Result(rc)
                .Text(" (expected -16 (EBUSY)), the window shows ").Char(TestPages.Shows()).End();
            TestPages.RestoreWindow();

            if (TestPages.ForeignMfn == 0)
            {
                suite.Skip("foreign_frame_refused", "no foreign frame");
                return;
            }
            rc = Tables.UpdateVa(TestPages.A, (TestPages.ForeignMfn << 12) | Tables.DataRo, UpdateVaMappingFlags.Invlpg);
            suite.Errno("foreign_frame_refused", XenErrno.EBUSY, rc);
            TestPages.RestoreWindow();
        }
    }
}
