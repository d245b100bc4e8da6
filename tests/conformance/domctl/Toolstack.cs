using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What dom0's tests share: the peer domain (its id, the builder that made it, dom0's event port for
    /// it, whether it started and reported), free memory before anything was created, and the waits for
    /// the peer's events: SCHEDOP_poll on dom0's port in 100 ms slices, looking at the peer's
    /// getdomaininfo between them, so that a peer that never answers (or shut down) gives a clean FAIL
    /// after the timeout rather than a hang.
    /// </summary>
    internal static unsafe class Toolstack
    {
        public const ulong PeerMemoryKib = 8192;
        public const uint MaxEvtchnPort = 1023;
        /// <summary>How long dom0 waits for the peer's event: 10 s of system time (TCG is slow).</summary>
        public const ulong EventTimeoutNs = 10000000000UL;
        public const ulong PollSliceNs = 100000000UL;
        /// <summary>An id below the reserved ones that no domain has.</summary>
        public const ushort AboveEveryDomain = 0x7FEF;

        public const int EventArrived = 0;
        public const int TimedOut = 1;
        public const int DomainShutDown = 2;
        public const int DomainGone = 3;
        public const int PollFailed = 4;

        public static ulong FreePagesBefore;
        public static bool HaveFreePagesBefore;

        /// <summary>The peer's id (0: not created).</summary>
        public static ushort Peer;
        public static DomainBuilder Builder;
        /// <summary>dom0's port offered to the peer (alloc_unbound), or an errno.</summary>
        public static long Port;
        public static bool Built;
        public static bool Started;
        public static bool Reported;
        /// <summary>dom0's copy of the peer's report page (<see cref="ReadReport"/>).</summary>
        public static PeerReport* Report;
        /// <summary>A page of dom0's own, marked; the peer is given its frame to try to reach it.</summary>
        public static ulong* Dom0Page;

        public const ulong Dom0Pattern = 0x444F4D3050414745UL;   // "DOM0PAGE"

        /// <summary>Waits for <paramref name="port"/> to be pending (and clears it); the outcome, how long it
        /// took and the peer's flags when it ended otherwise.</summary>
        public static int WaitForEvent(uint port, ushort domain, ulong timeoutNs, out ulong waitedNs, out uint flags)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            ulong start = GuestClock.Now();
            ulong deadline = start + timeoutNs;
            flags = 0;
            while (true)
            {
                ulong now = GuestClock.Now();
                waitedNs = now - start;
                if (EventChannels.IsPending(port))
                {
                    EventChannels.ClearPending(port);
                    return EventArrived;
                }
                if (now >= deadline)
                    return TimedOut;
                long rc = DomainControl.GetInfo(domain, out DomctlGetDomainInfo info);
                if (rc != 0 || info.Domain != domain)
                    return DomainGone;
                flags = info.Flags;
                if ((info.Flags & DomainInfoFlags.Shutdown) != 0)
                    return DomainShutDown;
                poll.Timeout = now + PollSliceNs < deadline ? now + PollSliceNs : deadline;
                if (Hypercalls.SchedOp(SchedOp.Poll, &poll) != 0)
                    return PollFailed;
            }
        }

        /// <summary>" after N ms" or why the wait ended without the event.</summary>
        public static ConsoleLine DescribeWait(ConsoleLine line, int outcome, ulong waitedNs, uint flags)
        {
            switch (outcome)
            {
                case EventArrived: return line.Text("after ").Dec(waitedNs / 1000000).Text(" ms");
                case TimedOut: return line.Text("no event after ").Dec(waitedNs / 1000000).Text(" ms (flags ").Hex(flags).Text(")");
                case DomainShutDown:
                    return line.Text("the peer shut down (reason ").Dec((flags >> DomainInfoFlags.ShutdownShift) & DomainInfoFlags.ShutdownMask)
                               .Text(", flags ").Hex(flags).Text(") after ").Dec(waitedNs / 1000000).Text(" ms");
                case DomainGone: return line.Text("the peer is gone (getdomaininfo)");
                default: return line.Text("SCHEDOP_poll failed");
            }
        }

        /// <summary>Copies the peer's report page (read through the builder's window, then put back) into
        /// <see cref="Report"/>; the mapping's result.</summary>
        public static long ReadReport()
        {
            if (Report == null)
                Report = (PeerReport*)GuestMemory.AllocatePages(1);
            byte* page = Builder.MapPage(Builder.Layout.Report, false);
            if (page == null)
                return Builder.FailedResult;
            ulong* from = (ulong*)page;
            ulong* to = (ulong*)Report;
            for (int i = 0; i < 512; i++)
                to[i] = from[i];
            return Builder.Window.Restore();
        }

        /// <summary>The peer is running and answered: tests that need it run, others skip with a reason.</summary>
        public static bool PeerAnswers(TestSuite suite, string test)
        {
            if (Reported)
                return true;
            suite.Skip(test, Started ? "the peer never reported" : "the peer was not started");
            return false;
        }
    }
}
