using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// map_grant_ref and unmap_grant_ref of dom0's grants to itself: host mappings at a free address
    /// (read-only and writable), what the entry's flags say while mapped and after, the data through
    /// the mapping, the L1 entry the hypervisor writes, several mappings of one entry, device mappings,
    /// mappings through GNTMAP_contains_pte, and each refusal with its status.
    /// </summary>
    internal static unsafe class MapTests
    {
        private const uint Host = GrantMapFlags.HostMap;
        private const uint HostRo = GrantMapFlags.HostMap | GrantMapFlags.ReadOnly;
        private const ushort Permit = GrantFlags.PermitAccess;
        private const ushort Reading = GrantFlags.PermitAccess | GrantFlags.Reading;
        private const ushort ReadingWriting = GrantFlags.PermitAccess | GrantFlags.Reading | GrantFlags.Writing;

        /// <summary>The flags of a read-only grant mapping for the kernel: present, user (every 64-bit PV
        /// mapping), accessed, dirty, no-execute, and bit 52, the software bit that marks a kernel-only
        /// mapping made user-accessible for the ring-3 kernel.</summary>
        private const ulong KernelPte = PageFlags.Present | PageFlags.User | PageFlags.Accessed | PageFlags.Dirty | PageFlags.NoExecute | (1UL << 52);

        public static void Run(TestSuite suite)
        {
            Refs.Publish();
            ReadOnlyMapping(suite);
            WritableMapping(suite);
            TwoMappings(suite);
            UnmapErrors(suite);
            Refs.Publish();
            MapErrors(suite);
            Refs.Publish();
            BadAddresses(suite);
            ContainsPte(suite);
            DeviceMappings(suite);
            PinnedEntry(suite);
            Refs.Publish();
            EntryBits(suite);
            Refs.Publish();
            TableFrame(suite);
            // Last: these leave their entries pinned for good.
            LostMappings(suite);
        }

        private static void ReadOnlyMapping(TestSuite suite)
        {
            long rc = GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef op);
            if (!Expect.Status(suite, "map_host_readonly", GrantStatus.Okay, rc, op.Status))
                return;
            suite.Result("map_host_readonly_outputs", true).Text(" handle ").Dec(op.Handle).Text(", dev_bus_addr ").Hex(op.DevBusAddr).End();
            suite.Check("map_host_dev_bus_addr_is_frame", op.DevBusAddr == Pages.MfnP << 12, "dev_bus_addr is not the frame's machine address");
            Expect.Flags(suite, "map_readonly_sets_reading", Reading, GrantTables.FlagsOf(Refs.Writable));
            suite.Check("map_readonly_data_visible", Pages.Holds(Pages.Window, Pages.PatternP), "the window does not show P");
            ulong pte = Pages.Pte(Pages.Window);
            suite.EqualHex("map_readonly_pte_frame", Pages.MfnP, Pages.FrameOf(pte));
            suite.EqualHex("map_readonly_pte_flags", KernelPte, pte & ~PageFlags.FrameMask);
            int vector = Probe.WriteFaultVector(Pages.Window, 0x1111);
            suite.Result("map_readonly_write_faults", vector == 14).Text(" write raised ").Text(vector < 0 ? "nothing" : TrapNames.Mnemonic((ulong)vector))
                .Text(", error code ").Hex(TrapTable.LastErrorCode).End();
            suite.Check("map_readonly_page_unchanged", Pages.Holds(Pages.P, Pages.PatternP), "P changed");
            suite.Check("end_access_refused_while_mapped", !GrantTables.EndAccess(Refs.Writable), "the grant could be revoked while mapped");

            rc = GrantTables.Unmap(Pages.Window, 0, op.Handle, out short status);
            Expect.Status(suite, "unmap_host_readonly", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_readonly_clears_reading", Permit, GrantTables.FlagsOf(Refs.Writable));
            suite.Result("unmap_clears_pte", Pages.Pte(Pages.Window) == 0 && Probe.ReadFaultVector(Pages.Window) == 14)
                .Text(" entry ").Hex(Pages.Pte(Pages.Window)).End();
            suite.Check("end_access_after_unmap", GrantTables.EndAccess(Refs.Writable), "the grant could not be revoked");
            Refs.Publish();
        }

        private static void WritableMapping(TestSuite suite)
        {
            long rc = GrantTables.Map(Pages.Window, Host, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef op);
            if (!Expect.Status(suite, "map_host_writable", GrantStatus.Okay, rc, op.Status))
                return;
            Expect.Flags(suite, "map_writable_sets_reading_writing", ReadingWriting, GrantTables.FlagsOf(Refs.Writable));
            ulong pte = Pages.Pte(Pages.Window);
            suite.EqualHex("map_writable_pte_flags", KernelPte | PageFlags.Writable, pte & ~PageFlags.FrameMask);
            bool wrote = Probe.TryWrite(Pages.Window + 8, 0x0123456789ABCDEFUL);
            suite.Check("map_writable_write_lands_in_page", wrote && ((ulong*)Pages.P)[1] == 0x0123456789ABCDEFUL, "the write did not reach P");
            ((ulong*)Pages.P)[2] = 0xFEDCBA9876543210UL;
            suite.Check("map_writable_sees_page_writes", Probe.TryRead(Pages.Window + 16, out ulong v) && v == 0xFEDCBA9876543210UL, "P's new value is not seen");
            rc = GrantTables.Unmap(Pages.Window, 0, op.Handle, out short status);
            Expect.Status(suite, "unmap_host_writable", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_writable_clears_flags", Permit, GrantTables.FlagsOf(Refs.Writable));
            suite.Check("unmap_writable_leaves_nothing_mapped", Probe.ReadFaultVector(Pages.Window) == 14, "the window is still mapped");
            Pages.Refill();
        }

        private static void TwoMappings(TestSuite suite)
        {
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef ro);
            GrantTables.Map(Pages.Window2, Host, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef rw);
            suite.Result("map_twice", ro.Status == 0 && rw.Status == 0 && ro.Handle != rw.Handle).Text(" statuses ").GrantStatus(ro.Status)
                .Text(", ").GrantStatus(rw.Status).Text(", handles ").Dec(ro.Handle).Text(", ").Dec(rw.Handle).End();
            Expect.Flags(suite, "map_twice_flags", ReadingWriting, GrantTables.FlagsOf(Refs.Writable));
            GrantTables.Unmap(Pages.Window2, 0, rw.Handle, out short s1);
            Expect.Flags(suite, "unmap_writable_of_two_keeps_reading", Reading, GrantTables.FlagsOf(Refs.Writable));
            GrantTables.Unmap(Pages.Window, 0, ro.Handle, out short s2);
            Expect.Flags(suite, "unmap_last_of_two_clears", Permit, GrantTables.FlagsOf(Refs.Writable));
            suite.Check("unmap_twice_statuses", s1 == 0 && s2 == 0, "an unmap failed");

            // The other order: the read-only one goes first, the writable one keeps both flags.
            GrantTables.Map(Pages.Window, Host, Pages.Dom0, Refs.Writable, out rw);
            GrantTables.Map(Pages.Window2, HostRo, Pages.Dom0, Refs.Writable, out ro);
            GrantTables.Unmap(Pages.Window2, 0, ro.Handle, out s1);
            Expect.Flags(suite, "unmap_readonly_of_two_keeps_writing", ReadingWriting, GrantTables.FlagsOf(Refs.Writable));
            GrantTables.Unmap(Pages.Window, 0, rw.Handle, out s2);
            Expect.Flags(suite, "unmap_writable_last_clears", Permit, GrantTables.FlagsOf(Refs.Writable));

            // A read-only grant mapped read-only; a second grant of the same frame is an entry of its own.
            long rc = GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.ReadOnly, out ro);
            Expect.Status(suite, "map_readonly_grant_readonly", GrantStatus.Okay, rc, ro.Status);
            Expect.Flags(suite, "map_readonly_grant_flags", (ushort)(Reading | GrantFlags.ReadOnly), GrantTables.FlagsOf(Refs.ReadOnly));
            Expect.Flags(suite, "map_other_entry_untouched", Permit, GrantTables.FlagsOf(Refs.Writable));
            GrantTables.Unmap(Pages.Window, 0, ro.Handle, out _);
            Expect.Flags(suite, "unmap_readonly_grant_flags", (ushort)(Permit | GrantFlags.ReadOnly), GrantTables.FlagsOf(Refs.ReadOnly));
        }

        private static void UnmapErrors(TestSuite suite)
        {
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef op);
            uint handle = op.Handle;

            // Another address than the mapping's: nothing of the grant is there.
            long rc = GrantTables.Unmap(Pages.Window2, 0, handle, out short status);
            Expect.Status(suite, "unmap_wrong_address", GrantStatus.GeneralError, rc, status);
            Expect.Flags(suite, "unmap_wrong_address_keeps_flags", Reading, GrantTables.FlagsOf(Refs.Writable));
            // Neither address given: nothing is undone, and that is not an error.
            rc = GrantTables.Unmap(0, 0, handle, out status);
            Expect.Status(suite, "unmap_no_address", GrantStatus.Okay, rc, status);
            suite.Check("unmap_no_address_keeps_mapping", Pages.Holds(Pages.Window, Pages.PatternP), "the window lost its mapping");
            rc = GrantTables.Unmap(Pages.Window, 0, handle, out status);
            Expect.Status(suite, "unmap_after_errors", GrantStatus.Okay, rc, status);
            rc = GrantTables.Unmap(Pages.Window, 0, handle, out status);
            Expect.Status(suite, "unmap_twice_bad_handle", GrantStatus.BadHandle, rc, status);
            rc = GrantTables.Unmap(Pages.Window, 0, 0x7FFFFFFF, out status);
            Expect.Status(suite, "unmap_huge_handle", GrantStatus.BadHandle, rc, status);
            rc = GrantTables.Unmap(Pages.Window, 0, uint.MaxValue, out status);
            Expect.Status(suite, "unmap_handle_all_ones", GrantStatus.BadHandle, rc, status);
            Expect.Flags(suite, "unmap_errors_leave_entry_clear", Permit, GrantTables.FlagsOf(Refs.Writable));
        }

        private static void MapErrors(TestSuite suite)
        {
            GrantTables.QuerySize(out uint frames, out _, out _);
            uint entries = frames * GrantTables.EntriesPerFrame;
            One(suite, "map_no_host_or_device_flag", GrantStatus.BadGntref, Pages.Window, 0, Pages.Dom0, Refs.Writable);
            One(suite, "map_readonly_flag_only", GrantStatus.BadGntref, Pages.Window, GrantMapFlags.ReadOnly, Pages.Dom0, Refs.Writable);
            One(suite, "map_ref_past_table", GrantStatus.BadGntref, Pages.Window, HostRo, Pages.Dom0, entries);
            One(suite, "map_ref_all_ones", GrantStatus.BadGntref, Pages.Window, HostRo, Pages.Dom0, uint.MaxValue);
            One(suite, "map_missing_domain", GrantStatus.BadDomain, Pages.Window, HostRo, 7, Refs.Writable);
            One(suite, "map_domid_self", GrantStatus.BadDomain, Pages.Window, HostRo, DomainId.Self, Refs.Writable);
            One(suite, "map_grant_to_other_domain", GrantStatus.GeneralError, Pages.Window, HostRo, Pages.Dom0, Refs.OtherDomain);
            One(suite, "map_invalid_entry", GrantStatus.GeneralError, Pages.Window, HostRo, Pages.Dom0, Refs.Invalid);
            One(suite, "map_accept_transfer_entry", GrantStatus.GeneralError, Pages.Window, HostRo, Pages.Dom0, Refs.AcceptTransfer);
            One(suite, "map_writable_of_readonly_grant", GrantStatus.GeneralError, Pages.Window, Host, Pages.Dom0, Refs.ReadOnly);
            Expect.Flags(suite, "map_writable_of_readonly_grant_flags", (ushort)(Permit | GrantFlags.ReadOnly), GrantTables.FlagsOf(Refs.ReadOnly));
            One(suite, "map_sub_page_entry", GrantStatus.GeneralError, Pages.Window, HostRo, Pages.Dom0, Refs.SubPage);
            One(suite, "map_foreign_frame", GrantStatus.BadPage, Pages.Window, HostRo, Pages.Dom0, Refs.Foreign);
            Expect.Flags(suite, "map_foreign_frame_flags_cleared", Permit, GrantTables.FlagsOf(Refs.Foreign));
            One(suite, "map_page_table_writable", GrantStatus.GeneralError, Pages.Window, Host, Pages.Dom0, Refs.PageTable);
            Expect.Flags(suite, "map_page_table_writable_flags_cleared", Permit, GrantTables.FlagsOf(Refs.PageTable));

            // A page table may be mapped read-only, as any mapping of it may be.
            long rc = GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.PageTable, out GnttabMapGrantRef op);
            Expect.Status(suite, "map_page_table_readonly", GrantStatus.Okay, rc, op.Status);
            if (op.Status == 0)
                GrantTables.Unmap(Pages.Window, 0, op.Handle, out _);

            // What a failed map leaves in the outputs.
            GnttabMapGrantRef raw = default;
            raw.HostAddr = Pages.Window;
            raw.Flags = HostRo;
            raw.Ref = Refs.OtherDomain;
            raw.Dom = Pages.Dom0;
            raw.Handle = 0x5A5A5A5A;
            raw.DevBusAddr = 0xA5A5A5A5A5A5UL;
            rc = Hypercalls.GrantTableOp(GrantTableOp.MapGrantRef, &raw, 1);
            suite.Result("map_failure_outputs", rc == 0 && raw.Status == GrantStatus.GeneralError && raw.Handle == 0x5A5A5A5A && raw.DevBusAddr == 0xA5A5A5A5A5A5UL)
                .Text(" status ").GrantStatus(raw.Status).Text(", handle ").Hex(raw.Handle).Text(", dev_bus_addr ").Hex(raw.DevBusAddr).End();
            suite.Check("map_errors_leave_window_empty", Pages.Pte(Pages.Window) == 0, "something is mapped at the window");
        }

        private static void BadAddresses(TestSuite suite)
        {
            One(suite, "map_address_without_l1", GrantStatus.GeneralError, 0x1000, HostRo, Pages.Dom0, Refs.Writable);
            One(suite, "map_address_non_canonical", GrantStatus.GeneralError, 0x0000800000000000UL, HostRo, Pages.Dom0, Refs.Writable);
            One(suite, "map_address_hypervisor_area", GrantStatus.GeneralError, AddressSpaceLayout.MachToPhysVirtStart, HostRo, Pages.Dom0, Refs.Writable);
            Expect.Flags(suite, "map_bad_address_flags_cleared", Permit, GrantTables.FlagsOf(Refs.Writable));

            // Over a page that is mapped: the old mapping is replaced (and its frame's references dropped).
            long rc = GrantTables.Map(Pages.Q, HostRo, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef op);
            Expect.Status(suite, "map_over_mapped_page", GrantStatus.Okay, rc, op.Status);
            suite.Check("map_over_mapped_page_shows_grant", Pages.Holds(Pages.Q, Pages.PatternP), "Q's address does not show P");
            rc = GrantTables.Unmap(Pages.Q, 0, op.Handle, out short status);
            Expect.Status(suite, "unmap_over_mapped_page", GrantStatus.Okay, rc, status);
            suite.Check("unmap_over_mapped_page_leaves_hole", Probe.ReadFaultVector(Pages.Q) == 14, "Q's address is still mapped");
            Hypercalls.UpdateVaMapping(Pages.Q, Mmu.Entry(Pages.MfnQ, true), PageFlags.UvmfInvlpg);
            suite.Check("remap_q", Pages.Holds(Pages.Q, Pages.PatternQ), "Q not back");
        }

        private static void ContainsPte(TestSuite suite)
        {
            const uint PteFlags = GrantMapFlags.HostMap | GrantMapFlags.ContainsPte;
            long rc = GrantTables.Map(Pages.WindowPteMa, PteFlags | GrantMapFlags.ReadOnly, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef op);
            if (Expect.Status(suite, "map_contains_pte", GrantStatus.Okay, rc, op.Status))
            {
                suite.Check("map_contains_pte_data_visible", Pages.Holds(Pages.Window, Pages.PatternP), "the window does not show P");
                Expect.Flags(suite, "map_contains_pte_flags", Reading, GrantTables.FlagsOf(Refs.Writable));
                rc = GrantTables.Unmap(Pages.Window, 0, op.Handle, out short wrong);
                Expect.Status(suite, "unmap_contains_pte_by_virtual_address", GrantStatus.GeneralError, rc, wrong);
                rc = GrantTables.Unmap(Pages.WindowPteMa, 0, op.Handle, out short status);
                Expect.Status(suite, "unmap_contains_pte", GrantStatus.Okay, rc, status);
                suite.Check("unmap_contains_pte_clears", Pages.Pte(Pages.Window) == 0, "the entry is not clear");
            }
            Pages.Clear(Pages.Window);
            One(suite, "map_contains_pte_misaligned", GrantStatus.GeneralError, Pages.WindowPteMa + 4, PteFlags, Pages.Dom0, Refs.Writable);
            One(suite, "map_contains_pte_data_frame", GrantStatus.GeneralError, Pages.MfnR << 12, PteFlags, Pages.Dom0, Refs.Writable);
            One(suite, "map_contains_pte_foreign_frame", GrantStatus.GeneralError, Pages.ForeignMfn << 12, PteFlags, Pages.Dom0, Refs.Writable);
            suite.Check("map_contains_pte_data_frame_untouched", Pages.Holds(Pages.R, Pages.PatternR), "R changed");
        }

        private static void DeviceMappings(TestSuite suite)
        {
            long rc = GrantTables.Map(0, GrantMapFlags.DeviceMap, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef op);
            if (!Expect.Status(suite, "map_device", GrantStatus.Okay, rc, op.Status))
                return;
            suite.EqualHex("map_device_bus_address", Pages.MfnP << 12, op.DevBusAddr);
            Expect.Flags(suite, "map_device_flags", ReadingWriting, GrantTables.FlagsOf(Refs.Writable));
            rc = GrantTables.Unmap(0, (Pages.MfnP + 1) << 12, op.Handle, out short status);
            Expect.Status(suite, "unmap_device_wrong_bus_address", GrantStatus.BadDevAddr, rc, status);
            rc = GrantTables.Unmap(0, op.DevBusAddr, op.Handle, out status);
            Expect.Status(suite, "unmap_device", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_device_flags", Permit, GrantTables.FlagsOf(Refs.Writable));

            // Both at once: each half is undone on its own; the handle lives until both are.
            rc = GrantTables.Map(Pages.Window, GrantMapFlags.DeviceMap | GrantMapFlags.HostMap | GrantMapFlags.ReadOnly, Pages.Dom0, Refs.Writable, out op);
            Expect.Status(suite, "map_device_and_host", GrantStatus.Okay, rc, op.Status);
            rc = GrantTables.Unmap(Pages.Window, 0, op.Handle, out status);
            Expect.Status(suite, "unmap_host_half", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_host_half_keeps_reading", Reading, GrantTables.FlagsOf(Refs.Writable));
            rc = GrantTables.Unmap(Pages.Window, op.DevBusAddr, op.Handle, out status);
            Expect.Status(suite, "unmap_device_half", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_both_halves_clears", Permit, GrantTables.FlagsOf(Refs.Writable));
            rc = GrantTables.Unmap(Pages.Window, op.DevBusAddr, op.Handle, out status);
            Expect.Status(suite, "unmap_device_and_host_handle_freed", GrantStatus.BadHandle, rc, status);

            One(suite, "map_device_page_table_writable", GrantStatus.GeneralError, 0, GrantMapFlags.DeviceMap, Pages.Dom0, Refs.PageTable);
        }

        /// <summary>While an entry is mapped, the hypervisor works from what it saw when the first mapping
        /// pinned it: the guest rewriting the entry's frame does not change what a second mapping gets.</summary>
        private static void PinnedEntry(TestSuite suite)
        {
            Refs.Publish();
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef first);
            GrantTables.Entries[Refs.Writable].Frame = (uint)Pages.MfnQ;
            long rc = GrantTables.Map(Pages.Window2, HostRo, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef second);
            Expect.Status(suite, "map_pinned_entry_again", GrantStatus.Okay, rc, second.Status);
            char shows = Pages.Holds(Pages.Window2, Pages.PatternP) ? 'P' : Pages.Holds(Pages.Window2, Pages.PatternQ) ? 'Q' : '?';
            suite.Result("map_pinned_entry_uses_pinned_frame", shows == 'P').Text(" the second mapping shows ").Char(shows).End();
            if (second.Status == 0)
                GrantTables.Unmap(Pages.Window2, 0, second.Handle, out _);
            GrantTables.Unmap(Pages.Window, 0, first.Handle, out short status);
            Expect.Status(suite, "unmap_pinned_entry", GrantStatus.Okay, 0, status);
            Pages.Clear(Pages.Window);
            Pages.Clear(Pages.Window2);
        }

        /// <summary>What else the hypervisor puts into a host mapping's L1 entry.</summary>
        private static void EntryBits(TestSuite suite)
        {
            // GNTMAP_application_map: a user mapping, without bit 52 (the global bit Xen adds to user
            // mappings is left out of the comparison: this hypervisor never sets it in guest entries).
            long rc = GrantTables.Map(Pages.Window, HostRo | GrantMapFlags.ApplicationMap, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef op);
            Expect.Status(suite, "map_application_map", GrantStatus.Okay, rc, op.Status);
            suite.EqualHex("map_application_map_pte_flags", PageFlags.Present | PageFlags.User | PageFlags.Accessed | PageFlags.Dirty | PageFlags.NoExecute,
                Pages.Pte(Pages.Window) & ~PageFlags.FrameMask & ~(1UL << 8));
            if (op.Status == 0)
                GrantTables.Unmap(Pages.Window, 0, op.Handle, out _);

            // GNTMAP_guest_avail bits 16-18 land in the entry's bits 9-11.
            rc = GrantTables.Map(Pages.Window, Host | (1u << 16) | (1u << 18), Pages.Dom0, Refs.Writable, out op);
            Expect.Status(suite, "map_guest_avail_bits", GrantStatus.Okay, rc, op.Status);
            suite.EqualHex("map_guest_avail_bits_pte_flags", KernelPte | PageFlags.Writable | (1UL << 9) | (1UL << 11), Pages.Pte(Pages.Window) & ~PageFlags.FrameMask);
            if (op.Status == 0)
                GrantTables.Unmap(Pages.Window, 0, op.Handle, out _);

            // The entry's cache attributes (GTF_PWT, GTF_PCD) do not apply to RAM.
            GrantTables.SetEntry(Refs.CacheAttributes, (ushort)(GrantFlags.PermitAccess | GrantFlags.Pcd | GrantFlags.Pwt), Pages.Dom0, (uint)Pages.MfnP);
            rc = GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.CacheAttributes, out op);
            Expect.Status(suite, "map_cache_attribute_entry", GrantStatus.Okay, rc, op.Status);
            suite.EqualHex("map_cache_attribute_entry_pte_flags", KernelPte, Pages.Pte(Pages.Window) & ~PageFlags.FrameMask);
            if (op.Status == 0)
                GrantTables.Unmap(Pages.Window, 0, op.Handle, out _);

            // A host-only mapping ignores the bus address given to unmap.
            rc = GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.Writable, out op);
            rc = GrantTables.Unmap(Pages.Window, (Pages.MfnP + 1) << 12, op.Handle, out short status);
            Expect.Status(suite, "unmap_host_ignores_bus_address", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_host_ignores_bus_address_flags", Permit, GrantTables.FlagsOf(Refs.Writable));
            rc = GrantTables.Unmap(Pages.Window, 0, op.Handle, out status);
            Expect.Status(suite, "unmap_host_ignores_bus_address_handle_freed", GrantStatus.BadHandle, rc, status);
            Pages.Clear(Pages.Window);
        }

        /// <summary>The grant table's own frame, granted like any page of the domain: mappable writable,
        /// but never a page table.</summary>
        private static void TableFrame(TestSuite suite)
        {
            GrantTables.Grant(Refs.TableFrame, Pages.Dom0, GrantTables.TableFrame, false);
            long rc = GrantTables.Map(Pages.Window2, Host, Pages.Dom0, Refs.TableFrame, out GnttabMapGrantRef op);
            Expect.Status(suite, "map_table_frame_writable", GrantStatus.Okay, rc, op.Status);
            if (op.Status == 0)
            {
                GrantEntryV1* entries = (GrantEntryV1*)Pages.Window2;
                suite.Check("map_table_frame_shows_entries", entries[Refs.TableFrame].Frame == (uint)GrantTables.TableFrame
                    && (entries[Refs.TableFrame].Flags & GrantFlags.Writing) != 0, "the mapping does not show the table");
                GrantTables.Unmap(Pages.Window2, 0, op.Handle, out _);
            }
            suite.Errno("pin_table_frame_as_l1", XenErrno.EINVAL, Mmu.Pin(1, GrantTables.TableFrame));
            Pages.Clear(Pages.Window2);
        }

        /// <summary>
        /// Host mappings replaced behind the grant code's back: the entry that held them is gone, so
        /// unmap finds nothing of the grant there (GNTST_general_error) and the entry stays pinned.
        /// </summary>
        private static void LostMappings(TestSuite suite)
        {
            GrantTables.Grant(Refs.LostByUpdate, Pages.Dom0, Pages.MfnP, false);
            GrantTables.Map(Pages.Window, Host, Pages.Dom0, Refs.LostByUpdate, out GnttabMapGrantRef op);
            suite.Returns("lost_mapping_update_va_mapping", 0, Hypercalls.UpdateVaMapping(Pages.Window, 0, PageFlags.UvmfInvlpg));
            long rc = GrantTables.Unmap(Pages.Window, 0, op.Handle, out short status);
            Expect.Status(suite, "lost_mapping_unmap", GrantStatus.GeneralError, rc, status);
            Expect.Flags(suite, "lost_mapping_stays_pinned", ReadingWriting, GrantTables.FlagsOf(Refs.LostByUpdate));

            // A second map at the same address replaces the first grant's entry the same way.
            GrantTables.Grant(Refs.LostByMap, Pages.Dom0, Pages.MfnP, false);
            GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.LostByMap, out GnttabMapGrantRef first);
            rc = GrantTables.Map(Pages.Window, HostRo, Pages.Dom0, Refs.WritableQ, out GnttabMapGrantRef second);
            Expect.Status(suite, "map_over_grant_mapping", GrantStatus.Okay, rc, second.Status);
            suite.Check("map_over_grant_mapping_shows_new", Pages.Holds(Pages.Window, Pages.PatternQ), "the window does not show Q");
            rc = GrantTables.Unmap(Pages.Window, 0, first.Handle, out status);
            Expect.Status(suite, "map_over_grant_mapping_first_lost", GrantStatus.GeneralError, rc, status);
            rc = GrantTables.Unmap(Pages.Window, 0, second.Handle, out status);
            Expect.Status(suite, "map_over_grant_mapping_second_unmaps", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "map_over_grant_mapping_first_stays_pinned", Reading, GrantTables.FlagsOf(Refs.LostByMap));
            Expect.Flags(suite, "map_over_grant_mapping_second_clear", Permit, GrantTables.FlagsOf(Refs.WritableQ));
            Pages.Clear(Pages.Window);
        }

        private static void One(TestSuite suite, string test, short expected, ulong hostAddress, uint flags, ushort granter, uint reference)
        {
            long rc = GrantTables.Map(hostAddress, flags, granter, reference, out GnttabMapGrantRef op);
            Expect.Status(suite, test, expected, rc, op.Status);
            if (op.Status == GrantStatus.Okay)
                GrantTables.Unmap(hostAddress, op.DevBusAddr, op.Handle, out _);
        }
    }
}
