using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The peer cannot reach a page of dom0's that dom0 did not grant it, beyond what the domctl suite
    /// checks (foreign mappings, update_va_mapping of the frame, populate_physmap, copy from the frame):
    /// mmu_update of its own L1 entry to dom0's frame as if its own; GNTTABOP_copy into dom0's frame by
    /// frame number, or naming dom0's frame as its own either way; grant table sizes of dom0's
    /// (GNTST_permission_denied); dom0's grant to dom0 itself; and hypercall arguments pointing at dom0's
    /// page, through the hypervisor's direct map of it (Xen's at 0xffff830000000000) or at its machine
    /// address taken as a virtual one (-EFAULT). Dom0's page keeps its pattern throughout.
    /// </summary>
    internal static unsafe class MemoryIsolationTests
    {
        public const ulong Pattern = 0x444F4D3050414745UL;   // "DOM0PAGE"
        /// <summary>Xen's DIRECTMAP_VIRT_START: where the hypervisor maps all machine memory.</summary>
        public const ulong DirectMap = 0xFFFF830000000000UL;
        /// <summary>Dom0's ref granting its page to dom0 itself.</summary>
        public const uint Dom0RefToItself = 15;

        public static void Run(TestSuite suite)
        {
            if (!Remote.Alive(suite, "memory_isolation"))
                return;
            ulong* page = (ulong*)GuestMemory.AllocatePages(1);
            for (int i = 0; i < 512; i++)
                page[i] = Pattern;
            ulong frame = MachineFrames.Of(page);
            MapAsOwn(suite, frame);
            Copies(suite, frame);
            GrantTablesOfDom0(suite, frame);
            Pointers(suite, ViaDirectMap, DirectMap + (frame << 12));
            Pointers(suite, ViaMachineAddress, frame << 12);
            bool intact = true;
            for (int i = 0; i < 512; i++)
                intact &= page[i] == Pattern;
            suite.Check("dom0_page_untouched_by_peer", intact, "dom0's page lost its pattern");
        }

        private static void MapAsOwn(TestSuite suite, ulong frame)
        {
            ulong scratch = (ulong)Remote.Value(0, PeerCommand.Allocate, 1);
            Remote.Poke(scratch, 0x5045455250414745UL);
            long entry = Remote.Value(0, PeerCommand.L1Entry, (long)scratch);
            MmuUpdate* request = (MmuUpdate*)Remote.Peer.Scratch(0);
            request->Ptr = (ulong)entry | MmuUpdateCommand.NormalPtUpdate;
            request->Val = (frame << 12) | PageFlags.Present | PageFlags.Writable | PageFlags.User | PageFlags.Accessed | PageFlags.Dirty;
            long rc = Remote.Hypercall(HypercallNumber.MmuUpdate, Remote.Peer.PeerScratch(0), 1, Remote.Peer.PeerScratch(64), DomainId.Self);
            suite.Result("peer_mmu_update_dom0_frame_as_own", entry > 0 && rc == -XenErrno.EBUSY).Text(" returned ").Result(rc)
                .Text(" (L1 entry at ").Hex((ulong)entry).Text(")").End();
            suite.Result("peer_page_still_its_own", Remote.Peek(scratch) == 0x5045455250414745).Text(" reads ").Hex((ulong)Remote.Peek(scratch)).End();
        }

        private static void Copies(TestSuite suite, ulong frame)
        {
            ulong own = GrantPages.Ready ? GrantPages.PeerFrames[3] : 0;
            GnttabCopy op = default;
            op.Source.Gmfn = own;
            op.Source.DomId = DomainId.Self;
            op.Dest.Gmfn = frame;
            op.Dest.DomId = 0;
            op.Len = 8;
            op.Status = short.MinValue;
            long rc = Remote.GrantOp(GrantTableOp.Copy, &op, sizeof(GnttabCopy), 1);
            Expect.Status(suite, "peer_copy_into_dom0_frame", GrantStatus.PermissionDenied, rc, op.Status);

            op.Dest.DomId = DomainId.Self;
            op.Status = short.MinValue;
            rc = Remote.GrantOp(GrantTableOp.Copy, &op, sizeof(GnttabCopy), 1);
            Expect.Status(suite, "peer_copy_into_dom0_frame_as_own", GrantStatus.BadPage, rc, op.Status);

            op = default;
            op.Source.Gmfn = frame;
            op.Source.DomId = DomainId.Self;
            op.Dest.Gmfn = own;
            op.Dest.DomId = DomainId.Self;
            op.Len = 8;
            op.Status = short.MinValue;
            rc = Remote.GrantOp(GrantTableOp.Copy, &op, sizeof(GnttabCopy), 1);
            Expect.Status(suite, "peer_copy_from_dom0_frame_as_own", GrantStatus.BadPage, rc, op.Status);
        }

        private static void GrantTablesOfDom0(TestSuite suite, ulong frame)
        {
            GnttabQuerySize size = default;
            size.Dom = 0;
            size.Status = short.MinValue;
            long rc = Remote.GrantOp(GrantTableOp.QuerySize, &size, sizeof(GnttabQuerySize), 1);
            Expect.Status(suite, "peer_query_size_of_dom0", GrantStatus.PermissionDenied, rc, size.Status);
            GnttabSetupTable setup = default;
            setup.Dom = 0;
            setup.NrFrames = 1;
            setup.Status = short.MinValue;
            setup.FrameList = Remote.Peer.PeerScratch(512);
            rc = Remote.GrantOp(GrantTableOp.SetupTable, &setup, sizeof(GnttabSetupTable), 1);
            Expect.Status(suite, "peer_setup_table_of_dom0", GrantStatus.PermissionDenied, rc, setup.Status);

            if (GrantTables.Entries == null)
                return;
            GrantTables.Grant(Dom0RefToItself, 0, frame, false);
            GnttabMapGrantRef map = default;
            map.Flags = GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly;
            map.Ref = Dom0RefToItself;
            map.Dom = 0;
            map.Status = short.MinValue;
            rc = Remote.GrantOp(GrantTableOp.MapGrantRef, &map, sizeof(GnttabMapGrantRef), 1);
            Expect.Status(suite, "peer_map_dom0_grant_to_itself", GrantStatus.GeneralError, rc, map.Status);
            Expect.Flags(suite, "dom0_grant_to_itself_untouched", GrantFlags.PermitAccess, GrantTables.FlagsOf(Dom0RefToItself));
            GrantTables.EndAccess(Dom0RefToItself);
        }

        // Hypercalls that read their argument (the last one writes it), given an address of dom0's page:
        // event_channel_op status and send, memory_op current_reservation, grant_table_op copy,
        // sched_op poll, xen_version extraversion.
        private static readonly string[] ViaDirectMap =
        {
            "peer_event_status_at_dom0_directmap", "peer_event_send_at_dom0_directmap", "peer_memory_op_at_dom0_directmap",
            "peer_grant_copy_at_dom0_directmap", "peer_sched_poll_at_dom0_directmap", "peer_xen_version_into_dom0_directmap",
        };

        private static readonly string[] ViaMachineAddress =
        {
            "peer_event_status_at_dom0_machine_address", "peer_event_send_at_dom0_machine_address", "peer_memory_op_at_dom0_machine_address",
            "peer_grant_copy_at_dom0_machine_address", "peer_sched_poll_at_dom0_machine_address", "peer_xen_version_into_dom0_machine_address",
        };

        private static void Pointers(TestSuite suite, string[] names, ulong address)
        {
            suite.Errno(names[0], XenErrno.EFAULT, Remote.Hypercall(HypercallNumber.EventChannelOp, EventChannelOp.Status, address));
            suite.Errno(names[1], XenErrno.EFAULT, Remote.Hypercall(HypercallNumber.EventChannelOp, EventChannelOp.Send, address));
            suite.Errno(names[2], XenErrno.EFAULT, Remote.Hypercall(HypercallNumber.MemoryOp, MemoryOp.CurrentReservation, address));
            suite.Errno(names[3], XenErrno.EFAULT, Remote.Hypercall(HypercallNumber.GrantTableOp, GrantTableOp.Copy, address, 1));
            suite.Errno(names[4], XenErrno.EFAULT, Remote.Hypercall(HypercallNumber.SchedOp, SchedOp.Poll, address));
            suite.Errno(names[5], XenErrno.EFAULT, Remote.Hypercall(HypercallNumber.XenVersion, XenVersionCommand.Extraversion, address));
        }
    }
}
