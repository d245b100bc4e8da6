using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The peer's destruction, last, with grant mappings both ways in place: the peer maps a page dom0
    /// granted it, dom0 maps the peer's writable grant; dom0 drops its foreign mappings (the mailbox) and
    /// destroys the peer. The mappings the peer held are released (dom0's entry clear, revocable); the
    /// peer's frame that dom0 still maps stays, with its bytes, and keeps the peer dying until dom0
    /// unmaps it; then the peer goes and the free memory comes back to what it was before it was made.
    /// Dom0's ends of the channels to it are unbound, its own to close.
    /// </summary>
    internal static unsafe class DeathTests
    {
        public const uint Dom0RefForPeer = 16;
        public const ulong GoneWaitNs = 5000000000UL;

        public static void Run(TestSuite suite)
        {
            PeerDomain peer = Remote.Peer;
            if (peer == null || peer.Domain == 0)
            {
                suite.Skip("destroy_peer", "no peer was created");
                return;
            }
            ushort id = peer.Domain;
            bool peerMaps = GrantPages.Ready && Remote.Alive(suite, "peer_maps_dom0_grant") && PeerMapsDom0Page(suite);
            GnttabMapGrantRef dom0Map = default;
            dom0Map.Status = GrantStatus.GeneralError;
            long hashBefore = 0;
            if (GrantPages.Ready && peer.IsResponsive)
            {
                long rc = GrantTables.Map(GrantPages.Window, GrantMapFlags.HostMap, id, GrantPages.RefWritable, out dom0Map);
                Expect.Status(suite, "dom0_maps_peer_grant_before_destroy", GrantStatus.Okay, rc, dom0Map.Status);
                if (dom0Map.Status == GrantStatus.Okay)
                    hashBefore = Bytes.Hash((byte*)GrantPages.Window, 4096);
            }

            suite.Returns("destroy_peer", 0, peer.Destroy());
            if (peerMaps)
            {
                Expect.Flags(suite, "destroyed_peer_mappings_released", GrantFlags.PermitAccess, GrantTables.FlagsOf(Dom0RefForPeer));
                suite.Check("dom0_revokes_after_peer_death", GrantTables.EndAccess(Dom0RefForPeer), "the entry still says it is mapped");
            }
            if (dom0Map.Status == GrantStatus.Okay)
            {
                long rc = DomainControl.GetInfo(id, out DomctlGetDomainInfo info);
                suite.Result("peer_dying_while_dom0_maps_its_page", rc == 0 && info.Domain == id && (info.Flags & DomainInfoFlags.Dying) != 0)
                    .Text(" getdomaininfo returned ").Result(rc).Text(", domain ").Dec(info.Domain).Text(", flags ").Hex(info.Flags).End();
                suite.Check("frame_stays_until_unmapped", GrantPages.Readable(GrantPages.Window) && Bytes.Hash((byte*)GrantPages.Window, 4096) == hashBefore,
                    "the mapping no longer shows the peer's bytes");
                rc = GrantTables.Unmap(GrantPages.Window, 0, dom0Map.Handle, out short status);
                Expect.Status(suite, "unmap_grant_of_dying_peer", GrantStatus.Okay, rc, status);
            }
            Gone(suite, id);
            FreePages(suite);
            CloseOwnEnds(suite);
        }

        private static bool PeerMapsDom0Page(TestSuite suite)
        {
            ulong* page = (ulong*)GrantPages.Own[5];
            for (int i = 0; i < 512; i++)
                page[i] = 0x4752414E54454421UL;
            GrantTables.Grant(Dom0RefForPeer, Remote.Id, GrantPages.OwnFrames[5], false);
            ulong window = (ulong)Remote.Value(0, PeerCommand.Allocate, 1);
            long rc = Remote.Hypercall(HypercallNumber.UpdateVaMapping, window, 0, PageFlags.UvmfInvlpg);
            GnttabMapGrantRef map = default;
            map.HostAddr = window;
            map.Flags = GrantMapFlags.HostMap;
            map.Ref = Dom0RefForPeer;
            map.Dom = 0;
            map.Status = short.MinValue;
            if (rc == 0)
                rc = Remote.GrantOp(GrantTableOp.MapGrantRef, &map, sizeof(GnttabMapGrantRef), 1);
            if (!Expect.Status(suite, "peer_maps_dom0_grant", GrantStatus.Okay, rc, map.Status))
                return false;
            suite.Result("peer_reads_dom0_grant", Remote.Peek(window + 8) == 0x4752414E54454421).Text(" reads ").Hex((ulong)Remote.Peek(window + 8)).End();
            Expect.Flags(suite, "dom0_entry_shows_peer_mapping", (ushort)(GrantFlags.PermitAccess | GrantFlags.Reading | GrantFlags.Writing),
                GrantTables.FlagsOf(Dom0RefForPeer));
            return true;
        }

        // Gone: getdomaininfo no longer reports it (Xen frees a domain after an RCU grace period: wait).
        private static void Gone(TestSuite suite, ushort id)
        {
            ulong deadline = GuestClock.Now() + GoneWaitNs;
            long rc;
            DomctlGetDomainInfo info;
            while (true)
            {
                rc = DomainControl.GetInfo(id, out info);
                bool gone = rc == -XenErrno.ESRCH || (rc == 0 && info.Domain != id);
                if (gone || GuestClock.Now() >= deadline)
                    break;
                Hypercalls.Yield();
            }
            suite.Result("peer_gone_after_unmap", rc == -XenErrno.ESRCH || (rc == 0 && info.Domain != id))
                .Text(" getdomaininfo returned ").Result(rc).Text(", domain ").Dec(rc == 0 ? info.Domain : 0UL).Text(", flags ").Hex(rc == 0 ? info.Flags : 0).End();
        }

        private static void FreePages(TestSuite suite)
        {
            if (!PeerSetup.HaveFreePagesBefore)
            {
                suite.Skip("free_pages_restored", "no physinfo before the peer was made");
                return;
            }
            ulong before = PeerSetup.FreePagesBefore;
            ulong now = SystemControl.FreePages();
            ulong deadline = GuestClock.Now() + GoneWaitNs;
            while (now != before && GuestClock.Now() < deadline)
            {
                Hypercalls.Yield();
                now = SystemControl.FreePages();
            }
            ConsoleLine line = suite.Result("free_pages_restored", now == before).Text(" before ").Dec(before).Text(", after ").Dec(now);
            if (now != before)
                line.Text(" (").Signed((long)(now - before)).Text(")");
            line.End();
        }

        private static void CloseOwnEnds(TestSuite suite)
        {
            uint control = Remote.Peer.ControlPort;
            PortStatus.Dom0Sees(suite, "control_end_unbound_after_destroy", DomainId.Self, control, EvtchnStatusKind.Unbound, Remote.Id, 0);
            suite.Returns("close_control_end_of_destroyed_peer", 0, EventChannels.Close(control));
        }
    }
}
