using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Timers of a secondary vCPU: VIRQ_TIMER bound to vCPU 1; its one-shot timer may be set and stopped
    /// by itself only (-EINVAL from vCPU 0), and wakes it from SCHEDOP_block not before the deadline; its
    /// periodic timer may be set and stopped by vCPU 0 and then ticks on vCPU 1 at about the period while
    /// vCPU 1 runs.
    /// </summary>
    internal static unsafe class TimerTests
    {
        private const ulong Delay = 20000000UL;
        private const ulong Period = 5000000UL;
        private const ulong Window = 200000000UL;

        public static void Run(TestSuite suite)
        {
            if (Secondaries.Read(&Secondaries.Box(1)->Started) == 0)
            {
                suite.Skip("timers_of_vcpu1", "vCPU 1 is not running");
                return;
            }
            long port = EventChannels.BindVirq(Virq.Timer, 1);
            suite.Result("bind_virq_timer_vcpu1", port > 0 && port < Mailbox.TrackedPorts).Text(" port ").Result(port).End();
            if (port <= 0 || port >= Mailbox.TrackedPorts)
                return;
            uint timer = (uint)port;
            Secondaries.Own(1, timer);
            // Its 100 Hz ticker would wake it too: only the one-shot timer may, here.
            suite.Returns("stop_periodic_of_vcpu1_from_vcpu0", 0, Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 1, null));

            VcpuSetSingleshotTimer set = default;
            set.TimeoutAbsNs = GuestClock.Now() + Delay;
            suite.Errno("set_singleshot_of_other_vcpu_einval", XenErrno.EINVAL, Hypercalls.VcpuOp(VcpuOp.SetSingleshotTimer, 1, &set));
            suite.Errno("stop_singleshot_of_other_vcpu_einval", XenErrno.EINVAL, Hypercalls.VcpuOp(VcpuOp.StopSingleshotTimer, 1, null));

            ulong hits = Secondaries.Hits(1, timer);
            ulong due = GuestClock.Now() + Delay;
            ulong sequence = Secondaries.Post(1, Orders.TimerBlock, due, timer);
            bool done = Secondaries.WaitDone(1, sequence);
            Mailbox* box = Secondaries.Box(1);
            suite.Result("singleshot_wakes_vcpu1", done && box->Result == 0 && Secondaries.Hits(1, timer) > hits && box->Value >= due)
                .Text(" set returned ").Result(done ? box->Result : 1).Text(", VIRQ_TIMER on vCPU 1 ").Dec(Secondaries.Hits(1, timer) - hits)
                .Text(" time(s), woke ").Signed((long)(box->Value - due) / 1000).Text(" us after the deadline").End();

            VcpuSetPeriodicTimer periodic;
            periodic.PeriodNs = Period;
            suite.Returns("set_periodic_of_vcpu1_from_vcpu0", 0, Hypercalls.VcpuOp(VcpuOp.SetPeriodicTimer, 1, &periodic));
            hits = Secondaries.Hits(1, timer);
            sequence = Secondaries.Post(1, Orders.Spin, 0, 0);
            Secondaries.Sleep(Window);
            ulong ticks = Secondaries.Hits(1, timer) - hits;
            Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 1, null);
            Secondaries.WaitDone(1, Secondaries.Post(1, Orders.ReadClock, 0, 0));
            ulong expected = Window / Period;
            suite.Result("periodic_ticks_on_vcpu1", ticks >= expected / 2 && ticks <= expected + expected / 2)
                .Text(" ").Dec(ticks).Text(" VIRQ_TIMER upcalls on vCPU 1 in ").Dec(Window / 1000000).Text(" ms (period ").Dec(Period / 1000)
                .Text(" us: about ").Dec(expected).Text(")").End();
            BringUpTests.Clock(suite, 1, "vcpu1_time_info_agrees_later");
        }
    }
}
