using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Dom0's side of a second domain that runs a kernel with a <see cref="PeerServer"/> (a suite's own
    /// image, say): <see cref="Create"/> with a domctl configuration, <see cref="Build"/> with the kit's
    /// <see cref="DomainBuilder"/> (dom0 offers it an unbound port, the control channel, and names the
    /// port and the mailbox page on its command line), <see cref="Start"/> (unpause, map the mailbox,
    /// wait for the server to be ready), then <see cref="Call"/> requests and read
    /// <see cref="Mailbox"/>'s results. Every wait is SCHEDOP_poll on the control port in short slices,
    /// with a look at getdomaininfo between them, so that a peer that never answers (or died) ends the
    /// wait after <see cref="TimeoutNs"/> with an outcome that says why; after a timeout the peer counts
    /// as unresponsive and later calls fail at once.
    /// </summary>
    public sealed unsafe class PeerDomain
    {
        /// <summary>10 s of system time: QEMU's TCG is slow, Xen's first scheduling of a domain slower.</summary>
        public const ulong TimeoutNs = 10000000000UL;
        public const ulong PollSliceNs = 10000000UL;

        public const int Answered = 0;
        public const int TimedOut = 1;
        public const int ShutDown = 2;
        public const int Gone = 3;
        public const int PollFailed = 4;
        public const int Unresponsive = 5;

        private readonly DomainBuilder builder = new DomainBuilder();
        private readonly ForeignWindow window = new ForeignWindow();
        private PeerMailbox* mailbox;
        private ulong sequence;

        public DomainBuilder Builder => builder;
        public ushort Domain => builder.Domain;

        /// <summary>Dom0's end of the control channel (0 before <see cref="Build"/>).</summary>
        public uint ControlPort { get; private set; }

        /// <summary>The mailbox as dom0 maps it (null before <see cref="Start"/> mapped it).</summary>
        public PeerMailbox* Mailbox => mailbox;

        /// <summary>The mailbox's address in the peer: pointers in requests are the peer's addresses.</summary>
        public ulong MailboxAddress { get; private set; }

        /// <summary>Where scratch byte <paramref name="offset"/> is for the peer, and for dom0.</summary>
        public ulong PeerScratch(int offset) => MailboxAddress + PeerMailbox.ScratchOffset + (ulong)offset;
        public byte* Scratch(int offset) => (byte*)mailbox + PeerMailbox.ScratchOffset + offset;

        /// <summary>Keep events enabled (vcpu_info's upcall mask 0) while waiting for an answer, so that
        /// this domain's upcalls run meanwhile.</summary>
        public bool EventsOpenWhileWaiting { get; set; }

        public bool IsResponsive { get; private set; } = true;
        /// <summary>How the last wait ended, how long it took, and the peer's flags when it died or shut down.</summary>
        public int LastOutcome { get; private set; }
        public ulong LastWaitNs { get; private set; }
        public uint LastFlags { get; private set; }

        /// <summary>createdomain with <paramref name="config"/>, max_vcpus of its count, max_mem of
        /// <paramref name="memoryKib"/>; 0 or the failing call's result (the builder says which).</summary>
        public long Create(in DomctlCreateDomain config, ulong memoryKib)
        {
            long rc = DomainControl.CreateDomain(config, 0, out ushort id);
            if (rc != 0)
                return rc;
            builder.Attach(id, memoryKib);
            rc = DomainControl.MaxVcpus(id, config.MaxVcpus);
            if (rc == 0)
                rc = DomainControl.MaxMem(id, memoryKib);
            return rc;
        }

        /// <summary>Loads <paramref name="image"/>, offers the control port and builds the domain with
        /// "mailbox=0xVA evtchn=PORT" and then <paramref name="extra"/> (may be null) on its command line.</summary>
        public long Build(byte* image, ulong length, CommandLineWriter extra)
        {
            long rc = builder.LoadImage(image, length);
            if (rc != 0)
                return rc;
            long port = EventChannels.AllocUnbound(DomainId.Self, Domain);
            if (port <= 0)
                return port;
            ControlPort = (uint)port;
            // The mailbox's address follows from the layout, planned here as the builder will.
            ElfImage elf = builder.Image;
            DomainLayout.Plan(elf.VirtBase, elf.KernelEnd, builder.NrPages, out DomainLayout planned);
            MailboxAddress = planned.Report;
            CommandLineWriter command = new CommandLineWriter();
            command.Append("mailbox=").Hex(MailboxAddress).Append(" evtchn=").Decimal(ControlPort);
            if (extra != null)
                command.Append(" ").Bytes(extra.Text, extra.Length);
            return builder.Build(command.Text, command.Length);
        }

        /// <summary>Unpauses the domain, maps its mailbox writable and waits for the server's ready mark;
        /// 0, update_va_mapping_otherdomain's errno, or -ETIMEDOUT (<see cref="LastOutcome"/> says more).</summary>
        public long Start()
        {
            long rc = builder.Start();
            if (rc != 0)
                return rc;
            rc = window.Map(Domain, builder.FrameOf(MailboxAddress), true);
            if (rc != 0)
                return rc;
            mailbox = (PeerMailbox*)window.Page;
            return Wait(0, true) == Answered ? 0 : -XenErrno.ETIMEDOUT;
        }

        /// <summary>Asks the peer to run <paramref name="command"/> and waits for the answer (an event each
        /// way); the outcome (<see cref="Answered"/> ...). The results are in <see cref="Mailbox"/>.</summary>
        public int Call(uint command, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0)
            => Request(command, false, a0, a1, a2, a3, a4, a5);

        /// <summary>As <see cref="Call"/> without an event either way: the peer finds the request when it next
        /// wakes up by itself, and nothing it does for it raises this domain's ports.</summary>
        public int CallQuietly(uint command, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0)
            => Request(command, true, a0, a1, a2, a3, a4, a5);

        /// <summary>Result <paramref name="index"/> of the last answer.</summary>
        public long Result(int index) => mailbox->Results[index];

        /// <summary>Writes " (timed out after N ms)" or why the last wait failed.</summary>
        public ConsoleLine Describe(ConsoleLine line)
        {
            switch (LastOutcome)
            {
                case Answered: return line;
                case TimedOut: return line.Text(" (no answer after ").Dec(LastWaitNs / 1000000).Text(" ms)");
                case ShutDown:
                    return line.Text(" (the peer shut down, reason ").Dec((LastFlags >> DomainInfoFlags.ShutdownShift) & DomainInfoFlags.ShutdownMask)
                               .Text(", flags ").Hex(LastFlags).Text(")");
                case Gone: return line.Text(" (the peer is gone)");
                case PollFailed: return line.Text(" (SCHEDOP_poll failed)");
                default: return line.Text(" (the peer stopped answering earlier)");
            }
        }

        public long Pause() => DomainControl.Pause(Domain);
        public long Unpause() => DomainControl.Unpause(Domain);

        /// <summary>Drops dom0's mappings of the peer's frames (the mailbox and the builder's window):
        /// a frame dom0 maps would outlive the domain's destruction.</summary>
        public long ReleaseMappings()
        {
            mailbox = null;
            long rc = window.Restore();
            long rc2 = builder.Window.Restore();
            return rc != 0 ? rc : rc2;
        }

        /// <summary>Drops dom0's mappings, then destroys the domain.</summary>
        public long Destroy()
        {
            ReleaseMappings();
            IsResponsive = false;
            return DomainControl.Destroy(Domain);
        }

        private int Request(uint command, bool quiet, long a0, long a1, long a2, long a3, long a4, long a5)
        {
            if (!IsResponsive || mailbox == null)
            {
                LastOutcome = Unresponsive;
                return Unresponsive;
            }
            mailbox->Command = command;
            mailbox->Flags = quiet ? PeerMailbox.QuietReply : 0;
            mailbox->Args[0] = a0;
            mailbox->Args[1] = a1;
            mailbox->Args[2] = a2;
            mailbox->Args[3] = a3;
            mailbox->Args[4] = a4;
            mailbox->Args[5] = a5;
            sequence = mailbox->Handled + 1;
            Atomic.Exchange(&mailbox->Request, sequence);
            if (!quiet)
                EventChannels.Send(ControlPort);
            return Wait(sequence, false);
        }

        // Until the mailbox says the request is answered (or, for the start, that the server is ready).
        private int Wait(ulong request, bool forReady)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = ControlPort;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            ulong start = GuestClock.Now();
            ulong deadline = start + TimeoutNs;
            int outcome;
            while (true)
            {
                ulong now = GuestClock.Now();
                LastWaitNs = now - start;
                if (forReady ? mailbox->Magic == PeerMailbox.ReadyMagic : mailbox->Handled == request)
                {
                    outcome = Answered;
                    break;
                }
                if (now >= deadline)
                {
                    outcome = TimedOut;
                    break;
                }
                long rc = DomainControl.GetInfo(Domain, out DomctlGetDomainInfo info);
                if (rc != 0 || info.Domain != Domain)
                {
                    outcome = Gone;
                    break;
                }
                LastFlags = info.Flags;
                if ((info.Flags & (DomainInfoFlags.Shutdown | DomainInfoFlags.Dying)) != 0)
                {
                    outcome = ShutDown;
                    break;
                }
                poll.Timeout = now + PollSliceNs < deadline ? now + PollSliceNs : deadline;
                if (EventsOpenWhileWaiting)
                    vcpu->EvtchnUpcallMask = 0;
                rc = Hypercalls.SchedOp(SchedOp.Poll, &poll);
                vcpu->EvtchnUpcallMask = 1;
                EventChannels.ClearPending(ControlPort);
                if (rc != 0)
                {
                    outcome = PollFailed;
                    break;
                }
            }
            LastOutcome = outcome;
            if (outcome != Answered)
                IsResponsive = false;
            return outcome;
        }
    }
}
