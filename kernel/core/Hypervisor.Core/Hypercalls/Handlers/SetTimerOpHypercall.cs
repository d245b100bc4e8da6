using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Time;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// set_timer_op(timeout): arm the caller's one-shot timer for a system time in ns (0 stops it),
    /// replacing any deadline it had. A deadline already past fires at the next timer check. A negative
    /// one, or one at least 2^50 ns (about 13 days) away, is taken, as by Xen, for a wrapped
    /// computation in the guest (or an old guest's "no timer"): the timer fires in 100 ms instead.
    /// </summary>
    public static class SetTimerOpHypercall
    {
        private const ulong FarFuture = 1UL << 50;
        /// <summary>When a deadline Xen calls "huge" fires instead.</summary>
        public const ulong HugeTimeoutDelay = 100_000_000;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong timeout = args.A1;
            if (timeout == 0)
            {
                VcpuTimers.SetSingleshot(vcpu, 0);
                return 0;
            }
            ulong now = SystemTime.Now(vcpu.Domain.Host);
            long offset = (long)(timeout - now);
            if ((long)timeout < 0 || (offset > 0 && (ulong)offset >= FarFuture))
                timeout = now + HugeTimeoutDelay;
            VcpuTimers.SetSingleshot(vcpu, timeout);
            return 0;
        }
    }
}
