using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// dom0 waiting for the peer: SCHEDOP_poll on dom0's port in 100 ms slices, looking at the peer's
    /// getdomaininfo between them, so that a peer that shut down (or never answers) ends the wait with
    /// the reason rather than a hang.
    /// </summary>
    internal static unsafe class PeerWait
    {
        public const int EventArrived = 0;
        public const int TimedOut = 1;
        public const int DomainShutDown = 2;
        public const int DomainGone = 3;

        private const ulong SliceNs = 100000000UL;

        /// <summary>Until <paramref name="port"/> is pending (cleared then), the domain shuts down (when
        /// <paramref name="untilShutdown"/>, only that ends it) or the timeout.</summary>
        public static int For(uint port, ushort domain, ulong timeoutNs, bool untilShutdown, out ulong waitedNs, out uint flags)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = untilShutdown ? 0u : 1u;
            ulong start = GuestClock.Now();
            ulong deadline = start + timeoutNs;
            flags = 0;
            while (true)
            {
                ulong now = GuestClock.Now();
                waitedNs = now - start;
                if (!untilShutdown && EventChannels.IsPending(port))
                {
                    EventChannels.ClearPending(port);
                    return EventArrived;
                }
                long rc = DomainControl.GetInfo(domain, out DomctlGetDomainInfo info);
                if (rc != 0 || info.Domain != domain)
                    return DomainGone;
                flags = info.Flags;
                if ((info.Flags & DomainInfoFlags.Shutdown) != 0)
                    return DomainShutDown;
                if (now >= deadline)
                    return TimedOut;
                poll.Timeout = now + SliceNs < deadline ? now + SliceNs : deadline;
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
            }
        }

        public static uint ShutdownReasonOf(uint flags) => (flags >> DomainInfoFlags.ShutdownShift) & DomainInfoFlags.ShutdownMask;

        public static ConsoleLine Describe(ConsoleLine line, int outcome, ulong waitedNs, uint flags)
        {
            switch (outcome)
            {
                case EventArrived: return line.Text("event after ").Dec(waitedNs / 1000000).Text(" ms");
                case TimedOut: return line.Text("nothing after ").Dec(waitedNs / 1000000).Text(" ms (flags ").Hex(flags).Text(")");
                case DomainShutDown:
                    return line.Text("shut down (reason ").Dec(ShutdownReasonOf(flags)).Text(") after ").Dec(waitedNs / 1000000).Text(" ms");
                default: return line.Text("the peer is gone (getdomaininfo)");
            }
        }
    }
}
