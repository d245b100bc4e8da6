using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The served side of a <see cref="PeerMailbox"/>: a domain that dom0 built with
    /// "mailbox=VA evtchn=PORT" on its command line (VA: the mailbox page in this domain, PORT: dom0's
    /// unbound port offered to it). <see cref="Start"/> registers the event callbacks, binds the control
    /// channel to dom0's port and VIRQ_TIMER, and marks the mailbox ready; <see cref="Serve"/> then
    /// answers requests for ever with the handler it is given.
    /// While idle it sleeps as a PV kernel does, with SCHEDOP_block (events enabled: upcalls come in and
    /// go to the event hook, see <see cref="GuestCallbacks.SetEventHook"/>) and a one-shot timer that
    /// wakes it every <see cref="IdleSliceNs"/>; in <see cref="Hold"/> mode it sleeps with events masked
    /// instead (SCHEDOP_poll on the control port with a timeout, the timer stopped), so that events sent
    /// to it stay pending for a request to look at. Requests are served with events masked.
    /// A reset may close its ports under it: before answering, and whenever it wakes, it checks them and
    /// binds again (dom0's port is offered to it again once the other end is closed).
    /// </summary>
    public static unsafe class PeerServer
    {
        public const ulong IdleSliceNs = 20000000UL;

        private static PeerMailbox* s_mailbox;
        private static uint s_dom0Port;
        private static uint s_controlPort;
        private static uint s_timerPort;
        private static bool s_hold;

        public static PeerMailbox* Mailbox => s_mailbox;

        /// <summary>This domain's end of the control channel.</summary>
        public static uint ControlPort => s_controlPort;

        /// <summary>The port of VIRQ_TIMER (the idle wake-up).</summary>
        public static uint TimerPort => s_timerPort;

        /// <summary>Sleep with events masked (see the class summary).</summary>
        public static bool Hold
        {
            get => s_hold;
            set => s_hold = value;
        }

        /// <summary>True when the command line names a mailbox and dom0's port.</summary>
        public static bool IsConfigured()
            => KernelCommandLine.TryGetNumber("mailbox", out _) && KernelCommandLine.TryGetNumber("evtchn", out _);

        /// <summary>Sets up the server; false when the command line lacks its values or the control channel
        /// cannot be bound (the caller then has no way to tell dom0, and shuts down).</summary>
        public static bool Start()
        {
            if (!KernelCommandLine.TryGetNumber("mailbox", out ulong mailbox) || !KernelCommandLine.TryGetNumber("evtchn", out ulong port))
                return false;
            s_mailbox = (PeerMailbox*)mailbox;
            s_dom0Port = (uint)port;
            if (SharedInfoPage.Get() == null || GuestCallbacks.Register() != 0)
                return false;
            EnsurePorts();
            if (s_controlPort == 0)
                return false;
            Atomic.Exchange(&s_mailbox->Magic, PeerMailbox.ReadyMagic);
            EventChannels.Send(s_controlPort);
            return true;
        }

        /// <summary>Answers requests for ever: <paramref name="handler"/> reads the command and arguments
        /// from the mailbox and writes the results.</summary>
        public static void Serve(delegate*<PeerMailbox*, void> handler)
        {
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            ulong handled = s_mailbox->Handled;
            while (true)
            {
                vcpu->EvtchnUpcallMask = 1;
                ulong request = s_mailbox->Request;
                if (request != handled)
                {
                    for (int i = 0; i < PeerMailbox.MaxResults; i++)
                        s_mailbox->Results[i] = 0;
                    handler(s_mailbox);
                    handled = request;
                    bool quiet = (s_mailbox->Flags & PeerMailbox.QuietReply) != 0;
                    EnsurePorts();
                    Atomic.Exchange(&s_mailbox->Handled, request);
                    if (!quiet)
                        EventChannels.Send(s_controlPort);
                    continue;
                }
                Sleep(vcpu);
                EnsurePorts();
            }
        }

        private static void Sleep(VcpuInfo* vcpu)
        {
            if (s_hold)
            {
                Hypercalls.SetTimerOp(0);
                uint* ports = stackalloc uint[1];
                ports[0] = s_controlPort;
                SchedPoll poll = default;
                poll.Ports = (ulong)ports;
                poll.NrPorts = 1;
                poll.Timeout = GuestClock.Now() + IdleSliceNs;
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
                EventChannels.ClearPending(s_controlPort);
                return;
            }
            Hypercalls.SetTimerOp(GuestClock.Now() + IdleSliceNs);
            // Block enables events itself: upcalls pending now or arriving later run before it returns.
            Hypercalls.SchedOp(SchedOp.Block, null);
            vcpu->EvtchnUpcallMask = 1;
            EventChannels.ClearPending(s_controlPort);
            EventChannels.ClearPending(s_timerPort);
        }

        // The control channel to dom0's port and the timer VIRQ, bound again if a reset closed them.
        private static void EnsurePorts()
        {
            if (s_controlPort == 0 || !IsBound(s_controlPort, EvtchnStatusKind.Interdomain))
            {
                long local = EventChannels.BindInterdomain(0, s_dom0Port);
                if (local > 0)
                {
                    if (s_controlPort != 0)
                        s_mailbox->Rebinds++;
                    s_controlPort = (uint)local;
                    EventChannels.ClearPending(s_controlPort);   // bind_interdomain raises the new port
                }
            }
            if (s_timerPort == 0 || !IsBound(s_timerPort, EvtchnStatusKind.Virq))
            {
                long timer = EventChannels.BindVirq(Virq.Timer, 0);
                if (timer > 0)
                    s_timerPort = (uint)timer;
            }
        }

        private static bool IsBound(uint port, uint kind)
        {
            EvtchnStatus status = default;
            return EventChannels.Status(DomainId.Self, port, &status) == 0 && status.Status == kind;
        }
    }
}
