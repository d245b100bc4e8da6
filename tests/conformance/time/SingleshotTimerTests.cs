using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// VCPUOP_set_singleshot_timer and stop_singleshot_timer on the calling vCPU: a future deadline fires
    /// on time; a past one fires at once, also with VCPU_SSHOTTMR_future (which Xen 4.17, with the
    /// fix Debian ships, ignores rather than answer -ETIME); stop cancels; it is the same timer as set_timer_op's (each cancels or
    /// replaces the other's deadline).
    /// </summary>
    internal static unsafe class SingleshotTimerTests
    {
        private const ulong Delay = SetTimerOpTests.Delay;
        private const ulong Lateness = SetTimerOpTests.Lateness;
        private const ulong Silence = SetTimerOpTests.Silence;

        public static void Run(TestSuite suite)
        {
            TimerPort.Clear();
            ulong now = GuestClock.Now();
            long rc = Set(now + Delay, 0);
            bool fired = TimerPort.WaitUntil(now + Delay + Lateness, out ulong woke);
            SetTimerOpTests.Timely(suite, "singleshot_fires_on_time", rc, fired, now, now + Delay, woke);

            TimerPort.Clear();
            now = GuestClock.Now();
            rc = Set(now + Delay, VcpuSetSingleshotTimer.FlagFuture);
            fired = TimerPort.WaitUntil(now + Delay + Lateness, out woke);
            SetTimerOpTests.Timely(suite, "singleshot_future_flag_future_deadline", rc, fired, now, now + Delay, woke);

            TimerPort.Clear();
            now = GuestClock.Now();
            rc = Set(now - 1000000UL, 0);
            fired = TimerPort.WaitUntil(now + Lateness, out woke);
            suite.Result("singleshot_past_deadline_fires_at_once", rc == 0 && fired)
                .Text(" returned ").Result(rc).Text(", VIRQ_TIMER ").Text(fired ? "after " : "not seen in ").Dec((woke - now) / 1000).Text(" us").End();

            // Xen 4.17 as Debian ships it ignores VCPU_SSHOTTMR_future (Linux set it and lost ticks on
            // -ETIME): a past deadline with the flag fires at once like any other.
            TimerPort.Clear();
            now = GuestClock.Now();
            rc = Set(now - 1000000UL, VcpuSetSingleshotTimer.FlagFuture);
            fired = TimerPort.WaitUntil(now + Lateness, out woke);
            suite.Result("singleshot_future_flag_ignored", rc == 0 && fired)
                .Text(" returned ").Result(rc).Text(", VIRQ_TIMER ").Text(fired ? "after " : "not seen in ").Dec((woke - now) / 1000).Text(" us").End();

            TimerPort.Clear();
            now = GuestClock.Now();
            Set(now + Delay, 0);
            rc = Hypercalls.VcpuOp(VcpuOp.StopSingleshotTimer, 0, null);
            fired = TimerPort.WaitUntil(now + Delay + Silence, out woke);
            Silent(suite, "stop_singleshot_cancels", rc, fired, now, woke);

            TimerPort.Clear();
            now = GuestClock.Now();
            Set(now + Delay, 0);
            rc = Hypercalls.SetTimerOp(0);
            fired = TimerPort.WaitUntil(now + Delay + Silence, out woke);
            Silent(suite, "set_timer_op_zero_cancels_singleshot", rc, fired, now, woke);

            TimerPort.Clear();
            now = GuestClock.Now();
            Hypercalls.SetTimerOp(now + Delay);
            rc = Hypercalls.VcpuOp(VcpuOp.StopSingleshotTimer, 0, null);
            fired = TimerPort.WaitUntil(now + Delay + Silence, out woke);
            Silent(suite, "stop_singleshot_cancels_set_timer_op", rc, fired, now, woke);

            TimerPort.Clear();
            now = GuestClock.Now();
            Hypercalls.SetTimerOp(now + Delay / 4);
            rc = Set(now + 3 * Delay, 0);
            fired = TimerPort.WaitUntil(now + 3 * Delay + Lateness, out woke);
            SetTimerOpTests.Timely(suite, "singleshot_replaces_set_timer_op_deadline", rc, fired, now, now + 3 * Delay, woke);

            Hypercalls.SetTimerOp(0);
            TimerPort.Clear();
        }

        public static long Set(ulong deadline, uint flags)
        {
            VcpuSetSingleshotTimer set = default;
            set.TimeoutAbsNs = deadline;
            set.Flags = flags;
            return Hypercalls.VcpuOp(VcpuOp.SetSingleshotTimer, 0, &set);
        }

        private static void Silent(TestSuite suite, string test, long rc, bool fired, ulong start, ulong woke)
        {
            suite.Result(test, rc == 0 && !fired).Text(" returned ").Result(rc).Text(", VIRQ_TIMER ")
                .Text(fired ? "fired after " : "silent for ").Dec((woke - start) / 1000).Text(" us").End();
        }
    }
}
