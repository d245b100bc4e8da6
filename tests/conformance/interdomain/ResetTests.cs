using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_reset across domains. Dom0 may reset the peer's ports only while it keeps the peer
    /// paused (Xen: the domain's controller pause count; -EINVAL for a running domain); the reset closes
    /// every port of the peer, and dom0's ends of its channels become unbound (offered to the peer
    /// again). The peer, unpaused, finds its control port closed when it next wakes (it sleeps with a
    /// timeout meanwhile) and binds it again. The peer resetting itself does the same to dom0's ends.
    /// </summary>
    internal static unsafe class ResetTests
    {
        public static void Run(TestSuite suite)
        {
            if (!Remote.Alive(suite, "reset"))
                return;
            ushort peer = Remote.Id;
            PeerDomain domain = Remote.Peer;
            uint control = domain.ControlPort;
            uint a = Channels.A, pa = Channels.PeerA;

            suite.Errno("reset_running_peer_refused", XenErrno.EINVAL, EventChannels.Reset(peer));
            PortStatus.Dom0Sees(suite, "refused_reset_keeps_ports", DomainId.Self, control, EvtchnStatusKind.Interdomain, peer, Channels.PeerControl);

            Remote.Call(PeerCommand.Hold, 1);
            suite.Returns("pause_peer", 0, domain.Pause());
            suite.Returns("reset_paused_peer", 0, EventChannels.Reset(peer));
            PortStatus.Dom0Sees(suite, "reset_unbinds_dom0_control_end", DomainId.Self, control, EvtchnStatusKind.Unbound, peer, 0);
            if (a != 0)
            {
                PortStatus.Dom0Sees(suite, "reset_unbinds_dom0_data_end", DomainId.Self, a, EvtchnStatusKind.Unbound, peer, 0);
                PortStatus.Dom0Sees(suite, "reset_closes_peer_ports", peer, pa, EvtchnStatusKind.Closed, 0, 0);
            }
            PortStatus.Dom0Sees(suite, "reset_closes_peer_control_port", peer, Channels.PeerControl, EvtchnStatusKind.Closed, 0, 0);
            suite.Returns("unpause_peer", 0, domain.Unpause());

            ulong rebinds = Rebinds(suite, "peer_binds_control_again_after_reset", 1);
            if (rebinds == 1)
                PortStatus.Dom0Sees(suite, "control_channel_restored", DomainId.Self, control, EvtchnStatusKind.Interdomain, peer, Channels.PeerControl);

            if (a != 0 && Remote.Alive(suite, "peer_resets_itself"))
            {
                long again = Remote.BindInterdomain(0, a);
                suite.Result("peer_binds_data_port_again", again > 0).Text(" local port ").Result(again).End();
                suite.Returns("peer_resets_itself", 0, Remote.Reset(DomainId.Self));
                PortStatus.Dom0Sees(suite, "own_reset_unbinds_dom0_end", DomainId.Self, a, EvtchnStatusKind.Unbound, peer, 0);
                Rebinds(suite, "peer_binds_control_again_after_own_reset", 2);
            }
            Remote.Call(PeerCommand.Hold, 0);
        }

        // The peer's count of control rebinds, which must have reached expected.
        private static ulong Rebinds(TestSuite suite, string test, ulong expected)
        {
            bool answered = Remote.Call(PeerCommand.Info);
            ulong rebinds = answered ? (ulong)Remote.R(2) : 0;
            if (answered)
                Channels.PeerControl = (uint)Remote.R(0);
            ConsoleLine line = suite.Result(test, answered && rebinds == expected).Text(" answered after ").Dec(Remote.Peer.LastWaitNs / 1000000)
                .Text(" ms, rebinds ").Dec(rebinds).Text(", control port ").Dec(Channels.PeerControl);
            Remote.Peer.Describe(line).End();
            return rebinds;
        }
    }
}
