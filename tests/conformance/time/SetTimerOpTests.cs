using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// set_timer_op(deadline), the one-shot timer Linux programs for every tick it needs: a deadline in
    /// the past fires at once, one in the future not before it (and not long after), 0 cancels, a new
    /// deadline replaces the old; a deadline that looks wrapped (negative, or 2^50 ns and more ahead) is
    /// taken for a guest bug and fires 100 ms later instead. The periodic timer is stopped, so every
    /// VIRQ_TIMER seen here is the one-shot's.
    /// </summary>
    internal static unsafe class SetTimerOpTests
    {
        public const ulong Delay = 20000000UL;
        /// <summary>How late a timer may be under emulation and still count as on time.</summary>
        public const ulong Lateness = 1000000000UL;
        /// <summary>How long a test waits for a timer that must not fire.</summary>
        public const ulong Silence = 100000000UL;
        private const ulong HugeDelay = 100000000UL;

        public static void Run(TestSuite suite)
        {
            TimerPort.Clear();
            ulong now = GuestClock.Now();
            long rc = Hypercalls.SetTimerOp(now - 1000000UL);
            bool fired = TimerPort.WaitUntil(now + Lateness, out ulong woke);
            suite.Result("past_deadline_fires_at_once", rc == 0 && fired && woke - now < Lateness)
                .Text(" returned ").Result(rc).Text(", VIRQ_TIMER ").Text(fired ? "after " : "not seen in ").Dec((woke - now) / 1000).Text(" us").End();

            TimerPort.Clear();
            now = GuestClock.Now();
            rc = Hypercalls.SetTimerOp(now + Delay);
            fired = TimerPort.WaitUntil(now + Delay + Lateness, out woke);
            Timely(suite, "future_deadline_fires_on_time", rc, fired, now, now + Delay, woke);

            TimerPort.Clear();
            now = GuestClock.Now();
            Hypercalls.SetTimerOp(now + Delay);
            rc = Hypercalls.SetTimerOp(0);
            fired = TimerPort.WaitUntil(now + Delay + Silence, out woke);
            suite.Result("zero_cancels", rc == 0 && !fired).Text(" returned ").Result(rc).Text(", VIRQ_TIMER ")
                .Text(fired ? "fired after " : "silent for ").Dec((woke - now) / 1000).Text(" us").End();

            TimerPort.Clear();
            now = GuestClock.Now();
            Hypercalls.SetTimerOp(now + Delay / 4);
            rc = Hypercalls.SetTimerOp(now + 3 * Delay);
            fired = TimerPort.WaitUntil(now + 3 * Delay + Lateness, out woke);
            Timely(suite, "new_deadline_replaces_old", rc, fired, now, now + 3 * Delay, woke);

            // Wrapped deadlines: negative, and far beyond 2^50 ns.
            Huge(suite, "negative_deadline_fires_after_100ms", 0x8000000000000000UL);
            Huge(suite, "far_deadline_fires_after_100ms", GuestClock.Now() + (1UL << 52));
            Hypercalls.SetTimerOp(0);
            TimerPort.Clear();
        }

        private static void Huge(TestSuite suite, string test, ulong deadline)
        {
            TimerPort.Clear();
            ulong now = GuestClock.Now();
            long rc = Hypercalls.SetTimerOp(deadline);
            bool fired = TimerPort.WaitUntil(now + HugeDelay + Lateness, out ulong woke);
            Timely(suite, test, rc, fired, now, now + HugeDelay, woke);
        }

        /// <summary>PASS when the call returned 0 and VIRQ_TIMER came at or after <paramref name="due"/>, within
        /// <see cref="Lateness"/>.</summary>
        public static void Timely(TestSuite suite, string test, long rc, bool fired, ulong start, ulong due, ulong woke)
        {
            suite.Result(test, rc == 0 && fired && woke >= due && woke - due < Lateness)
                .Text(" returned ").Result(rc).Text(", VIRQ_TIMER ").Text(fired ? "after " : "not seen in ").Dec((woke - start) / 1000)
                .Text(" us (due after ").Dec((due - start) / 1000).Text(" us)").End();
        }
    }
}
