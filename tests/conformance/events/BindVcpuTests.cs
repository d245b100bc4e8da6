using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_bind_vcpu: an absent vCPU is -ENOENT before the port is looked at; unbound and
    /// interdomain ports and global VIRQs may move (to vCPU 0 here, the only one: status keeps vCPU 0);
    /// IPI ports and per-vCPU VIRQs stay where they were bound (-EINVAL), as do free ports and ports
    /// beyond the table.
    /// </summary>
    internal static unsafe class BindVcpuTests
    {
        public static void Run(TestSuite suite)
        {
            long ipi = EventChannels.BindIpi(0);
            long unbound = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            long remote = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            long local = remote > 0 ? EventChannels.BindInterdomain(DomainId.Self, (uint)remote) : remote;
            long perVcpu = EventChannels.BindVirq(Virq.Debug, 0);
            long global = EventChannels.BindVirq(Virq.DomExc, 0);
            bool ok = ipi > 0 && unbound > 0 && local > 0 && perVcpu > 0 && global > 0;
            suite.Result("ports_for_bind_vcpu", ok).Text(" ipi ").Result(ipi).Text(", unbound ").Result(unbound)
                .Text(", interdomain ").Result(local).Text(", virq debug ").Result(perVcpu).Text(", virq dom_exc ").Result(global).End();
            if (ok)
            {
                suite.Errno("bind_vcpu_ipi", XenErrno.EINVAL, EventChannels.BindVcpu((uint)ipi, 0));
                suite.Errno("bind_vcpu_absent_vcpu", XenErrno.ENOENT, EventChannels.BindVcpu((uint)unbound, Ports.AbsentVcpu));
                suite.Errno("bind_vcpu_absent_vcpu_bad_port", XenErrno.ENOENT, EventChannels.BindVcpu(Ports.BeyondTable, Ports.AbsentVcpu));
                suite.Errno("bind_vcpu_absent_vcpu_ipi", XenErrno.ENOENT, EventChannels.BindVcpu((uint)ipi, Ports.AbsentVcpu));
                suite.Returns("bind_vcpu_unbound", 0, EventChannels.BindVcpu((uint)unbound, 0));
                Ports.ExpectStatus(suite, "status_after_bind_vcpu", unbound, EvtchnStatusKind.Unbound, 0, Ports.OwnId, 0);
                suite.Returns("bind_vcpu_interdomain", 0, EventChannels.BindVcpu((uint)local, 0));
                suite.Errno("bind_vcpu_per_vcpu_virq", XenErrno.EINVAL, EventChannels.BindVcpu((uint)perVcpu, 0));
                suite.Returns("bind_vcpu_global_virq", 0, EventChannels.BindVcpu((uint)global, 0));
                suite.Errno("bind_vcpu_port_0", XenErrno.EINVAL, EventChannels.BindVcpu(0, 0));
                suite.Errno("bind_vcpu_free_port", XenErrno.EINVAL, EventChannels.BindVcpu(63, 0));
                suite.Errno("bind_vcpu_beyond_table", XenErrno.EINVAL, EventChannels.BindVcpu(Ports.BeyondTable, 0));
            }
            Ports.Release(global);
            Ports.Release(perVcpu);
            Ports.Release(local);
            Ports.Release(remote);
            Ports.Release(unbound);
            Ports.Release(ipi);
            Ports.Quiesce();
        }
    }
}
