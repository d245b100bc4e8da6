using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_reset of DOMID_SELF closes every port of the domain: an IPI (pending), a VIRQ, an unbound
    /// port and both ends of a loopback pair all read closed afterwards, their pending bits cleared;
    /// ports are handed out from 1 again and the VIRQ can be bound again. A domain that does not exist
    /// is -ESRCH. Runs last: it would take any port the suite still held.
    /// </summary>
    internal static unsafe class ResetTests
    {
        public static void Run(TestSuite suite)
        {
            Ports.Quiesce();
            suite.Errno("reset_absent_domain", XenErrno.ESRCH, EventChannels.Reset(Ports.NoSuchDomain));

            long ipi = EventChannels.BindIpi(0);
            long virq = EventChannels.BindVirq(Virq.Debug, 0);
            long unbound = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            long remote = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            long local = remote > 0 ? EventChannels.BindInterdomain(DomainId.Self, (uint)remote) : remote;
            if (ipi > 0)
                EventChannels.Send((uint)ipi);
            bool ok = ipi > 0 && virq > 0 && unbound > 0 && local > 0;
            suite.Result("ports_for_reset", ok).Text(" ipi ").Result(ipi).Text(", virq ").Result(virq).Text(", unbound ")
                .Result(unbound).Text(", interdomain ").Result(remote).Text("-").Result(local).End();

            suite.Returns("reset_self", 0, EventChannels.Reset(DomainId.Self));
            Ports.ExpectStatus(suite, "reset_closes_ipi", ipi, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.ExpectStatus(suite, "reset_closes_virq", virq, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.ExpectStatus(suite, "reset_closes_unbound", unbound, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.ExpectStatus(suite, "reset_closes_interdomain_remote", remote, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.ExpectStatus(suite, "reset_closes_interdomain_local", local, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.ExpectPending(suite, "reset_clears_pending_ipi", ipi, false);
            Ports.ExpectPending(suite, "reset_clears_pending_interdomain", local, false);
            Ports.ExpectStatus(suite, "reset_leaves_port_0", 0, EvtchnStatusKind.Closed, 0, 0, 0);

            long first = EventChannels.BindIpi(0);
            suite.Returns("port_1_after_reset", 1, first);
            long again = EventChannels.BindVirq(Virq.Debug, 0);
            Ports.Got(suite, "bind_virq_again_after_reset", again);
            suite.Returns("reset_self_by_id", 0, EventChannels.Reset(Ports.OwnId));
            Ports.ExpectStatus(suite, "reset_by_id_closes", first, EvtchnStatusKind.Closed, 0, 0, 0);
            suite.Returns("reset_with_no_ports", 0, EventChannels.Reset(DomainId.Self));
            Ports.Quiesce();
        }
    }
}
