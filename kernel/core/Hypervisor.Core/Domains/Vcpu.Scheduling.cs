using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// What decides whether a vCPU can run, and its timers: blocked in SCHEDOP_block or SCHEDOP_poll
    /// until an event (or the poll's timeout), the one-shot timer (set_timer_op, VCPUOP_set_singleshot_timer)
    /// and the periodic timer (100 Hz by default for PV vCPUs, as in Xen), both raising VIRQ_TIMER, and
    /// the ports its VIRQs are bound to.
    /// </summary>
    public sealed partial class Vcpu
    {
        /// <summary>The periodic timer PV vCPUs start with: 10 ms.</summary>
        public const ulong DefaultPeriodicPeriod = 10_000_000;

        /// <summary>Waits for an event (SCHEDOP_block) or, with <see cref="IsPolling"/>, for one of its
        /// polled ports or the timeout.</summary>
        public bool IsBlocked;
        public bool IsPolling;
        /// <summary>The one port a poll waits for, or -1 when it polls several (any event wakes it).</summary>
        public int PollPort;
        /// <summary>System time at which a poll gives up (0: never).</summary>
        public ulong PollDeadline;

        /// <summary>System time at which VIRQ_TIMER fires once (0: not armed).</summary>
        public ulong SingleshotDeadline;
        /// <summary>Period of the periodic timer in ns (0: stopped) and when it last fired.</summary>
        public ulong PeriodicPeriod = DefaultPeriodicPeriod;
        public ulong PeriodicLastEvent;

        /// <summary>Port bound to each VIRQ on this vCPU (0: none). Global VIRQs are kept on vCPU 0.</summary>
        public readonly uint[] VirqPorts = new uint[Virq.Count];

        /// <summary>Up, not waiting, its domain alive and not paused: the scheduler may run it.</summary>
        public bool IsRunnable
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => IsUp && !IsBlocked && Domain.IsAlive && Domain.ControllerPauses == 0;
        }
    }
}
