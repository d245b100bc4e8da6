using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// SCHEDOP_block enables events and sleeps until one is pending: with an event already pending (an
    /// IPI port sent to itself) it returns 0 at once and the upcall is delivered; with VIRQ_TIMER bound
    /// (the periodic timer stopped) and set_timer_op armed 2 ms ahead it returns 0 once the timer fired,
    /// not before the deadline.
    /// Events are enabled after block returns. The suite masks them again and closes its ports.
    /// </summary>
    internal static unsafe class BlockTests
    {
        private const ulong TimerDelay = 2000000;   // ns

        public static void Run(TestSuite suite)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            if (shared == null || !GuestCallbacks.Registered)
            {
                suite.Skip("block", "shared info not mapped or callbacks not registered");
                return;
            }
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(shared, 0);
            PendingEvent(suite, vcpu);
            Timer(suite, vcpu);
        }

        private static void PendingEvent(TestSuite suite, VcpuInfo* vcpu)
        {
            long port = EventChannels.BindIpi(0);
            suite.Result("bind_ipi", port > 0).Text(" port ").Result(port).End();
            if (port <= 0)
            {
                suite.Skip("block_with_event_pending", "no port");
                return;
            }
            suite.Returns("send_ipi", 0, EventChannels.Send((uint)port));
            bool pending = EventChannels.IsPending((uint)port);
            ulong upcalls = GuestCallbacks.Events;
            long rc = Hypercalls.SchedOp(SchedOp.Block, null);
            byte mask = vcpu->EvtchnUpcallMask;
            ulong delivered = GuestCallbacks.Events - upcalls;
            vcpu->EvtchnUpcallMask = 1;
            suite.Result("block_with_event_pending", rc == 0 && pending && delivered >= 1 && mask == 0)
                .Text(" returned ").Result(rc).Text(", port pending before ").Dec(pending ? 1UL : 0UL).Text(", upcalls ").Dec(delivered)
                .Text(", mask after ").Dec(mask).Text(" (expected 0, pending 1, at least 1 upcall, mask 0)").End();
            EventChannels.ClearPending((uint)port);
            suite.Returns("close_ipi", 0, EventChannels.Close((uint)port));
        }

        private static void Timer(TestSuite suite, VcpuInfo* vcpu)
        {
            long port = EventChannels.BindVirq(Virq.Timer, 0);
            suite.Result("bind_virq_timer", port > 0).Text(" port ").Result(port).End();
            if (port <= 0)
            {
                suite.Skip("block_until_timer", "no port");
                return;
            }
            // Without the periodic timer (10 ms by default) only the one-shot timer can wake the vCPU.
            suite.Returns("stop_periodic_timer", 0, Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 0, null));
            // A tick that came before the stop left the selector bit set too: the timer's event would then
            // raise no upcall_pending, and block would never return.
            EventChannels.ClearPending((uint)port);
            Atomic.Exchange(&vcpu->EvtchnPendingSel, 0);
            vcpu->EvtchnUpcallPending = 0;
            ulong start = GuestClock.Now();
            ulong deadline = start + TimerDelay;
            long set = Hypercalls.SetTimerOp(deadline);
            ulong upcalls = GuestCallbacks.Events;
            long rc = Hypercalls.SchedOp(SchedOp.Block, null);
            ulong end = GuestClock.Now();
            vcpu->EvtchnUpcallMask = 1;
            ulong delivered = GuestCallbacks.Events - upcalls;
            bool pending = EventChannels.IsPending((uint)port);
            suite.Returns("set_timer_op", 0, set);
            suite.Result("block_until_timer", rc == 0 && pending && delivered >= 1 && end >= deadline)
                .Text(" returned ").Result(rc).Text(" after ").Dec((end - start) / 1000).Text(" us, VIRQ_TIMER pending ")
                .Dec(pending ? 1UL : 0UL).Text(", upcalls ").Dec(delivered).End();
            Hypercalls.SetTimerOp(0);
            EventChannels.ClearPending((uint)port);
            suite.Returns("close_virq_timer", 0, EventChannels.Close((uint)port));
        }
    }
}
