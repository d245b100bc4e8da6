using System.Runtime.CompilerServices;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// The credit scheduler's view of one vCPU: its credit (in ns of CPU time it may still use), whether
    /// a wake-up boosted it, where it is (queued, running, or neither) and the CPU time it has used.
    /// Only <see cref="CreditScheduler"/> changes it.
    /// </summary>
    public sealed class CreditVcpu
    {
        public CreditVcpu(Vcpu vcpu, CreditDomain owner, int cpu)
        {
            Vcpu = vcpu;
            Owner = owner;
            Cpu = cpu;
        }

        public Vcpu Vcpu { get; }
        public CreditDomain Owner { get; }

        /// <summary>The CPU whose queue holds it, that runs it, or that ran it last (where a wake-up
        /// queues it again, as its caches are warm there).</summary>
        public int Cpu;

        /// <summary>CPU time, in ns, it may still use before it is OVER; negative when it used more than
        /// it was given.</summary>
        public long Credit;

        /// <summary>Woken with credit left: it runs before anything UNDER until it is next charged.</summary>
        public bool IsBoosted;

        /// <summary>Put to sleep by <see cref="CreditScheduler.Sleep"/> (blocked, paused, taken down):
        /// not run until <see cref="CreditScheduler.Wake"/>, whatever <see cref="Domains.Vcpu.IsRunnable"/> says.</summary>
        public bool IsAsleep;

        public bool IsRunning;

        /// <summary>SCHEDOP_yield since its CPU last chose: at that choice it goes behind the vCPUs of its
        /// priority and one of lower priority (Xen's credit1 yield), once.</summary>
        public bool HasYielded;

        /// <summary>Charged for CPU time during the current accounting period: it takes part in the
        /// next hand-out of credits even if it has blocked since.</summary>
        public bool RanThisPeriod;

        /// <summary>System time up to which it has been charged (the pick, or the last charge since).</summary>
        public ulong ChargedUntil;

        /// <summary>System time at which it last got a CPU that ran something else (or nothing) before;
        /// the rate limit counts from there.</summary>
        public ulong RunningSince;

        /// <summary>System time at which its current time slice ends.</summary>
        public ulong SliceEnd;

        /// <summary>Total CPU time it has been charged, in ns.</summary>
        public ulong CpuTime;

        /// <summary>The run queue holding it (null: not queued) and its neighbours there.</summary>
        internal CreditRunQueue Queue;
        internal CreditVcpu Next;
        internal CreditVcpu Previous;

        public bool IsQueued
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Queue != null;
        }

        public CreditPriority Priority
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => IsBoosted ? CreditPriority.Boost : Credit < 0 ? CreditPriority.Over : CreditPriority.Under;
        }
    }
}
