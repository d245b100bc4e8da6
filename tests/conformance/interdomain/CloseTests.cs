using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_close across domains: when one end closes, its port is gone (status closed, send and
    /// close -EINVAL) and the other end goes back to unbound, offered to the closer's domain again
    /// (Xen's ECS_UNBOUND): a send on it is dropped (returns 0, raises nothing), and the closer may
    /// bind to it again. Checked with the peer closing (channel B) and dom0 closing (channel C).
    /// </summary>
    internal static unsafe class CloseTests
    {
        public static void Run(TestSuite suite)
        {
            if (!Remote.Alive(suite, "close"))
                return;
            ushort peer = Remote.Id;
            if (Channels.B != 0)
                PeerCloses(suite, peer, Channels.B, Channels.PeerB);
            else
                suite.Skip("peer_closes_its_end", "no channel B");
            if (Channels.C != 0)
                Dom0Closes(suite, peer, Channels.C, Channels.PeerC);
            else
                suite.Skip("dom0_closes_its_end", "no channel C");
        }

        private static void PeerCloses(TestSuite suite, ushort peer, uint b, uint pb)
        {
            suite.Returns("peer_closes_its_end", 0, Remote.Close(pb));
            PortStatus.Dom0Sees(suite, "peer_close_unbinds_dom0_end", DomainId.Self, b, EvtchnStatusKind.Unbound, peer, 0);
            PortStatus.PeerSees(suite, "peer_closed_port_status_closed", DomainId.Self, pb, EvtchnStatusKind.Closed, 0, 0);
            suite.Returns("dom0_send_to_closed_peer_dropped", 0, EventChannels.Send(b));
            suite.Errno("peer_send_on_closed_port", XenErrno.EINVAL, Remote.Send(pb));
            suite.Errno("peer_close_closed_port", XenErrno.EINVAL, Remote.Close(pb));
            long again = Remote.BindInterdomain(0, b);
            suite.Result("peer_binds_again_after_close", again > 0).Text(" local port ").Result(again).End();
            if (again > 0)
            {
                PortStatus.Dom0Sees(suite, "status_after_binding_again", DomainId.Self, b, EvtchnStatusKind.Interdomain, peer, (uint)again);
                Channels.PeerB = (uint)again;
            }
        }

        private static void Dom0Closes(TestSuite suite, ushort peer, uint c, uint pc)
        {
            suite.Returns("dom0_closes_its_end", 0, EventChannels.Close(c));
            PortStatus.PeerSees(suite, "dom0_close_unbinds_peer_end", DomainId.Self, pc, EvtchnStatusKind.Unbound, 0, 0);
            PortStatus.Dom0Sees(suite, "dom0_closed_port_status_closed", DomainId.Self, c, EvtchnStatusKind.Closed, 0, 0);
            suite.Returns("peer_send_on_unbound_end_dropped", 0, Remote.Send(pc));
            suite.Check("unbound_send_raises_nothing_in_dom0", !EventChannels.IsPending(c), "dom0's closed port became pending");
            suite.Errno("dom0_send_on_closed_port", XenErrno.EINVAL, EventChannels.Send(c));
            suite.Returns("peer_closes_unbound_end", 0, Remote.Close(pc));
            Channels.C = 0;
            Channels.PeerC = 0;
        }
    }
}
