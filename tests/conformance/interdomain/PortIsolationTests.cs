using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// A domain uses only its own ports: the peer naming dom0's port numbers names its own table, where
    /// they are free (send, close, bind_vcpu: -EINVAL) or beyond it (status too: -EINVAL), and dom0's
    /// ports stay as they were, not raised; the peer may not reset dom0's ports (-EPERM), and dom0's
    /// channel to it survives the attempt.
    /// </summary>
    internal static unsafe class PortIsolationTests
    {
        /// <summary>Dom0's ports are made up to this one, past the first 64 (the peer's table has one bucket).</summary>
        public const uint BeyondPeerTable = 64;

        public static void Run(TestSuite suite)
        {
            if (!Remote.Alive(suite, "port_isolation"))
                return;
            ushort peer = Remote.Id;
            // A port of dom0's whose number the peer does not use: the peer's table has it, free.
            long* made = stackalloc long[(int)BeyondPeerTable + 1];
            int count = 0;
            long first = 0;
            EvtchnStatus status = default;
            long rc = 0;
            while (count < 16)
            {
                long port = EventChannels.AllocUnbound(DomainId.Self, peer);
                made[count++] = port;
                if (port <= 0)
                    break;
                rc = Remote.Status(DomainId.Self, (uint)port, &status);
                if (rc == 0 && status.Status == EvtchnStatusKind.Closed)
                {
                    first = port;
                    break;
                }
            }
            suite.Result("dom0_port_free_in_peer_table", first > 0).Text(" dom0's port ").Result(first)
                .Text(", the peer's status of that port returned ").Result(rc).Text(", kind ").Dec(status.Status).End();
            if (first <= 0)
            {
                Release(made, count);
                return;
            }
            uint f = (uint)first;
            suite.Errno("peer_send_on_dom0_port", XenErrno.EINVAL, Remote.Send(f));
            suite.Errno("peer_close_dom0_port", XenErrno.EINVAL, Remote.Close(f));
            suite.Errno("peer_bind_vcpu_dom0_port", XenErrno.EINVAL, Remote.BindVcpu(f, 0));
            PortStatus.Dom0Sees(suite, "dom0_port_untouched", DomainId.Self, f, EvtchnStatusKind.Unbound, peer, 0);
            suite.Check("dom0_port_not_raised", !EventChannels.IsPending(f), "dom0's port became pending");

            // Dom0's ports past the peer's one bucket.
            long g = first;
            while (g > 0 && g < BeyondPeerTable && count <= (int)BeyondPeerTable)
            {
                g = EventChannels.AllocUnbound(DomainId.Self, peer);
                made[count++] = g;
            }
            if (g >= BeyondPeerTable)
            {
                suite.Errno("peer_send_port_beyond_its_table", XenErrno.EINVAL, Remote.Send((uint)g));
                suite.Errno("peer_close_port_beyond_its_table", XenErrno.EINVAL, Remote.Close((uint)g));
                suite.Errno("peer_status_port_beyond_its_table", XenErrno.EINVAL, Remote.Status(DomainId.Self, (uint)g, &status));
                PortStatus.Dom0Sees(suite, "dom0_port_beyond_peer_table_untouched", DomainId.Self, (uint)g, EvtchnStatusKind.Unbound, peer, 0);
            }
            else
            {
                suite.Fail("dom0_ports_beyond_peer_table").Text("alloc_unbound returned ").Result(g).End();
            }
            Release(made, count);

            suite.Errno("peer_reset_dom0", XenErrno.EPERM, Remote.Reset(0));
            PortStatus.Dom0Sees(suite, "dom0_control_survives_peer_reset_attempt", DomainId.Self, Remote.Peer.ControlPort,
                EvtchnStatusKind.Interdomain, peer, Channels.PeerControl);
        }

        private static void Release(long* ports, int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (ports[i] > 0)
                    EventChannels.Close((uint)ports[i]);
            }
        }
    }
}
