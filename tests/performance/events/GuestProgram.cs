using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The inter-domain benchmark's kernel. As dom0 it builds a second domain from its own image (its
    /// initrd) and times, against it: <c>event_ping_pong</c>, one EVTCHNOP_send to the peer and the wait
    /// (SCHEDOP_poll) for its answer; <c>grant_copy_4k_from</c> and <c>grant_copy_4k_to</c>, one
    /// GNTTABOP_copy of a whole page out of and into the page the peer granted. Built into that domain
    /// ("role=peer" on its command line) it is the peer (<see cref="PeerProgram"/>). The command line may
    /// set <c>iterations=N</c> and <c>batches=B</c>; the last line is <c>BENCH done</c>.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        /// <summary>The peer's memory: a small domain.</summary>
        private const ulong PeerMemoryKib = 4096;
        private const uint MaxEvtchnPort = 1023;
        /// <summary>How long dom0 waits for the peer to be ready: 30 s of system time (TCG is slow).</summary>
        private const ulong ReadyTimeoutNs = 30000000000UL;

        private static uint s_port;
        private static ushort s_peer;
        private static GnttabCopy* s_copyFrom;
        private static GnttabCopy* s_copyTo;

        public static uint Main(StartInfo* start)
        {
            if (PeerProgram.IsPeer())
                return PeerProgram.Run();
            ReadSettings();
            XenExtraversion extra;
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            if (Hypercalls.XenVersion(XenVersionCommand.Extraversion, &extra) != 0)
                extra.Text[0] = 0;
            GuestConsole.Line().Text("BENCH info hypervisor=").Dec((ulong)version >> 16).Char('.').Dec((ulong)version & 0xFFFF)
                .Asciiz(extra.Text, XenExtraversion.Length).Text(" iterations=").Dec(Measure.Iterations)
                .Text(" batches=").Dec(Measure.Batches).End();

            var builder = new DomainBuilder();
            string failed = StartPeer(builder, start);
            if (failed != null)
            {
                ConsoleLine line = GuestConsole.Line().Text("BENCH error ").Text(failed).Text(": ");
                builder.WriteFailure(line).End();
                Unavailable(failed);
            }
            else
            {
                Measure.Run("event_ping_pong", &PingPong, Measure.Iterations, 1);
                GrantCopies();
            }
            if (builder.Domain != 0)
            {
                long rc = builder.Destroy();
                if (rc != 0)
                    GuestConsole.Line().Text("BENCH error destroying the peer: ").Result(rc).End();
            }
            GuestConsole.Line().Text("BENCH done").End();
            return ShutdownReason.Poweroff;
        }

        // Creates and builds the peer, offers it a port and waits for its first event (it is bound and
        // has granted its page). The step that failed, or null.
        private static string StartPeer(DomainBuilder builder, StartInfo* start)
        {
            if (start->ModStart == 0 || start->ModLen < 64)
                return "no initrd (the benchmark's own image is its initrd)";
            if (builder.LoadImage((byte*)start->ModStart, start->ModLen) != 0)
                return "loading the peer's image";
            if (builder.Create(PeerMemoryKib, MaxEvtchnPort) != 0)
                return "creating the peer";
            s_peer = builder.Domain;
            long port = EventChannels.AllocUnbound(DomainId.Self, s_peer);
            if (port <= 0)
                return "alloc_unbound for the peer";
            s_port = (uint)port;
            CommandLineWriter command = new CommandLineWriter().Append("role=peer evtchn=").Decimal((ulong)port);
            if (builder.Build(command.Text, command.Length) != 0)
                return "building the peer";
            if (builder.Start() != 0)
                return "starting the peer";
            if (!WaitForPeer(ReadyTimeoutNs))
                return "waiting for the peer's first event";
            return null;
        }

        // The first event, with a deadline (a peer that crashed never sends it).
        private static bool WaitForPeer(ulong timeoutNs)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = s_port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            ulong deadline = GuestClock.Now() + timeoutNs;
            while (!EventChannels.IsPending(s_port))
            {
                if (GuestClock.Now() >= deadline)
                    return false;
                poll.Timeout = deadline;
                if (Hypercalls.SchedOp(SchedOp.Poll, &poll) != 0)
                    return false;
            }
            EventChannels.ClearPending(s_port);
            return true;
        }

        // One round trip: an event to the peer, and the wait for its answer.
        private static void PingPong(ulong iteration)
        {
            EventChannels.Send(s_port);
            uint port = s_port;
            SchedPoll poll = default;
            poll.Ports = (ulong)&port;
            poll.NrPorts = 1;
            while (!EventChannels.IsPending(port))
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
            EventChannels.ClearPending(port);
        }

        private static void GrantCopies()
        {
            byte* local = GuestMemory.AllocatePages(1);
            ulong frame = MachineFrames.Of(local);
            s_copyFrom = (GnttabCopy*)GuestMemory.Allocate((ulong)sizeof(GnttabCopy));
            *s_copyFrom = GrantTables.CopyOperation(PeerProgram.GrantRef, s_peer, 0, frame, DomainId.Self, 0, 4096, GrantCopyFlags.SourceGref);
            s_copyTo = (GnttabCopy*)GuestMemory.Allocate((ulong)sizeof(GnttabCopy));
            *s_copyTo = GrantTables.CopyOperation(frame, DomainId.Self, 0, PeerProgram.GrantRef, s_peer, 0, 4096, GrantCopyFlags.DestGref);
            TimeCopy("grant_copy_4k_from", s_copyFrom, &CopyFrom);
            // The page came over whole: the peer filled it with its pattern.
            if (((ulong*)local)[0] != PeerProgram.PagePattern || ((ulong*)local)[511] != PeerProgram.PagePattern)
                GuestConsole.Line().Text("BENCH error the copied page does not hold the peer's pattern").End();
            TimeCopy("grant_copy_4k_to", s_copyTo, &CopyTo);
        }

        private static void TimeCopy(string key, GnttabCopy* op, delegate*<ulong, void> timed)
        {
            op->Status = short.MinValue;
            long rc = GrantTables.Copy(op);
            if (rc != 0 || op->Status != GrantStatus.Okay)
            {
                Measure.NotAvailable(key, rc != 0 ? "GNTTABOP_copy failed" : "GNTTABOP_copy status", rc != 0 ? rc : op->Status);
                return;
            }
            Measure.Run(key, timed, Measure.Iterations, 1);
        }

        private static void CopyFrom(ulong iteration) => GrantTables.Copy(s_copyFrom);

        private static void CopyTo(ulong iteration) => GrantTables.Copy(s_copyTo);

        private static void Unavailable(string why)
        {
            Measure.NotAvailable("event_ping_pong", why, 0);
            Measure.NotAvailable("grant_copy_4k_from", why, 0);
            Measure.NotAvailable("grant_copy_4k_to", why, 0);
        }

        private static void ReadSettings()
        {
            if (KernelCommandLine.TryGetNumber("iterations", out ulong iterations) && iterations > 0)
                Measure.Iterations = iterations;
            if (KernelCommandLine.TryGetNumber("batches", out ulong batches) && batches > 0)
                Measure.Batches = batches;
        }
    }
}
