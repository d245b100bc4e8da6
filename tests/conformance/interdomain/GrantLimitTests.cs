using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The per-domain grant limits createdomain gave the peer (<see cref="PeerSetup.GrantFrames"/> table
    /// frames, <see cref="PeerSetup.MaptrackFrames"/> maptrack frame): query_size reports them (to the
    /// peer and to dom0), setup_table grows the table to the limit and no further (GNTST_general_error);
    /// the peer maps dom0's grants (device mappings, no address needed) until its maptrack is full, which
    /// is refused with Xen 4.17's status (GNTST_no_space); after one unmap a map succeeds again; once the peer unmapped
    /// everything, dom0's entries are clear.
    /// </summary>
    internal static unsafe class GrantLimitTests
    {
        /// <summary>Dom0's refs granted to the peer for its mappings, and the maps tried at most.</summary>
        public const uint FirstDom0Ref = 11;
        public const int Dom0Refs = 3;
        public const int MaxMaps = 400;
        /// <summary>Map operations per call: as many as fit in the mailbox's scratch area.</summary>
        public const int MapBatch = PeerMailbox.ScratchBytes / 32;
        public const int UnmapBatch = PeerMailbox.ScratchBytes / 24;

        public static void Run(TestSuite suite)
        {
            if (!GrantPages.Ready || !Remote.Alive(suite, "grant_limits"))
            {
                suite.Skip("grant_limits", "the grant pages were not set up");
                return;
            }
            TableFrames(suite);
            Maptrack(suite);
        }

        private static void TableFrames(TestSuite suite)
        {
            GnttabQuerySize size = default;
            size.Dom = DomainId.Self;
            long rc = Remote.GrantOp(GrantTableOp.QuerySize, &size, sizeof(GnttabQuerySize), 1);
            suite.Result("peer_query_size", rc == 0 && size.Status == 0 && size.NrFrames == 1 && size.MaxNrFrames == PeerSetup.GrantFrames)
                .Text(" returned ").Result(rc).Text(", status ").GrantStatus(size.Status).Text(", frames ").Dec(size.NrFrames)
                .Text(" of ").Dec(size.MaxNrFrames).End();
            rc = GrantTables.QuerySize(out uint frames, out uint max, out short status, Remote.Id);
            suite.Result("dom0_query_size_of_peer", rc == 0 && status == 0 && frames == size.NrFrames && max == size.MaxNrFrames)
                .Text(" returned ").Result(rc).Text(", status ").GrantStatus(status).Text(", frames ").Dec(frames).Text(" of ").Dec(max).End();

            Setup(suite, "peer_setup_table_to_limit", (uint)PeerSetup.GrantFrames, GrantStatus.Okay);
            Setup(suite, "peer_setup_table_beyond_limit", (uint)PeerSetup.GrantFrames + 1, GrantStatus.GeneralError);
            size.Dom = DomainId.Self;
            rc = Remote.GrantOp(GrantTableOp.QuerySize, &size, sizeof(GnttabQuerySize), 1);
            suite.Result("peer_table_at_limit", rc == 0 && size.NrFrames == PeerSetup.GrantFrames)
                .Text(" frames ").Dec(size.NrFrames).Text(" of ").Dec(size.MaxNrFrames).End();
        }

        private static void Setup(TestSuite suite, string test, uint frames, short expected)
        {
            GnttabSetupTable op = default;
            op.Dom = DomainId.Self;
            op.NrFrames = frames;
            op.Status = short.MinValue;
            op.FrameList = Remote.Peer.PeerScratch(512);
            long rc = Remote.GrantOp(GrantTableOp.SetupTable, &op, sizeof(GnttabSetupTable), 1);
            Expect.Status(suite, test, expected, rc, op.Status);
        }

        private static void Maptrack(TestSuite suite)
        {
            for (int i = 0; i < Dom0Refs; i++)
            {
                GrantTables.Grant(FirstDom0Ref + (uint)i, Remote.Id, GrantPages.OwnFrames[3 + i], true);
            }
            uint* handles = (uint*)GuestMemory.Allocate(MaxMaps * 4);
            ulong* addresses = (ulong*)GuestMemory.Allocate(MaxMaps * 8);
            int mapped = 0;
            short refusal = GrantStatus.Okay;
            long rc = 0;
            while (mapped < MaxMaps && refusal == GrantStatus.Okay && rc == 0)
            {
                int batch = MaxMaps - mapped < MapBatch ? MaxMaps - mapped : MapBatch;
                GnttabMapGrantRef* ops = (GnttabMapGrantRef*)Remote.Peer.Scratch(0);
                for (int i = 0; i < batch; i++)
                {
                    ops[i] = default;
                    ops[i].Flags = GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly;
                    ops[i].Ref = FirstDom0Ref + (uint)((mapped + i) % Dom0Refs);
                    ops[i].Dom = 0;
                    ops[i].Status = short.MinValue;
                }
                rc = Remote.Hypercall(HypercallNumber.GrantTableOp, (ulong)GrantTableOp.MapGrantRef, Remote.Peer.PeerScratch(0), (ulong)batch);
                for (int i = 0; i < batch && rc == 0; i++)
                {
                    if (ops[i].Status != GrantStatus.Okay)
                    {
                        refusal = ops[i].Status;
                        break;
                    }
                    handles[mapped] = ops[i].Handle;
                    addresses[mapped] = ops[i].DevBusAddr;
                    mapped++;
                }
            }
            // A maptrack frame holds 256 records; Xen's free list keeps the last as its tail.
            int expected = PeerSetup.MaptrackFrames * 256 - 1;
            suite.Result("peer_maps_until_maptrack_full", rc == 0 && mapped == expected && refusal == GrantStatus.NoSpace)
                .Text(" returned ").Result(rc).Text(", ").Dec((ulong)mapped).Text(" mappings (expected ").Dec((ulong)expected)
                .Text("), then status ").GrantStatus(refusal).End();
            Expect.Flags(suite, "dom0_entry_reading_while_peer_maps", (ushort)(GrantFlags.PermitAccess | GrantFlags.ReadOnly | GrantFlags.Reading),
                GrantTables.FlagsOf(FirstDom0Ref));

            if (mapped > 0)
            {
                short status = Unmap(handles + mapped - 1, addresses + mapped - 1, 1, out rc);
                mapped--;
                GnttabMapGrantRef again = default;
                again.Flags = GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly;
                again.Ref = FirstDom0Ref;
                again.Dom = 0;
                again.Status = short.MinValue;
                long mapRc = Remote.GrantOp(GrantTableOp.MapGrantRef, &again, sizeof(GnttabMapGrantRef), 1);
                suite.Result("peer_maps_again_after_one_unmap", rc == 0 && status == 0 && mapRc == 0 && again.Status == 0)
                    .Text(" unmap status ").GrantStatus(status).Text(", map status ").GrantStatus(again.Status).End();
                if (again.Status == GrantStatus.Okay)
                {
                    handles[mapped] = again.Handle;
                    addresses[mapped] = again.DevBusAddr;
                    mapped++;
                }
            }

            short worst = GrantStatus.Okay;
            for (int done = 0; done < mapped && rc == 0;)
            {
                int batch = mapped - done < UnmapBatch ? mapped - done : UnmapBatch;
                short status = Unmap(handles + done, addresses + done, batch, out rc);
                if (status != GrantStatus.Okay)
                    worst = status;
                done += batch;
            }
            suite.Result("peer_unmaps_all", rc == 0 && worst == GrantStatus.Okay).Text(" returned ").Result(rc).Text(", worst status ").GrantStatus(worst).End();
            bool clear = true;
            for (int i = 0; i < Dom0Refs; i++)
                clear &= GrantTables.FlagsOf(FirstDom0Ref + (uint)i) == (GrantFlags.PermitAccess | GrantFlags.ReadOnly);
            suite.Check("dom0_entries_clear_after_peer_unmaps", clear, "an entry still says it is mapped");
            for (int i = 0; i < Dom0Refs; i++)
                GrantTables.EndAccess(FirstDom0Ref + (uint)i);
        }

        // Device halves of the peer's mappings, in one call; the worst status.
        private static short Unmap(uint* handles, ulong* addresses, int count, out long rc)
        {
            GnttabUnmapGrantRef* ops = (GnttabUnmapGrantRef*)Remote.Peer.Scratch(0);
            for (int i = 0; i < count; i++)
            {
                ops[i] = default;
                ops[i].DevBusAddr = addresses[i];
                ops[i].Handle = handles[i];
                ops[i].Status = short.MinValue;
            }
            rc = Remote.Hypercall(HypercallNumber.GrantTableOp, (ulong)GrantTableOp.UnmapGrantRef, Remote.Peer.PeerScratch(0), (ulong)count);
            short worst = GrantStatus.Okay;
            for (int i = 0; i < count; i++)
            {
                if (ops[i].Status != GrantStatus.Okay)
                    worst = ops[i].Status;
            }
            return worst;
        }
    }
}
