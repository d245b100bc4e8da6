using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Connecting ports across domains, with the peer holding its events (pending bits stay for the
    /// tests to see): EVTCHNOP_status of the control channel from each end (dom0 may look at the peer's
    /// ports, the peer not at dom0's: -EPERM); dom0 offers a port (alloc_unbound) and the peer binds it,
    /// the peer offers one and dom0 binds it, dom0 makes the peer's unbound port itself and binds it;
    /// the new local end is raised at bind; both ends' status name each other. Refused: a port offered
    /// to another domain, bound already, free or beyond the table (-EINVAL), an absent domain (-ESRCH),
    /// the peer allocating in dom0's table (-EPERM).
    /// </summary>
    internal static unsafe class BindTests
    {
        public static void Run(TestSuite suite)
        {
            if (!Remote.Alive(suite, "bind"))
                return;
            ushort peer = Remote.Id;
            uint control = Remote.Peer.ControlPort;
            Channels.PeerControl = (uint)Remote.Value(0, PeerCommand.Info);
            uint peerControl = Channels.PeerControl;
            PortStatus.Dom0Sees(suite, "status_control_dom0_end", DomainId.Self, control, EvtchnStatusKind.Interdomain, peer, peerControl);
            PortStatus.PeerSees(suite, "status_control_peer_end", DomainId.Self, peerControl, EvtchnStatusKind.Interdomain, 0, control);
            PortStatus.Dom0Sees(suite, "status_of_peer_port_by_dom0", peer, peerControl, EvtchnStatusKind.Interdomain, 0, control);
            EvtchnStatus status;
            suite.Errno("status_of_dom0_port_by_peer", XenErrno.EPERM, Remote.Status(0, control, &status));

            Remote.Call(PeerCommand.Hold, 1);
            Dom0Offers(suite, peer);
            PeerOffers(suite, peer);
            Dom0MakesPeerPort(suite, peer);
            Refusals(suite, peer);
            Remote.Call(PeerCommand.Hold, 0);
        }

        private static void Dom0Offers(TestSuite suite, ushort peer)
        {
            long a = EventChannels.AllocUnbound(DomainId.Self, peer);
            suite.Result("alloc_unbound_for_peer", a > 0).Text(" port ").Result(a).End();
            if (a <= 0)
                return;
            PortStatus.Dom0Sees(suite, "status_offered_port", DomainId.Self, (uint)a, EvtchnStatusKind.Unbound, peer, 0);
            long pa = Remote.BindInterdomain(0, (uint)a);
            suite.Result("peer_binds_dom0_offer", pa > 0).Text(" local port ").Result(pa).End();
            if (pa <= 0)
                return;
            long pending = Remote.Value(0, PeerCommand.EventState, pa);
            suite.Equal("peer_bound_port_raised", 1, (ulong)pending);
            PortStatus.Dom0Sees(suite, "status_dom0_end_after_peer_bind", DomainId.Self, (uint)a, EvtchnStatusKind.Interdomain, peer, (uint)pa);
            PortStatus.PeerSees(suite, "status_peer_end_after_bind", DomainId.Self, (uint)pa, EvtchnStatusKind.Interdomain, 0, (uint)a);
            Channels.A = (uint)a;
            Channels.PeerA = (uint)pa;
        }

        private static void PeerOffers(TestSuite suite, ushort peer)
        {
            long pb = Remote.AllocUnbound(DomainId.Self, 0);
            suite.Result("peer_alloc_unbound_for_dom0", pb > 0).Text(" port ").Result(pb).End();
            if (pb <= 0)
                return;
            PortStatus.Dom0Sees(suite, "status_peer_offer_by_dom0", peer, (uint)pb, EvtchnStatusKind.Unbound, 0, 0);
            long b = EventChannels.BindInterdomain(peer, (uint)pb);
            suite.Result("dom0_binds_peer_offer", b > 0).Text(" local port ").Result(b).End();
            if (b <= 0)
                return;
            suite.Equal("dom0_bound_port_raised", 1, EventChannels.IsPending((uint)b) ? 1UL : 0UL);
            EventChannels.ClearPending((uint)b);
            PortStatus.Dom0Sees(suite, "status_dom0_end_after_bind", DomainId.Self, (uint)b, EvtchnStatusKind.Interdomain, peer, (uint)pb);
            PortStatus.PeerSees(suite, "status_peer_end_after_dom0_bind", DomainId.Self, (uint)pb, EvtchnStatusKind.Interdomain, 0, (uint)b);
            Channels.B = (uint)b;
            Channels.PeerB = (uint)pb;
        }

        // What a toolstack does for a new domain's console or xenstore channel: the unbound port is made
        // in the other domain's table, offered to dom0.
        private static void Dom0MakesPeerPort(TestSuite suite, ushort peer)
        {
            long pc = EventChannels.AllocUnbound(peer, 0);
            suite.Result("alloc_unbound_in_peer_table", pc > 0).Text(" port ").Result(pc).End();
            if (pc <= 0)
                return;
            PortStatus.PeerSees(suite, "status_port_dom0_made_for_peer", DomainId.Self, (uint)pc, EvtchnStatusKind.Unbound, 0, 0);
            long c = EventChannels.BindInterdomain(peer, (uint)pc);
            suite.Result("dom0_binds_port_it_made", c > 0).Text(" local port ").Result(c).End();
            if (c <= 0)
                return;
            EventChannels.ClearPending((uint)c);
            PortStatus.PeerSees(suite, "status_made_port_after_bind", DomainId.Self, (uint)pc, EvtchnStatusKind.Interdomain, 0, (uint)c);
            Channels.C = (uint)c;
            Channels.PeerC = (uint)pc;
        }

        private static void Refusals(TestSuite suite, ushort peer)
        {
            long toSelf = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            if (toSelf > 0)
                suite.Errno("peer_bind_port_offered_to_other", XenErrno.EINVAL, Remote.BindInterdomain(0, (uint)toSelf));
            if (Channels.A != 0)
                suite.Errno("peer_bind_bound_port", XenErrno.EINVAL, Remote.BindInterdomain(0, Channels.A));
            if (toSelf > 0)
            {
                EventChannels.Close((uint)toSelf);
                suite.Errno("peer_bind_free_port", XenErrno.EINVAL, Remote.BindInterdomain(0, (uint)toSelf));
            }
            suite.Errno("peer_bind_port_beyond_table", XenErrno.EINVAL, Remote.BindInterdomain(0, 4000));
            suite.Errno("peer_bind_absent_domain", XenErrno.ESRCH, Remote.BindInterdomain(Channels.AbsentDomain, 1));

            long notForDom0 = Remote.AllocUnbound(DomainId.Self, Channels.AbsentDomain);
            if (notForDom0 > 0)
            {
                suite.Errno("dom0_bind_peer_port_not_offered", XenErrno.EINVAL, EventChannels.BindInterdomain(peer, (uint)notForDom0));
                PortStatus.PeerSees(suite, "refused_bind_leaves_port_unbound", DomainId.Self, (uint)notForDom0, EvtchnStatusKind.Unbound, Channels.AbsentDomain, 0);
                Remote.Close((uint)notForDom0);
            }
            suite.Errno("dom0_bind_absent_domain", XenErrno.ESRCH, EventChannels.BindInterdomain(Channels.AbsentDomain, 1));
            suite.Errno("peer_alloc_unbound_in_dom0", XenErrno.EPERM, Remote.AllocUnbound(0, peer));
        }
    }
}
