using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// vCPU 0's VIRQ_TIMER port, which every timer test watches. With events masked a test waits for it
    /// with SCHEDOP_poll (<see cref="WaitUntil"/>); to count ticks it opens events and lets the upcall
    /// count them (<see cref="CountTicks"/>): the handler clears the port each time, so every tick is a
    /// new edge.
    /// </summary>
    internal static unsafe class TimerPort
    {
        private static uint s_port;
        private static ulong s_ticks;

        /// <summary>The bound port (0: bind_virq failed).</summary>
        public static uint Port => s_port;

        /// <summary>Binds VIRQ_TIMER to vCPU 0; the port or the errno.</summary>
        public static long Bind()
        {
            long rc = EventChannels.BindVirq(Virq.Timer, 0);
            if (rc > 0)
                s_port = (uint)rc;
            return rc;
        }

        /// <summary>Forgets a tick already delivered: the port's pending bit, and vCPU 0's selector and
        /// upcall flag (a stale selector bit would swallow the next tick's upcall).</summary>
        public static void Clear()
        {
            EventChannels.ClearPending(s_port);
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            Atomic.Exchange(&vcpu->EvtchnPendingSel, 0);
            vcpu->EvtchnUpcallPending = 0;
        }

        public static bool IsPending => EventChannels.IsPending(s_port);

        /// <summary>Polls (events masked) until the port is pending or system time reaches
        /// <paramref name="until"/>; true when it is pending. <paramref name="woke"/> is the time it was seen.</summary>
        public static bool WaitUntil(ulong until, out ulong woke)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = s_port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            poll.Timeout = until;
            while (true)
            {
                woke = GuestClock.Now();
                if (EventChannels.IsPending(s_port))
                    return true;
                if (woke >= until)
                    return false;
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
            }
        }

        /// <summary>Runs (busy, events open) until system time <paramref name="until"/> and returns the
        /// ticks of the port the upcall saw; events are masked again and the port cleared afterwards.</summary>
        public static ulong CountTicks(ulong until)
        {
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            s_ticks = 0;
            GuestCallbacks.SetEventHook(&OnEvent);
            vcpu->EvtchnUpcallMask = 0;
            // Opening the mask by a store does not enter the hypervisor: a tick already pending would wait
            // for the next exit, so make one.
            if (vcpu->EvtchnUpcallPending != 0)
                Hypercalls.XenVersion(XenVersionCommand.Version, null);
            while (GuestClock.Now() < until)
            {
            }
            vcpu->EvtchnUpcallMask = 1;
            GuestCallbacks.SetEventHook(null);
            Clear();
            return s_ticks;
        }

        private static void OnEvent(TrapFrame* frame)
        {
            if (EventChannels.IsPending(s_port))
            {
                s_ticks++;
                EventChannels.ClearPending(s_port);
            }
        }
    }
}
