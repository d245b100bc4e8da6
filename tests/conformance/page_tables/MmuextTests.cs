using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// mmuext_op(ops, count, done, DOMID_SELF):
    /// <list type="bullet">
    /// <item>pin and unpin at every level: a zeroed page mapped read-only pins as an L1, L2, L3 or L4 (0);
    /// pinning it again (-EINVAL), as another level (-EINVAL), unpinning twice (-EINVAL); a page mapped
    /// writable, a frame not ours, and the current L4 (pinned by the domain builder) cannot be pinned
    /// (-EINVAL);</item>
    /// <item>a pin validates the table's entries: an L1 mapping a page table writable or a hypervisor frame
    /// (-EBUSY), an L2 entry to a data frame or a superpage, an L3 superpage (-EINVAL);</item>
    /// <item>NEW_BASEPTR to a pinned copy of the current L4 and back: a lower-half slot added to the copy
    /// maps the kernel's L3 there, which is visible only while the copy is the base; a data page is no
    /// base (-EINVAL);</item>
    /// <item>TLB_FLUSH_LOCAL and INVLPG_LOCAL make a remapped page read the new frame's contents;</item>
    /// <item>CLEAR_PAGE and COPY_PAGE on own data frames (0), not on page tables or foreign frames (-EINVAL);</item>
    /// <item>MARK_SUPER (-EOPNOTSUPP), an unknown command (-ENOSYS), SET_LDT at a misaligned address
    /// (-EINVAL), and the done count up to the first failure.</item>
    /// </list>
    /// </summary>
    internal static unsafe class MmuextTests
    {
        public static void Run(TestSuite suite)
        {
            if (!TestPages.Ready)
            {
                suite.Skip("mmuext_op", "the window's L1 entry was not found");
                return;
            }
            PinLevels(suite);
            PinValidation(suite);
            PinRefusals(suite);
            NewBaseptr(suite);
            Flushes(suite);
            ClearAndCopy(suite);
            Others(suite);
        }

        private static void PinLevels(TestSuite suite)
        {
            ulong pages = (ulong)GuestMemory.AllocatePages(4);
            bool readOnly = true;
            for (ulong i = 0; i < 4; i++)
                readOnly &= Tables.MakeReadOnly(pages + i * Tables.Page) == 0;
            if (!readOnly)
            {
                suite.Fail("pin_pages_made_read_only").Text("update_va_mapping could not map the pages read-only").End();
                return;
            }

            ulong l1 = Tables.MfnOf(pages);
            suite.Returns("pin_l1", 0, Tables.Ext(MmuextCommand.PinL1Table, l1));
            suite.Errno("pin_l1_already_pinned", XenErrno.EINVAL, Tables.Ext(MmuextCommand.PinL1Table, l1));
            suite.Errno("pin_l2_of_an_l1", XenErrno.EINVAL, Tables.Ext(MmuextCommand.PinL2Table, l1));
            suite.Returns("unpin_l1", 0, Tables.Ext(MmuextCommand.UnpinTable, l1));
            suite.Errno("unpin_not_pinned", XenErrno.EINVAL, Tables.Ext(MmuextCommand.UnpinTable, l1));

            uint* pin = stackalloc uint[3];
            pin[0] = MmuextCommand.PinL2Table;
            pin[1] = MmuextCommand.PinL3Table;
            pin[2] = MmuextCommand.PinL4Table;
            string[] names = { "pin_l2", "pin_l3", "pin_l4" };
            string[] unpinNames = { "unpin_l2", "unpin_l3", "unpin_l4" };
            for (int i = 0; i < 3; i++)
            {
                ulong mfn = Tables.MfnOf(pages + (ulong)(i + 1) * Tables.Page);
                suite.Returns(names[i], 0, Tables.Ext(pin[i], mfn));
                suite.Returns(unpinNames[i], 0, Tables.Ext(MmuextCommand.UnpinTable, mfn));
            }

            bool writable = true;
            for (ulong i = 0; i < 4; i++)
                writable &= Tables.MakeWritable(pages + i * Tables.Page) == 0;
            suite.Check("unpinned_pages_writable_again", writable, "update_va_mapping could not map an unpinned page writable");
        }

        /// <summary>Pinning validates every entry of the new table: one bad entry refuses the pin with the
        /// errno its mmu_update would get.</summary>
        private static void PinValidation(TestSuite suite)
        {
            ulong page = (ulong)GuestMemory.AllocatePages(1);
            ulong mfn = Tables.MfnOf(page);
            PinWithEntry(suite, "pin_l1_mapping_own_frame_ro", page, mfn, MmuextCommand.PinL1Table, (TestPages.MfnB << 12) | Tables.DataRo, 0);
            PinWithEntry(suite, "pin_l1_mapping_page_table_rw_refused", page, mfn, MmuextCommand.PinL1Table,
                (Tables.L4Mfn << 12) | Tables.DataRw, -XenErrno.EBUSY);
            if (TestPages.ForeignMfn != 0)
                PinWithEntry(suite, "pin_l1_mapping_foreign_frame_refused", page, mfn, MmuextCommand.PinL1Table,
                    (TestPages.ForeignMfn << 12) | Tables.DataRo, -XenErrno.EBUSY);
            else
                suite.Skip("pin_l1_mapping_foreign_frame_refused", "no foreign frame");
            PinWithEntry(suite, "pin_l2_with_data_frame_entry_refused", page, mfn, MmuextCommand.PinL2Table,
                (TestPages.MfnB << 12) | Tables.Present | Tables.Writable | Tables.Accessed, -XenErrno.EINVAL);
            PinWithEntry(suite, "pin_l2_with_superpage_refused", page, mfn, MmuextCommand.PinL2Table,
                ((TestPages.MfnB << 12) & ~0x1FFFFFUL) | Tables.Present | Tables.Writable | Tables.Accessed | Tables.Pse, -XenErrno.EINVAL);
            PinWithEntry(suite, "pin_l3_with_superpage_refused", page, mfn, MmuextCommand.PinL3Table,
                ((TestPages.MfnB << 12) & ~((1UL << 30) - 1)) | Tables.Present | Tables.Writable | Tables.Accessed | Tables.Pse, -XenErrno.EINVAL);
        }

        /// <summary>Writes one entry (slot 5) into the zeroed page, maps it read-only, pins it, and expects
        /// <paramref name="expected"/>; then unpins it if it was pinned and makes it a zeroed data page again.</summary>
        private static void PinWithEntry(TestSuite suite, string test, ulong page, ulong mfn, uint pin, ulong entry, long expected)
        {
            Tables.Fill(page, 0);
            ((ulong*)page)[5] = entry;
            long ro = Tables.MakeReadOnly(page);
            long rc = ro == 0 ? Tables.Ext(pin, mfn) : ro;
            long unpin = rc == 0 ? Tables.Ext(MmuextCommand.UnpinTable, mfn) : 0;
            long rw = Tables.MakeWritable(page);
            ConsoleLine line = suite.Result(test, rc == expected && unpin == 0 && rw == 0).Text(" returned ").Result(rc);
            if (rc != expected)
                line.Text(", expected ").Result(expected);
            if (ro != 0 || unpin != 0 || rw != 0)
                line.Text("; read-only ").Result(ro).Text(", unpin ").Result(unpin).Text(", writable again ").Result(rw);
            line.End();
            if (rw == 0)
                Tables.Fill(page, 0);
        }

        private static void PinRefusals(TestSuite suite)
        {
            suite.Errno("pin_writable_page_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.PinL1Table, TestPages.MfnB));
            if (TestPages.ForeignMfn == 0)
                suite.Skip("pin_foreign_frame_refused", "no foreign frame");
            else
                suite.Errno("pin_foreign_frame_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.PinL1Table, TestPages.ForeignMfn));
            suite.Errno("pin_current_l4_again_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.PinL4Table, Tables.L4Mfn));
            suite.Errno("pin_frame_beyond_ram_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.PinL1Table, 1UL << 36));
            MmuextOp op = default;
            op.Cmd = MmuextCommand.TlbFlushLocal;
            suite.Errno("ext_unknown_foreign_domain_refused", XenErrno.ESRCH,
                Hypercalls.Raw(HypercallNumber.MmuextOp, (ulong)&op, 1, 0, 0x1234, 0));
            suite.Errno("unpin_data_page_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.UnpinTable, TestPages.MfnB));
        }

        /// <summary>The kernel seen through L4 slot 1 (0x8000000000 + the kernel's offset inside its 512 GiB).</summary>
        private const ulong AliasSlot = 1;

        private static ulong Alias(ulong kernelVa) => (AliasSlot << 39) | (kernelVa & ((1UL << 39) - 1));

        private static void NewBaseptr(TestSuite suite)
        {
            ulong copy = (ulong)GuestMemory.AllocatePages(1);
            Tables.Copy(copy, Tables.L4Va);
            ((ulong*)copy)[AliasSlot] = 0;
            ulong mfn = Tables.MfnOf(copy);
            ulong kernelL4e = Tables.Read(Tables.L4Va + 511 * 8);
            ulong alias = Alias(TestPages.A);
            if (Tables.Read(Tables.L4Va + AliasSlot * 8) != 0 || Tables.MakeReadOnly(copy) != 0)
            {
                suite.Skip("new_baseptr", "L4 slot 1 is in use, or the copy could not be mapped read-only");
                return;
            }

            long rc = Tables.Ext(MmuextCommand.PinL4Table, mfn);
            suite.Returns("pin_l4_copy_of_current", 0, rc);
            if (rc != 0)
            {
                Tables.MakeWritable(copy);
                return;
            }
            rc = Tables.Update((mfn << 12) + AliasSlot * 8, kernelL4e);
            suite.Returns("update_pinned_l4_copy", 0, rc);
            int before = Probe.ReadFaultVector(alias);

            rc = Tables.Ext(MmuextCommand.NewBaseptr, mfn);
            bool seen = Probe.TryRead(alias, out ulong v) && v == TestPages.PatternA;
            suite.Result("new_baseptr_to_copy", rc == 0 && before == TrapNames.PageFault && seen).Text(" returned ").Result(rc)
                .Text(", the alias before: ").Text(Tables.Vector(before)).Text(", after: ").Text(seen ? "shows A" : "does not show A").End();

            rc = Tables.Ext(MmuextCommand.NewBaseptr, Tables.L4Mfn);
            int after = Probe.ReadFaultVector(alias);
            suite.Result("new_baseptr_back", rc == 0 && after == TrapNames.PageFault).Text(" returned ").Result(rc)
                .Text(", the alias: ").Text(Tables.Vector(after)).End();

            long clear = Tables.Update((mfn << 12) + AliasSlot * 8, 0);
            long unpin = Tables.Ext(MmuextCommand.UnpinTable, mfn);
            long writable = Tables.MakeWritable(copy);
            suite.Result("l4_copy_released", clear == 0 && unpin == 0 && writable == 0).Text(" clear ").Result(clear)
                .Text(", unpin ").Result(unpin).Text(", writable again ").Result(writable).End();

            suite.Errno("new_baseptr_data_page_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.NewBaseptr, TestPages.MfnB));
        }

        private static void Flushes(TestSuite suite)
        {
            // Read the window first so that its translation is cached, then change the entry behind it.
            Probe.TryRead(TestPages.A, out _);
            long rc = Tables.Update(TestPages.PteMa, (TestPages.MfnB << 12) | Tables.DataRw);
            long flush = Tables.Ext(MmuextCommand.InvlpgLocal, TestPages.A);
            suite.Result("invlpg_local_shows_new_frame", rc == 0 && flush == 0 && TestPages.Shows() == 'B')
                .Text(" update ").Result(rc).Text(", invlpg ").Result(flush).Text(", the window shows ").Char(TestPages.Shows()).End();

            Probe.TryRead(TestPages.A, out _);
            rc = Tables.Update(TestPages.PteMa, (TestPages.MfnC << 12) | Tables.DataRw);
            flush = Tables.Ext(MmuextCommand.TlbFlushLocal, 0);
            suite.Result("tlb_flush_local_shows_new_frame", rc == 0 && flush == 0 && TestPages.Shows() == 'C')
                .Text(" update ").Result(rc).Text(", flush ").Result(flush).Text(", the window shows ").Char(TestPages.Shows()).End();
            suite.Returns("tlb_flush_all", 0, Tables.Ext(MmuextCommand.TlbFlushAll, 0));
            suite.Returns("invlpg_all", 0, Tables.Ext(MmuextCommand.InvlpgAll, TestPages.A));
            TestPages.RestoreWindow();
        }

        private static void ClearAndCopy(TestSuite suite)
        {
            long rc = Tables.Ext(MmuextCommand.ClearPage, TestPages.MfnB);
            suite.Result("clear_page", rc == 0 && Tables.Holds(TestPages.B, 0)).Text(" returned ").Result(rc)
                .Text(Tables.Holds(TestPages.B, 0) ? ", the page reads zeros" : ", the page does not read zeros").End();

            rc = Tables.Ext(MmuextCommand.CopyPage, TestPages.MfnB, TestPages.MfnC, out _);
            suite.Result("copy_page", rc == 0 && Tables.Holds(TestPages.B, TestPages.PatternC)).Text(" returned ").Result(rc)
                .Text(Tables.Holds(TestPages.B, TestPages.PatternC) ? ", the copy reads C" : ", the copy does not read C").End();
            TestPages.Refill();

            ulong l4Word = Tables.Read(Tables.L4Va + 511 * 8);
            rc = Tables.Ext(MmuextCommand.ClearPage, Tables.L4Mfn);
            suite.Result("clear_page_table_refused", rc == -XenErrno.EINVAL && Tables.Read(Tables.L4Va + 511 * 8) == l4Word)
                .Text(" returned ").Result(rc).Text(" (expected -22 (EINVAL))").End();
            suite.Errno("copy_to_page_table_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.CopyPage, Tables.L4Mfn, TestPages.MfnC, out _));
            if (TestPages.ForeignMfn == 0)
            {
                suite.Skip("clear_foreign_frame_refused", "no foreign frame");
                suite.Skip("copy_from_foreign_frame_refused", "no foreign frame");
            }
            else
            {
                suite.Errno("clear_foreign_frame_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.ClearPage, TestPages.ForeignMfn));
                suite.Errno("copy_from_foreign_frame_refused", XenErrno.EINVAL,
                    Tables.Ext(MmuextCommand.CopyPage, TestPages.MfnB, TestPages.ForeignMfn, out _));
                TestPages.Refill();
            }
        }

        private static void Others(TestSuite suite)
        {
            suite.Errno("mark_super_not_supported", XenErrno.EOPNOTSUPP, Tables.Ext(MmuextCommand.MarkSuper, TestPages.MfnB));
            suite.Errno("unknown_command", XenErrno.ENOSYS, Tables.Ext(99, 0));
            suite.Errno("set_ldt_misaligned_refused", XenErrno.EINVAL, Tables.Ext(MmuextCommand.SetLdt, 0x1001, 1, out _));

            MmuextOp* ops = stackalloc MmuextOp[3];
            for (int i = 0; i < 3; i++)
                ops[i] = default;
            ops[0].Cmd = MmuextCommand.TlbFlushLocal;
            ops[1].Cmd = MmuextCommand.UnpinTable;
            ops[1].Mfn = TestPages.MfnB;
            ops[2].Cmd = MmuextCommand.TlbFlushLocal;
            long rc = Tables.ExtBatch(ops, 3, out uint done);
            suite.Result("ext_done_count_stops_at_failure", rc == -XenErrno.EINVAL && done == 1).Text(" returned ").Result(rc)
                .Text(", done ").Dec(done).Text(" (expected -22 (EINVAL), done 1)").End();
            ops[1] = ops[2];
            rc = Tables.ExtBatch(ops, 2, out done);
            suite.Result("ext_done_count_all", rc == 0 && done == 2).Text(" returned ").Result(rc).Text(", done ").Dec(done).End();
        }
    }
}
