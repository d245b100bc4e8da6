using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// mmu_update(reqs, count, done, DOMID_SELF): which requests Xen accepts and which it refuses, with
    /// the exact errno, and the done count it writes back.
    /// <list type="bullet">
    /// <item>L1 (the window's entry): map an own frame RW or RO (0); a page-table frame RW (-EBUSY: it cannot
    /// take the writable type) but RO (0); a frame of the hypervisor (-EBUSY); a frame beyond the machine's
    /// physical address width (-EPERM: for the hardware domain such a frame is MMIO it has no right to).
    /// A dom0 L1 entry has no refused flag bit: the cache attributes are allowed to a domain with I/O
    /// rights, so the reserved-bit cases are made in the upper levels. NX is accepted;
    /// MMU_PT_UPDATE_PRESERVE_AD keeps the entry's accessed and dirty bits, a normal update replaces them.</item>
    /// <item>L4 slots 256-271 (the hypervisor's) refuse any value (-EINVAL); slot 272 is the guest's.</item>
    /// <item>An L2 entry must point at an L1: a writable data frame is refused (-EINVAL); PSE (2 MiB) in an L2
    /// and PS (1 GiB) in an L3 are refused (-EINVAL), as are the G and PCD bits in an L2 (-EINVAL).</item>
    /// <item>A request whose ptr is in a writable data page of ours is a plain write (0); in a frame not
    /// ours, -EINVAL.</item>
    /// <item>The done count is the number of requests performed before the first failure; an unknown
    /// foreign domain is -ESRCH, an unreadable request list -EFAULT.</item>
    /// <item>MMU_MACHPHYS_UPDATE sets the M2P entry of an own frame (0, visible in the read-only M2P) and
    /// refuses a frame of someone else (-EINVAL).</item>
    /// </list>
    /// </summary>
    internal static unsafe class MmuUpdateTests
    {
        public static void Run(TestSuite suite)
        {
            if (!TestPages.Ready)
            {
                suite.Skip("mmu_update", "the window's L1 entry was not found");
                return;
            }
            L1Requests(suite);
            L4Slots(suite);
            UpperLevels(suite);
            Pointers(suite);
            DoneCounts(suite);
            MachphysUpdate(suite);
        }

        private static void Flush() => Tables.Ext(MmuextCommand.InvlpgLocal, TestPages.A);

        private static void L1Requests(TestSuite suite)
        {
            ulong pte = TestPages.PteMa;
            long rc = Tables.Update(pte, (TestPages.MfnB << 12) | Tables.DataRw, out uint done);
            Flush();
            suite.Result("map_own_frame_rw", rc == 0 && done == 1 && TestPages.Shows() == 'B')
                .Text(" returned ").Result(rc).Text(", done ").Dec(done).Text(", the window shows ").Char(TestPages.Shows()).End();

            rc = Tables.Update(pte, (TestPages.MfnB << 12) | Tables.DataRo);
            Flush();
            int vector = Probe.WriteFaultVector(TestPages.A, TestPages.PatternB);
            suite.Result("map_own_frame_ro", rc == 0 && TestPages.Shows() == 'B' && vector == TrapNames.PageFault)
                .Text(" returned ").Result(rc).Text(", the window shows ").Char(TestPages.Shows())
                .Text(", a write: ").Text(Tables.Vector(vector)).End();
            TestPages.RestoreWindow();

            ulong before = Tables.Read(TestPages.PteVa);
            rc = Tables.Update(pte, (Tables.L4Mfn << 12) | Tables.DataRw);
            suite.Result("map_page_table_frame_rw_refused", rc == -XenErrno.EBUSY && Tables.Read(TestPages.PteVa) == before)
                .Text(" returned ").Result(rc).Text(", expected -16 (EBUSY); entry ")
                .Text(Tables.Read(TestPages.PteVa) == before ? "unchanged" : "changed").End();
            TestPages.RestoreWindow();

            rc = Tables.Update(pte, (Tables.L4Mfn << 12) | Tables.DataRo);
            Flush();
            bool same = Probe.TryRead(TestPages.A, out ulong first) && first == Tables.Read(Tables.L4Va);
            suite.Result("map_page_table_frame_ro", rc == 0 && same).Text(" returned ").Result(rc)
                .Text(same ? ", the window shows the L4" : ", the window does not show the L4").End();
            TestPages.RestoreWindow();

            if (TestPages.ForeignMfn == 0)
            {
                suite.Skip("map_foreign_frame_rw_refused", "no foreign frame");
                suite.Skip("map_foreign_frame_ro_refused", "no foreign frame");
            }
            else
            {
                rc = Tables.Update(pte, (TestPages.ForeignMfn << 12) | Tables.DataRw);
                suite.Errno("map_foreign_frame_rw_refused", XenErrno.EBUSY, rc);
                TestPages.RestoreWindow();
                rc = Tables.Update(pte, (TestPages.ForeignMfn << 12) | Tables.DataRo);
                suite.Errno("map_foreign_frame_ro_refused", XenErrno.EBUSY, rc);
                TestPages.RestoreWindow();
            }

            // Bit 51: beyond any physical address width; for dom0 that is MMIO outside its I/O rights.
            rc = Tables.Update(pte, (1UL << 51) | Tables.DataRo);
            suite.Errno("map_frame_beyond_physical_width_refused", XenErrno.EPERM, rc);
            TestPages.RestoreWindow();

            rc = Tables.Update(pte, (TestPages.MfnB << 12) | Tables.DataRw | PageFlags.NoExecute);
            Flush();
            suite.Result("map_own_frame_nx", rc == 0 && TestPages.Shows() == 'B').Text(" returned ").Result(rc)
                .Text(", the window shows ").Char(TestPages.Shows()).End();
            TestPages.RestoreWindow();

            // MMU_PT_UPDATE_PRESERVE_AD keeps the accessed and dirty bits the entry has; a normal update does not.
            ulong plain = (TestPages.MfnA << 12) | Tables.Present | Tables.Writable;
            rc = Tables.Update(pte | MmuUpdateCommand.PtUpdatePreserveAd, plain);
            ulong kept = Tables.Read(TestPages.PteVa) & (Tables.Accessed | Tables.Dirty);
            suite.Result("preserve_ad_keeps_accessed_dirty", rc == 0 && kept == (Tables.Accessed | Tables.Dirty)).Text(" returned ").Result(rc)
                .Text(", A/D bits ").Hex(kept, 2).Text(" (expected 0x60)").End();
            rc = Tables.Update(pte, plain);
            ulong cleared = Tables.Read(TestPages.PteVa) & (Tables.Accessed | Tables.Dirty);
            suite.Result("normal_update_replaces_accessed_dirty", rc == 0 && cleared == 0).Text(" returned ").Result(rc)
                .Text(", A/D bits ").Hex(cleared, 2).Text(" (expected 0x00)").End();
            TestPages.RestoreWindow();

            // A not-present entry is not checked against anything.
            rc = Tables.Update(pte, 0);
            Flush();
            suite.Result("clear_entry", rc == 0 && TestPages.Shows() == '-').Text(" returned ").Result(rc)
                .Text(", the window is ").Char(TestPages.Shows()).End();
            bool restored = TestPages.RestoreWindow();
            suite.Check("window_restored", restored, "the window does not map A again");
        }

        private static void L4Slots(TestSuite suite)
        {
            ulong l4 = Tables.L4Mfn << 12;
            ulong kernelL4e = Tables.Read(Tables.L4Va + 511 * 8);
            ulong xen256 = Tables.Read(Tables.L4Va + 256 * 8);
            long rc = Tables.Update(l4 + 256 * 8, kernelL4e, out uint done);
            suite.Result("l4_slot_256_refused", rc == -XenErrno.EINVAL && done == 0 && Tables.Read(Tables.L4Va + 256 * 8) == xen256)
                .Text(" returned ").Result(rc).Text(", done ").Dec(done).Text(" (expected -22 (EINVAL), done 0)").End();
            rc = Tables.Update(l4 + 256 * 8, 0);
            suite.Errno("l4_slot_256_clear_refused", XenErrno.EINVAL, rc);
            rc = Tables.Update(l4 + 271 * 8, kernelL4e);
            suite.Errno("l4_slot_271_refused", XenErrno.EINVAL, rc);
            rc = Tables.Update(l4 + 264 * 8, 0);
            suite.Errno("l4_slot_264_clear_refused", XenErrno.EINVAL, rc);

            if (Tables.Read(Tables.L4Va + 272 * 8) != 0)
            {
                suite.Skip("l4_slot_272_is_guest", "slot 272 is in use");
                return;
            }
            rc = Tables.Update(l4 + 272 * 8, 0);
            suite.Returns("l4_slot_272_is_guest", 0, rc);
        }

        /// <summary>A non-present slot of the table holding <paramref name="va"/>'s entry at
        /// <paramref name="level"/>, searched down from slot <paramref name="top"/>; its machine address, or 0.</summary>
        private static ulong FreeSlot(ulong va, int level, int top, out int slot)
        {
            slot = -1;
            if (!Tables.Walk(va, level, out ulong entryVa, out ulong entryMa))
                return 0;
            ulong tableVa = entryVa & ~(Tables.Page - 1);
            ulong tableMa = entryMa & ~(Tables.Page - 1);
            for (int i = top; i >= 0; i--)
            {
                if (Probe.TryRead(tableVa + (ulong)i * 8, out ulong e) && e == 0)
                {
                    slot = i;
                    return tableMa + (ulong)i * 8;
                }
            }
            return 0;
        }

        private static void UpperLevels(TestSuite suite)
        {
            ulong l2Slot = FreeSlot(TestPages.A, 2, 511, out int l2Index);
            ulong l1Mfn = Tables.TableMfn(TestPages.A, 1);
            if (l2Slot == 0 || l1Mfn == 0)
            {
                suite.Skip("l2_entry_to_data_frame_refused", "no free L2 slot");
            }
            else
            {
                long rc = Tables.Update(l2Slot, (TestPages.MfnB << 12) | Tables.Present | Tables.Writable | Tables.Accessed);
                suite.Result("l2_entry_to_data_frame_refused", rc == -XenErrno.EINVAL).Text(" returned ").Result(rc)
                    .Text(" (expected -22 (EINVAL)) in L2 slot ").Dec((ulong)l2Index).End();
                Tables.Update(l2Slot, 0);

                ulong superpage = ((TestPages.MfnB << 12) & ~0x1FFFFFUL) | Tables.Present | Tables.Writable | Tables.Accessed | Tables.Pse;
                rc = Tables.Update(l2Slot, superpage);
                suite.Errno("l2_superpage_refused", XenErrno.EINVAL, rc);
                Tables.Update(l2Slot, 0);

                rc = Tables.Update(l2Slot, (l1Mfn << 12) | Tables.Present | Tables.Writable | Tables.Accessed | Tables.Global);
                suite.Errno("l2_reserved_bit_global_refused", XenErrno.EINVAL, rc);
                Tables.Update(l2Slot, 0);

                rc = Tables.Update(l2Slot, (l1Mfn << 12) | Tables.Present | Tables.Writable | Tables.Accessed | Tables.Pcd);
                suite.Errno("l2_reserved_bit_pcd_refused", XenErrno.EINVAL, rc);
                Tables.Update(l2Slot, 0);

                // The same L1 a second time, correctly: accepted, and the table shows it; then removed.
                rc = Tables.Update(l2Slot, (l1Mfn << 12) | Tables.Present | Tables.Writable | Tables.Accessed);
                ulong l2Va = (TestPages.A & ~((1UL << 30) - 1)) + (ulong)l2Index * (2UL << 20);
                ulong alias = l2Va + (TestPages.A & 0x1FF000UL);
                bool seen = Probe.TryRead(alias, out ulong v) && v == TestPages.PatternA;
                suite.Result("l2_entry_to_l1_accepted", rc == 0 && seen).Text(" returned ").Result(rc)
                    .Text(seen ? ", the second mapping shows A" : ", the second mapping does not show A").End();
                rc = Tables.Update(l2Slot, 0);
                Tables.Ext(MmuextCommand.TlbFlushLocal, 0);
                suite.Result("l2_entry_removed", rc == 0 && Probe.ReadFaultVector(alias) == TrapNames.PageFault)
                    .Text(" returned ").Result(rc).End();
            }

            ulong l3Slot = FreeSlot(TestPages.A, 3, 511, out int l3Index);
            if (l3Slot == 0)
            {
                suite.Skip("l3_superpage_refused", "no free L3 slot");
            }
            else
            {
                ulong gigabyte = ((TestPages.MfnB << 12) & ~((1UL << 30) - 1)) | Tables.Present | Tables.Writable | Tables.Accessed | Tables.Pse;
                long rc = Tables.Update(l3Slot, gigabyte);
                suite.Result("l3_superpage_refused", rc == -XenErrno.EINVAL).Text(" returned ").Result(rc)
                    .Text(" (expected -22 (EINVAL)) in L3 slot ").Dec((ulong)l3Index).End();
                Tables.Update(l3Slot, 0);
            }

            ulong l4Slot = FreeSlot(TestPages.A, 4, 255, out int l4Index);
            ulong l3Mfn = Tables.TableMfn(TestPages.A, 3);
            if (l4Slot == 0 || l3Mfn == 0 || l4Index >= 256)
            {
                suite.Skip("l4_reserved_bit_pcd_refused", "no free L4 slot in the lower half");
            }
            else
            {
                long rc = Tables.Update(l4Slot, (l3Mfn << 12) | Tables.Present | Tables.Writable | Tables.Accessed | Tables.Pcd);
                suite.Errno("l4_reserved_bit_pcd_refused", XenErrno.EINVAL, rc);
                Tables.Update(l4Slot, 0);
            }
        }

        private static void Pointers(TestSuite suite)
        {
            // ptr in a writable data page: a plain write of the value.
            long rc = Tables.Update((TestPages.MfnB << 12) + 8, 0x1234);
            bool written = Tables.Read(TestPages.B + 8) == 0x1234;
            suite.Result("ptr_in_data_page_writes", rc == 0 && written).Text(" returned ").Result(rc)
                .Text(written ? ", the word changed" : ", the word did not change").End();
            Probe.TryWrite(TestPages.B + 8, TestPages.PatternB);

            if (TestPages.ForeignMfn == 0)
            {
                suite.Skip("ptr_in_foreign_frame_refused", "no foreign frame");
            }
            else
            {
                rc = Tables.Update(TestPages.ForeignMfn << 12, 0);
                suite.Errno("ptr_in_foreign_frame_refused", XenErrno.EINVAL, rc);
            }

            MmuUpdate req = default;
            req.Ptr = TestPages.PteMa;
            req.Val = (TestPages.MfnA << 12) | Tables.DataRw;
            rc = Hypercalls.Raw(HypercallNumber.MmuUpdate, (ulong)&req, 1, 0, 0x1234, 0);
            suite.Errno("update_unknown_foreign_domain_refused", XenErrno.ESRCH, rc);

            uint done;
            rc = Tables.UpdateBatch((MmuUpdate*)0x1000, 1, out done);
            suite.Result("unreadable_requests", rc == -XenErrno.EFAULT && done == 0).Text(" returned ").Result(rc)
                .Text(", done ").Dec(done).Text(" (expected -14 (EFAULT), done 0)").End();
        }

        private static void DoneCounts(TestSuite suite)
        {
            MmuUpdate* reqs = stackalloc MmuUpdate[3];
            reqs[0].Ptr = TestPages.PteMa;
            reqs[0].Val = (TestPages.MfnB << 12) | Tables.DataRw;
            reqs[1].Ptr = (Tables.L4Mfn << 12) + 256 * 8;
            reqs[1].Val = 0;
            reqs[2].Ptr = TestPages.PteMa;
            reqs[2].Val = (TestPages.MfnC << 12) | Tables.DataRw;
            long rc = Tables.UpdateBatch(reqs, 3, out uint done);
            Flush();
            suite.Result("update_done_count_stops_at_failure", rc == -XenErrno.EINVAL && done == 1 && TestPages.Shows() == 'B')
                .Text(" returned ").Result(rc).Text(", done ").Dec(done).Text(", the window shows ").Char(TestPages.Shows())
                .Text(" (expected -22 (EINVAL), done 1, B)").End();

            reqs[1] = reqs[2];
            rc = Tables.UpdateBatch(reqs, 2, out done);
            Flush();
            suite.Result("update_done_count_all", rc == 0 && done == 2 && TestPages.Shows() == 'C')
                .Text(" returned ").Result(rc).Text(", done ").Dec(done).Text(", the window shows ").Char(TestPages.Shows()).End();

            rc = Tables.UpdateBatch(reqs, 0, out done);
            suite.Result("update_done_count_none", rc == 0 && done == 0).Text(" returned ").Result(rc).Text(", done ").Dec(done).End();
            TestPages.RestoreWindow();
        }

        private static void MachphysUpdate(TestSuite suite)
        {
            ulong pfnB = Tables.PfnOf(TestPages.B);
            ulong ptr = (TestPages.MfnB << 12) | MmuUpdateCommand.MachphysUpdate;
            long rc = Tables.Update(ptr, pfnB);
            suite.Result("machphys_update_own_frame", rc == 0 && Tables.M2p(TestPages.MfnB) == pfnB).Text(" returned ").Result(rc)
                .Text(", M2P[").Hex(TestPages.MfnB).Text("] = ").Hex(Tables.M2p(TestPages.MfnB)).End();

            rc = Tables.Update(ptr, 0x12345);
            ulong seen = Tables.M2p(TestPages.MfnB);
            long back = Tables.Update(ptr, pfnB);
            suite.Result("machphys_update_visible_in_m2p", rc == 0 && seen == 0x12345 && back == 0 && Tables.M2p(TestPages.MfnB) == pfnB)
                .Text(" returned ").Result(rc).Text(", M2P read ").Hex(seen).Text(", restored: ").Result(back).End();

            if (TestPages.ForeignMfn == 0)
            {
                suite.Skip("machphys_update_foreign_frame_refused", "no foreign frame");
                return;
            }
            ulong before = Tables.M2p(TestPages.ForeignMfn);
            rc = Tables.Update((TestPages.ForeignMfn << 12) | MmuUpdateCommand.MachphysUpdate, 0);
            suite.Result("machphys_update_foreign_frame_refused", rc == -XenErrno.EINVAL && Tables.M2p(TestPages.ForeignMfn) == before)
                .Text(" returned ").Result(rc).Text(" (expected -22 (EINVAL)), M2P entry ")
                .Text(Tables.M2p(TestPages.ForeignMfn) == before ? "unchanged" : "changed").End();
        }
    }
}
