using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Time;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// set_timer_op(timeout): arm the caller's one-shot timer for a system time in ns (0 stops it).
    /// A deadline that is negative or more than 2^50 ns (about 13 days) away is taken, as by Xen, for a
    /// wrapped computation in the guest, and VIRQ_TIMER is raised at once instead: the guest has work
    /// due. A deadline already past counts as far away (the distance is unsigned), so it fires at once too.
    /// </summary>
    public static class SetTimerOpHypercall
    {
        private const ulong FarFuture = 1UL << 50;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong timeout = args.A1;
            if (timeout == 0)
            {
                VcpuTimers.SetSingleshot(vcpu, 0);
                return 0;
            }
            ulong now = SystemTime.Now(vcpu.Domain.Host);
            if ((long)timeout < 0 || timeout - now >= FarFuture)
            {
                EventChannels.SendVirq(vcpu, Virq.Timer);
                return 0;
            }
            VcpuTimers.SetSingleshot(vcpu, timeout);
            return 0;
        }
    }
}
