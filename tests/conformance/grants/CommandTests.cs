using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The other commands a PV domain has: unmap_and_replace, swap_grant_ref, get_status_frames (version
    /// 1 has none), cache_flush (nothing to flush on x86, but Xen's checks), and dump_table, which Xen
    /// 4.17 no longer has.
    /// </summary>
    internal static unsafe class CommandTests
    {
        private const uint HostRo = GrantMapFlags.HostMap | GrantMapFlags.ReadOnly;

        public static void Run(TestSuite suite)
        {
            Refs.Publish();
            Replace(suite);
            Swap(suite);
            StatusFrames(suite);
            CacheFlush(suite);
            GnttabDumpTable dump = default;
            dump.Dom = DomainId.Self;
            suite.Errno("dump_table", XenErrno.ENOSYS, Hypercalls.GrantTableOp(GrantTableOp.DumpTable, &dump, 1));
            Pages.Refill();
        }

        private static long UnmapAndReplace(ulong hostAddress, ulong newAddress, uint handle, out short status)
        {
            GnttabUnmapAndReplace op = default;
            op.HostAddr = hostAddress;
            op.NewAddr = newAddress;
            op.Handle = handle;
            op.Status = short.MinValue;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.UnmapAndReplace, &op, 1);
            status = op.Status;
            return rc;
        }

        private static void RemapR() => Hypercalls.UpdateVaMapping(Pages.R, Mmu.Entry(Pages.MfnR, true), PageFlags.UvmfInvlpg);

        private static void Replace(TestSuite suite)
        {
            const uint Ref = Refs.Replace;
            GrantTables.Grant(Ref, Pages.Dom0, Pages.MfnP, false);
            Pages.FindL1Entry(Pages.R, out ulong rPteVa, out _);
            ulong rPte = *(ulong*)rPteVa;

            // R's mapping moves to the window, over the grant mapping; R's address is left unmapped.
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Ref, out GnttabMapGrantRef op);
            long rc = UnmapAndReplace(Pages.Window, Pages.R, op.Handle, out short status);
            Expect.Status(suite, "unmap_and_replace", GrantStatus.Okay, rc, status);
            suite.EqualHex("unmap_and_replace_moves_entry", rPte, Pages.Pte(Pages.Window));
            suite.Check("unmap_and_replace_window_shows_r", Pages.Holds(Pages.Window, Pages.PatternR), "the window does not show R");
            suite.Check("unmap_and_replace_clears_new_address", Probe.ReadFaultVector(Pages.R) == 14 && *(ulong*)rPteVa == 0, "R's address is still mapped");
            Expect.Flags(suite, "unmap_and_replace_flags", GrantFlags.PermitAccess, GrantTables.FlagsOf(Ref));
            rc = UnmapAndReplace(Pages.Window, Pages.R, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_handle_freed", GrantStatus.BadHandle, rc, status);
            RemapR();
            Pages.Clear(Pages.Window);

            // No new address: a plain unmap. An unmapped one: its empty entry moves.
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Ref, out op);
            rc = UnmapAndReplace(Pages.Window, 0, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_no_new_address", GrantStatus.Okay, rc, status);
            suite.Check("unmap_and_replace_no_new_address_clears", Pages.Pte(Pages.Window) == 0, "the window is still mapped");
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Ref, out op);
            rc = UnmapAndReplace(Pages.Window, Pages.Window2, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_from_unmapped", GrantStatus.Okay, rc, status);
            suite.Check("unmap_and_replace_from_unmapped_clears", Pages.Pte(Pages.Window) == 0, "the window is still mapped");

            // Refusals leave the grant mapped.
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Ref, out op);
            rc = UnmapAndReplace(Pages.Window, 0x1000, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_new_without_l1", GrantStatus.GeneralError, rc, status);
            rc = UnmapAndReplace(Pages.Window2, 0, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_wrong_address", GrantStatus.GeneralError, rc, status);
            Expect.Flags(suite, "unmap_and_replace_refused_keeps_pin", (ushort)(GrantFlags.PermitAccess | GrantFlags.Reading), GrantTables.FlagsOf(Ref));
            // The new address's entry is taken first: a wrong old address costs it.
            rc = UnmapAndReplace(Pages.Window2, Pages.R, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_wrong_address_with_new", GrantStatus.GeneralError, rc, status);
            suite.Check("unmap_and_replace_wrong_address_loses_new", *(ulong*)rPteVa == 0 && Pages.Holds(Pages.Window, Pages.PatternP),
                "R's address is still mapped or the grant mapping is gone");
            RemapR();
            rc = GrantTables.Unmap(Pages.Window, 0, op.Handle, out status);
            Expect.Status(suite, "unmap_after_refused_replace", GrantStatus.Okay, rc, status);

            // Through the entry's machine address: no new address possible.
            GrantTables.Map(Pages.WindowPteMa, HostRo | GrantMapFlags.ContainsPte, Pages.Dom0, Ref, out op);
            rc = UnmapAndReplace(Pages.WindowPteMa, Pages.Window2, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_contains_pte_new_address", GrantStatus.GeneralError, rc, status);
            rc = UnmapAndReplace(Pages.WindowPteMa, 0, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_contains_pte", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_and_replace_contains_pte_flags", GrantFlags.PermitAccess, GrantTables.FlagsOf(Ref));

            // A device mapping is not undone by it.
            GrantTables.Map(0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, Pages.Dom0, Ref, out op);
            rc = UnmapAndReplace(Pages.Window, 0, op.Handle, out status);
            Expect.Status(suite, "unmap_and_replace_device_mapping", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_and_replace_device_mapping_kept", (ushort)(GrantFlags.PermitAccess | GrantFlags.Reading), GrantTables.FlagsOf(Ref));
            rc = GrantTables.Unmap(0, op.DevBusAddr, op.Handle, out status);
            Expect.Status(suite, "unmap_device_after_replace", GrantStatus.Okay, rc, status);

            suite.Returns("unmap_and_replace_count_0", 0, Hypercalls.GrantTableOp(GrantTableOp.UnmapAndReplace, null, 0));
            rc = UnmapAndReplace(Pages.Window, 0, 0x7FFFFFF0, out status);
            Expect.Status(suite, "unmap_and_replace_bad_handle", GrantStatus.BadHandle, rc, status);
            suite.Errno("unmap_and_replace_unmapped", XenErrno.EFAULT, Hypercalls.GrantTableOp(GrantTableOp.UnmapAndReplace, (void*)0x1000, 1));
            Pages.Clear(Pages.Window);
            Pages.Clear(Pages.Window2);
        }

        private static long SwapRefs(uint a, uint b, out short status)
        {
            GnttabSwapGrantRef op = default;
            op.RefA = a;
            op.RefB = b;
            op.Status = short.MinValue;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.SwapGrantRef, &op, 1);
            status = op.Status;
            return rc;
        }

        private static void Swap(TestSuite suite)
        {
            GrantTables.Grant(Refs.SwapA, Pages.Dom0, Pages.MfnP, false);
            GrantTables.Grant(Refs.SwapB, 1, Pages.MfnQ, true);
            long rc = SwapRefs(Refs.SwapA, Refs.SwapB, out short status);
            Expect.Status(suite, "swap_grant_ref", GrantStatus.Okay, rc, status);
            GrantEntryV1 a = GrantTables.Entries[Refs.SwapA], b = GrantTables.Entries[Refs.SwapB];
            suite.Check("swap_grant_ref_entries", a.Flags == (GrantFlags.PermitAccess | GrantFlags.ReadOnly) && a.DomId == 1 && a.Frame == (uint)Pages.MfnQ
                && b.Flags == GrantFlags.PermitAccess && b.DomId == Pages.Dom0 && b.Frame == (uint)Pages.MfnP, "the entries were not swapped");

            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.SwapB, out GnttabMapGrantRef op);
            rc = SwapRefs(Refs.SwapA, Refs.SwapB, out status);
            Expect.Status(suite, "swap_grant_ref_second_in_use", GrantStatus.Eagain, rc, status);
            rc = SwapRefs(Refs.SwapB, Refs.SwapA, out status);
            Expect.Status(suite, "swap_grant_ref_first_in_use", GrantStatus.Eagain, rc, status);
            rc = SwapRefs(Refs.SwapB, Refs.SwapB, out status);
            Expect.Status(suite, "swap_grant_ref_same_in_use", GrantStatus.Okay, rc, status);
            GrantTables.Unmap(Pages.Window, 0, op.Handle, out _);
            rc = SwapRefs(Refs.SwapA, 100000, out status);
            Expect.Status(suite, "swap_grant_ref_bad_second", GrantStatus.BadGntref, rc, status);
            rc = SwapRefs(100000, 100000, out status);
            Expect.Status(suite, "swap_grant_ref_bad_same", GrantStatus.BadGntref, rc, status);
            suite.Errno("swap_grant_ref_unmapped", XenErrno.EFAULT, Hypercalls.GrantTableOp(GrantTableOp.SwapGrantRef, (void*)0x1000, 1));
            Pages.Clear(Pages.Window);
        }

        private static void StatusFrames(TestSuite suite)
        {
            ulong frame = 0;
            GnttabGetStatusFrames op = default;
            op.NrFrames = 1;
            op.Dom = DomainId.Self;
            op.Status = short.MinValue;
            op.FrameList = (ulong)&frame;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.GetStatusFrames, &op, 1);
            Expect.Status(suite, "get_status_frames_v1", GrantStatus.GeneralError, rc, op.Status);
            op.NrFrames = 0;
            op.FrameList = 0x1000;
            op.Status = short.MinValue;
            rc = Hypercalls.GrantTableOp(GrantTableOp.GetStatusFrames, &op, 1);
            Expect.Status(suite, "get_status_frames_none", GrantStatus.Okay, rc, op.Status);
            op.Dom = 7;
            op.Status = short.MinValue;
            rc = Hypercalls.GrantTableOp(GrantTableOp.GetStatusFrames, &op, 1);
            Expect.Status(suite, "get_status_frames_missing_domain", GrantStatus.BadDomain, rc, op.Status);
            suite.Errno("get_status_frames_count_2", XenErrno.EINVAL, Hypercalls.GrantTableOp(GrantTableOp.GetStatusFrames, &op, 2));
            suite.Errno("get_status_frames_unmapped", XenErrno.EFAULT, Hypercalls.GrantTableOp(GrantTableOp.GetStatusFrames, (void*)0x1000, 1));
        }

        private static long Flush(ulong address, ushort offset, ushort length, uint op, uint count = 1)
        {
            GnttabCacheFlush flush = default;
            flush.DevBusAddr = address;
            flush.Offset = offset;
            flush.Length = length;
            flush.Op = op;
            return Hypercalls.GrantTableOp(GrantTableOp.CacheFlush, &flush, count);
        }

        private static void CacheFlush(TestSuite suite)
        {
            const uint Clean = GnttabCacheFlush.OpClean, Inval = GnttabCacheFlush.OpInvalidate;
            ulong p = Pages.MfnP << 12;
            suite.Returns("cache_flush_clean", 0, Flush(p, 0, 8, Clean));
            suite.Errno("cache_flush_invalidate", XenErrno.EOPNOTSUPP, Flush(p, 0, 8, Inval));
            suite.Returns("cache_flush_clean_and_invalidate", 0, Flush(p, 0, 8, Clean | Inval));
            suite.Returns("cache_flush_page_end", 0, Flush(p, 4095, 1, Clean));
            suite.Returns("cache_flush_address_inside_page", 0, Flush(p + 8, 0, 8, Clean));
            suite.Returns("cache_flush_table_frame", 0, Flush(GrantTables.TableFrame << 12, 0, 8, Clean));
            suite.Returns("cache_flush_length_0", 0, Flush(p, 0, 0, Clean));
            suite.Returns("cache_flush_op_0", 0, Flush(p, 0, 8, 0));
            suite.Returns("cache_flush_count_0", 0, Flush(p, 0, 8, Clean, 0));
            suite.Errno("cache_flush_source_gref", XenErrno.EINVAL, Flush(Refs.Writable, 0, 8, Clean | GnttabCacheFlush.OpSourceGref));
            suite.Errno("cache_flush_unknown_op", XenErrno.EINVAL, Flush(p, 0, 8, 4));
            suite.Errno("cache_flush_unknown_op_length_0", XenErrno.EINVAL, Flush(p, 0, 0, 4));
            suite.Errno("cache_flush_offset_4096", XenErrno.EINVAL, Flush(p, 4096, 0, Clean));
            suite.Errno("cache_flush_past_page", XenErrno.EINVAL, Flush(p, 4000, 100, Clean));
            suite.Errno("cache_flush_length_4097", XenErrno.EINVAL, Flush(p, 0, 4097, Clean));
            suite.Errno("cache_flush_hypervisor_frame", XenErrno.EPERM, Flush(Pages.ForeignMfn << 12, 0, 8, Clean));
            suite.Errno("cache_flush_hypervisor_frame_invalidate", XenErrno.EPERM, Flush(Pages.ForeignMfn << 12, 0, 8, Inval));
            suite.Errno("cache_flush_beyond_ram", XenErrno.EINVAL, Flush(0xFFFFFFFUL << 12, 0, 8, Clean));
            suite.Returns("cache_flush_continuation_bits", 0, Hypercalls.GrantTableOp(GrantTableOp.CacheFlush | (5 << 12), null, 0));
            suite.Errno("cache_flush_unmapped", XenErrno.EFAULT, Hypercalls.GrantTableOp(GrantTableOp.CacheFlush, (void*)0x1000, 1));
        }
    }
}
