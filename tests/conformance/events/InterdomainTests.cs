using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_alloc_unbound and bind_interdomain within one domain (a loopback pair). alloc_unbound
    /// with remote DOMID_SELF offers the port to the caller's own id (status: unbound, remote dom 0);
    /// any remote id is accepted, even one that names no domain; an owner that does not exist is
    /// -ESRCH. bind_interdomain to that port gives a new local port, connects both ends (status:
    /// interdomain with the peer's port) and sets the local port pending, as Xen does for an event the
    /// unbound end may have dropped; a send on one end raises the other end only. Binding to a port
    /// that is not unbound, not offered to the caller, free or beyond the table is -EINVAL; to a domain
    /// that does not exist -ESRCH.
    /// </summary>
    internal static unsafe class InterdomainTests
    {
        public static void Run(TestSuite suite)
        {
            Ports.Quiesce();
            long remote = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            Ports.Got(suite, "alloc_unbound", remote);
            Ports.ExpectStatus(suite, "status_unbound", remote, EvtchnStatusKind.Unbound, 0, Ports.OwnId, 0);
            Ports.ExpectPending(suite, "alloc_unbound_not_pending", remote, false);

            long offered = EventChannels.AllocUnbound(Ports.OwnId, Ports.NoSuchDomain);
            Ports.Got(suite, "alloc_unbound_for_absent_domain", offered);
            Ports.ExpectStatus(suite, "status_unbound_for_absent_domain", offered, EvtchnStatusKind.Unbound, 0, Ports.NoSuchDomain, 0);
            suite.Errno("alloc_unbound_absent_owner", XenErrno.ESRCH, EventChannels.AllocUnbound(Ports.NoSuchDomain, DomainId.Self));

            long local = remote > 0 ? EventChannels.BindInterdomain(DomainId.Self, (uint)remote) : remote;
            Ports.Got(suite, "bind_interdomain_loopback", local);
            Ports.ExpectPending(suite, "bind_interdomain_sets_local_pending", local, true);
            Ports.ExpectPending(suite, "bind_interdomain_remote_not_pending", remote, false);
            Ports.ExpectStatus(suite, "status_interdomain_local", local, EvtchnStatusKind.Interdomain, 0, Ports.OwnId, (uint)remote);
            Ports.ExpectStatus(suite, "status_interdomain_remote", remote, EvtchnStatusKind.Interdomain, 0, Ports.OwnId, (uint)local);

            if (local > 0)
            {
                EventChannels.ClearPending((uint)local);
                suite.Returns("send_remote_end", 0, EventChannels.Send((uint)remote));
                Ports.ExpectPending(suite, "send_remote_end_raises_local", local, true);
                Ports.ExpectPending(suite, "send_remote_end_not_itself", remote, false);
                EventChannels.ClearPending((uint)local);
                suite.Returns("send_local_end", 0, EventChannels.Send((uint)local));
                Ports.ExpectPending(suite, "send_local_end_raises_remote", remote, true);
                Ports.ExpectPending(suite, "send_local_end_not_itself", local, false);
                EventChannels.ClearPending((uint)remote);
            }
            else
            {
                suite.Skip("send_loopback", "no pair");
            }

            suite.Errno("bind_interdomain_to_connected_port", XenErrno.EINVAL, EventChannels.BindInterdomain(DomainId.Self, (uint)remote));
            suite.Errno("bind_interdomain_to_port_for_other_domain", XenErrno.EINVAL, EventChannels.BindInterdomain(DomainId.Self, (uint)offered));
            suite.Errno("bind_interdomain_to_ipi_port", XenErrno.EINVAL, BindToIpi());
            suite.Errno("bind_interdomain_to_port_0", XenErrno.EINVAL, EventChannels.BindInterdomain(DomainId.Self, 0));
            suite.Errno("bind_interdomain_beyond_table", XenErrno.EINVAL, EventChannels.BindInterdomain(DomainId.Self, Ports.BeyondTable));
            suite.Errno("bind_interdomain_absent_domain", XenErrno.ESRCH, EventChannels.BindInterdomain(Ports.NoSuchDomain, 1));

            // The caller's own id works as DOMID_SELF does.
            long byId = EventChannels.AllocUnbound(Ports.OwnId, Ports.OwnId);
            long boundById = byId > 0 ? EventChannels.BindInterdomain(Ports.OwnId, (uint)byId) : byId;
            Ports.Got(suite, "bind_interdomain_own_id", boundById);
            Ports.ExpectStatus(suite, "status_interdomain_own_id", byId, EvtchnStatusKind.Interdomain, 0, Ports.OwnId, (uint)boundById);
            Ports.Release(boundById);
            Ports.Release(byId);

            Ports.Release(local);
            Ports.Release(remote);
            Ports.Release(offered);
            Ports.Quiesce();
        }

        // A port bound for IPIs is not offered to anyone.
        private static long BindToIpi()
        {
            long ipi = EventChannels.BindIpi(0);
            if (ipi <= 0)
                return ipi;
            long rc = EventChannels.BindInterdomain(DomainId.Self, (uint)ipi);
            Ports.Release(ipi);
            return rc;
        }
    }
}
