using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_close: a closed port reads closed, its pending bit is cleared, sends on it and closing it
    /// again are -EINVAL; port 0 and ports beyond the table are -EINVAL. Closing one end of a loopback
    /// pair makes the other end unbound (offered to the domain again, so it can be bound anew) and drops
    /// sends on it. An unbound port closes like any other.
    /// </summary>
    internal static unsafe class CloseTests
    {
        public static void Run(TestSuite suite)
        {
            Ports.Quiesce();
            Ipi(suite);
            Loopback(suite);
            long unbound = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            suite.Returns("close_unbound", 0, unbound > 0 ? EventChannels.Close((uint)unbound) : unbound);
            Ports.ExpectStatus(suite, "status_closed_unbound", unbound, EvtchnStatusKind.Closed, 0, 0, 0);
            suite.Errno("close_port_0", XenErrno.EINVAL, EventChannels.Close(0));
            suite.Errno("close_never_used_port", XenErrno.EINVAL, EventChannels.Close(63));
            suite.Errno("close_beyond_table", XenErrno.EINVAL, EventChannels.Close(Ports.BeyondTable));
            suite.Errno("close_beyond_limit", XenErrno.EINVAL, EventChannels.Close(Ports.BeyondLimit));
            Ports.Quiesce();
        }

        private static void Ipi(TestSuite suite)
        {
            long ipi = EventChannels.BindIpi(0);
            if (!Ports.Got(suite, "bind_ipi_to_close", ipi))
                return;
            uint port = (uint)ipi;
            EventChannels.Send(port);
            Ports.ExpectPending(suite, "pending_before_close", port, true);
            suite.Returns("close_ipi", 0, EventChannels.Close(port));
            Ports.ExpectPending(suite, "close_clears_pending", port, false);
            Ports.ExpectStatus(suite, "status_closed_ipi", port, EvtchnStatusKind.Closed, 0, 0, 0);
            suite.Errno("send_closed_port", XenErrno.EINVAL, EventChannels.Send(port));
            suite.Errno("close_closed_port", XenErrno.EINVAL, EventChannels.Close(port));
        }

        private static void Loopback(TestSuite suite)
        {
            long remote = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            long local = remote > 0 ? EventChannels.BindInterdomain(DomainId.Self, (uint)remote) : remote;
            if (!Ports.Got(suite, "loopback_pair", local))
            {
                Ports.Release(remote);
                return;
            }
            suite.Returns("close_interdomain_end", 0, EventChannels.Close((uint)local));
            Ports.ExpectPending(suite, "close_interdomain_clears_pending", local, false);
            Ports.ExpectStatus(suite, "status_peer_unbound_after_close", remote, EvtchnStatusKind.Unbound, 0, Ports.OwnId, 0);
            Ports.ExpectStatus(suite, "status_closed_interdomain_end", local, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.Quiesce();
            suite.Returns("send_on_unbound_peer", 0, EventChannels.Send((uint)remote));
            Ports.ExpectPending(suite, "send_on_unbound_peer_dropped", remote, false);
            Ports.ExpectPending(suite, "send_on_unbound_peer_not_to_old_port", local, false);
            SendTests.Flags(suite, "send_on_unbound_peer_no_upcall", Ports.Vcpu0, 0, 0);

            long rebound = EventChannels.BindInterdomain(DomainId.Self, (uint)remote);
            Ports.Got(suite, "bind_again_to_unbound_peer", rebound);
            Ports.ExpectStatus(suite, "status_rebound_peer", remote, EvtchnStatusKind.Interdomain, 0, Ports.OwnId, (uint)rebound);
            // Closing the end alloc_unbound made leaves the other end unbound the same way.
            suite.Returns("close_first_end", 0, EventChannels.Close((uint)remote));
            Ports.ExpectStatus(suite, "status_other_end_unbound", rebound, EvtchnStatusKind.Unbound, 0, Ports.OwnId, 0);
            Ports.Release(rebound);
            Ports.Quiesce();
        }
    }
}
