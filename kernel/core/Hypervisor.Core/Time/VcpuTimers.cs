using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Scheduling;

namespace Hypervisor.Core.Time
{
    /// <summary>
    /// The timers of every domain: each vCPU's one-shot and periodic timers (VIRQ_TIMER), the timeouts
    /// of polls, the domains' watchdogs, and the epoch at which every vCPU's time stamp is refreshed. The arch layer calls <see cref="Expire"/> from its timer
    /// interrupt and when it is idle, and programs its timer for <see cref="NextDeadline"/>. Like Xen,
    /// the periodic timer only ticks while its vCPU is not blocked; a vCPU woken after a missed period
    /// gets one tick at once.
    /// </summary>
    public static class VcpuTimers
    {
        /// <summary>Fires everything due at <paramref name="now"/>.</summary>
        public static void Expire(Host host, ulong now)
        {
            VcpuTimeStamps.Expire(host, now);
            DomainList domains = host.Domains;
            for (int d = 0; d < domains.Count; d++)
            {
                Domain domain = domains.At(d);
                if (domain == null || !domain.IsAlive)
                    continue;
                DomainWatchdogs.Expire(domain, now);
                Vcpu[] vcpus = domain.Vcpus;
                for (int i = 0; i < vcpus.Length && domain.IsAlive; i++)
                    Expire(vcpus[i], now);
            }
        }

        private static void Expire(Vcpu vcpu, ulong now)
        {
            if (vcpu.SingleshotDeadline != 0 && now >= vcpu.SingleshotDeadline)
            {
                vcpu.SingleshotDeadline = 0;
                EventChannels.SendVirq(vcpu, Virq.Timer);
            }
            if (vcpu.PeriodicPeriod != 0 && vcpu.IsRunnable && now - vcpu.PeriodicLastEvent >= vcpu.PeriodicPeriod)
            {
                vcpu.PeriodicLastEvent = now;
                EventChannels.SendVirq(vcpu, Virq.Timer);
            }
            if (vcpu.IsPolling && vcpu.PollDeadline != 0 && now >= vcpu.PollDeadline)
                VcpuBlocking.Wake(vcpu);
        }

        /// <summary>The earliest system time at which something is due (ulong.MaxValue: nothing).</summary>
        public static ulong NextDeadline(Host host)
        {
            ulong next = Earliest(ulong.MaxValue, VcpuTimeStamps.NextDue(host));
            DomainList domains = host.Domains;
            for (int d = 0; d < domains.Count; d++)
            {
                Domain domain = domains.At(d);
                if (domain == null || !domain.IsAlive)
                    continue;
                next = Earliest(next, DomainWatchdogs.NextDeadline(domain));
                Vcpu[] vcpus = domain.Vcpus;
                for (int i = 0; i < vcpus.Length; i++)
                {
                    Vcpu vcpu = vcpus[i];
                    next = Earliest(next, vcpu.SingleshotDeadline);
                    if (vcpu.PeriodicPeriod != 0 && vcpu.IsRunnable)
                        next = Earliest(next, vcpu.PeriodicLastEvent + vcpu.PeriodicPeriod);
                    if (vcpu.IsPolling)
                        next = Earliest(next, vcpu.PollDeadline);
                }
            }
            return next;
        }

        /// <summary>
        /// The earliest system time at which something CPU <paramref name="cpu"/> looks after is due
        /// (ulong.MaxValue: nothing): the timers of the vCPUs the scheduler keeps there (running, queued,
        /// or last run there: a blocked vCPU's wake-up) and, on CPU 0, the domains' watchdogs and the
        /// time stamps' epoch. Each
        /// deadline is one CPU's, so an idle CPU is not woken for a vCPU another runs; whichever CPU
        /// calls <see cref="Expire"/> fires everything that is due.
        /// </summary>
        public static ulong NextDeadline(Host host, int cpu)
        {
            ulong next = cpu == 0 ? Earliest(ulong.MaxValue, VcpuTimeStamps.NextDue(host)) : ulong.MaxValue;
            DomainList domains = host.Domains;
            for (int d = 0; d < domains.Count; d++)
            {
                Domain domain = domains.At(d);
                if (domain == null || !domain.IsAlive)
                    continue;
                if (cpu == 0)
                    next = Earliest(next, DomainWatchdogs.NextDeadline(domain));
                Vcpu[] vcpus = domain.Vcpus;
                for (int i = 0; i < vcpus.Length; i++)
                {
                    Vcpu vcpu = vcpus[i];
                    CreditVcpu state = vcpu.CreditState;
                    if ((state == null ? 0 : state.Cpu) != cpu)
                        continue;
                    next = Earliest(next, vcpu.SingleshotDeadline);
                    if (vcpu.PeriodicPeriod != 0 && vcpu.IsRunnable)
                        next = Earliest(next, vcpu.PeriodicLastEvent + vcpu.PeriodicPeriod);
                    if (vcpu.IsPolling)
                        next = Earliest(next, vcpu.PollDeadline);
                }
            }
            return next;
        }

        /// <summary>set_timer_op and VCPUOP_set_singleshot_timer: arms (or with 0 stops) the one-shot timer.</summary>
        public static void SetSingleshot(Vcpu vcpu, ulong deadline)
        {
            vcpu.SingleshotDeadline = deadline;
            vcpu.Domain.Host.TimersChanged = true;
        }

        /// <summary>VCPUOP_set_periodic_timer / stop_periodic_timer (period 0); the first tick is one
        /// period from now.</summary>
        public static void SetPeriodic(Vcpu vcpu, ulong period)
        {
            vcpu.PeriodicPeriod = period;
            vcpu.PeriodicLastEvent = SystemTime.Now(vcpu.Domain.Host);
            vcpu.Domain.Host.TimersChanged = true;
        }

        private static ulong Earliest(ulong a, ulong b) => b != 0 && b < a ? b : a;
    }
}
