using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The periodic timer (VCPUOP_set_periodic_timer / stop_periodic_timer): a PV vCPU starts with a
    /// 100 Hz one, and VIRQ_TIMER ticks through the event upcall at about the period while the vCPU runs;
    /// a new period replaces the old one; a period under 1 ms (0 included) is -EINVAL and changes
    /// nothing; stop silences it. Counts are taken over <see cref="Window"/> of busy running with events
    /// open, and must be within a half and one and a half times the period's share (emulation is noisy).
    /// </summary>
    internal static unsafe class PeriodicTimerTests
    {
        private const ulong Window = 400000000UL;
        private const ulong DefaultPeriod = 10000000UL;

        /// <summary>Before anything stops it: the 100 Hz ticker every PV vCPU starts with.</summary>
        public static void RunDefault(TestSuite suite)
        {
            TimerPort.Clear();
            Count(suite, "default_period_100hz", DefaultPeriod);
        }

        public static void Run(TestSuite suite)
        {
            suite.Returns("set_periodic_4ms", 0, Set(4000000UL));
            Count(suite, "periodic_4ms_ticks", 4000000UL);

            suite.Errno("period_below_1ms_einval", XenErrno.EINVAL, Set(999999UL));
            suite.Errno("period_zero_einval", XenErrno.EINVAL, Set(0));
            Count(suite, "refused_period_keeps_old", 4000000UL);

            suite.Returns("set_periodic_20ms", 0, Set(20000000UL));
            Count(suite, "new_period_replaces_old", 20000000UL);

            suite.Returns("stop_periodic", 0, Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 0, null));
            TimerPort.Clear();
            ulong ticks = TimerPort.CountTicks(GuestClock.Now() + Window / 4);
            suite.Equal("stopped_periodic_silent", 0, ticks);

            suite.Returns("set_periodic_1ms", 0, Set(1000000UL));
            suite.Returns("stop_periodic_again", 0, Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 0, null));
            TimerPort.Clear();
        }

        public static long Set(ulong period)
        {
            VcpuSetPeriodicTimer set;
            set.PeriodNs = period;
            return Hypercalls.VcpuOp(VcpuOp.SetPeriodicTimer, 0, &set);
        }

        private static void Count(TestSuite suite, string test, ulong period)
        {
            ulong start = GuestClock.Now();
            ulong ticks = TimerPort.CountTicks(start + Window);
            ulong expected = Window / period;
            suite.Result(test, ticks >= expected / 2 && ticks <= expected + expected / 2)
                .Text(" ").Dec(ticks).Text(" VIRQ_TIMER upcalls in ").Dec(Window / 1000000).Text(" ms (period ")
                .Dec(period / 1000).Text(" us: about ").Dec(expected).Text(")").End();
        }
    }
}
