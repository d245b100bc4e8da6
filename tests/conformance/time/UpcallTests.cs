using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// A one-shot timer's VIRQ_TIMER reaches the guest through the event upcall once events are open:
    /// the handler runs with events masked, finds the port pending and its word in the selector taken
    /// from vcpu_info; the upcall does not come before the deadline.
    /// </summary>
    internal static unsafe class UpcallTests
    {
        private static ulong s_upcalls;
        private static ulong s_seenAt;
        private static bool s_portPending;
        private static byte s_maskInside;
        private static ulong s_selector;

        public static void Run(TestSuite suite)
        {
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            TimerPort.Clear();
            GuestCallbacks.TakePendingWords();
            s_upcalls = 0;
            GuestCallbacks.SetEventHook(&OnEvent);
            ulong start = GuestClock.Now();
            ulong due = start + SetTimerOpTests.Delay;
            long rc = Hypercalls.SetTimerOp(due);
            vcpu->EvtchnUpcallMask = 0;
            ulong until = due + SetTimerOpTests.Lateness;
            while (s_upcalls == 0 && GuestClock.Now() < until)
            {
            }
            vcpu->EvtchnUpcallMask = 1;
            GuestCallbacks.SetEventHook(null);
            uint port = TimerPort.Port;
            bool selected = (s_selector & (1UL << (int)(port / 64))) != 0;
            suite.Result("virq_timer_through_upcall", rc == 0 && s_upcalls >= 1 && s_portPending && selected && s_maskInside == 1 && s_seenAt >= due)
                .Text(" set_timer_op ").Result(rc).Text(", upcalls ").Dec(s_upcalls).Text(" after ").Dec((s_seenAt - start) / 1000)
                .Text(" us (due after ").Dec((due - start) / 1000).Text(" us), port pending ").Dec(s_portPending ? 1UL : 0UL)
                .Text(", selector ").Hex(s_selector).Text(", mask inside ").Dec(s_maskInside).End();
            TimerPort.Clear();
        }

        private static void OnEvent(TrapFrame* frame)
        {
            if (s_upcalls++ != 0)
                return;
            s_seenAt = GuestClock.Now();
            s_selector = GuestCallbacks.TakePendingWords();
            s_portPending = TimerPort.IsPending;
            s_maskInside = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0)->EvtchnUpcallMask;
            EventChannels.ClearPending(TimerPort.Port);
        }
    }
}
