using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The second domain's side ("role=peer evtchn=PORT"): binds to dom0's port, grants dom0 a page
    /// filled with <see cref="PagePattern"/> in entry <see cref="GrantRef"/> (writable), tells dom0 it is
    /// ready with an event, then answers every event with one, waiting in SCHEDOP_poll with events
    /// masked. It never returns: dom0 destroys it.
    /// </summary>
    internal static unsafe class PeerProgram
    {
        public const uint GrantRef = 8;
        public const ulong PagePattern = 0x5045455250414745UL;   // "PEERPAGE"

        public static bool IsPeer()
        {
            if (!KernelCommandLine.TryGetValue("role", out byte* value, out int length))
                return false;
            return Ascii.Equals(value, length, "peer");
        }

        public static uint Run()
        {
            if (!KernelCommandLine.TryGetNumber("evtchn", out ulong remotePort))
                return ShutdownReason.Crash;   // dom0 sees the shutdown instead of the event
            SharedInfoPage.Get();
            long local = EventChannels.BindInterdomain(0, (uint)remotePort);
            if (local <= 0)
                return ShutdownReason.Crash;
            uint port = (uint)local;
            EventChannels.ClearPending(port);   // bind_interdomain leaves the new port pending

            ulong* page = (ulong*)GuestMemory.AllocatePages(1);
            for (int i = 0; i < 512; i++)
                page[i] = PagePattern;
            if (GrantTables.MapTable((ulong)GuestMemory.AllocatePages(1)) != 0)
                return ShutdownReason.Crash;
            GrantTables.Grant(GrantRef, 0, MachineFrames.Of(page), false);

            EventChannels.Send(port);
            SchedPoll poll = default;
            poll.Ports = (ulong)&port;
            poll.NrPorts = 1;
            while (true)
            {
                while (!EventChannels.IsPending(port))
                    Hypercalls.SchedOp(SchedOp.Poll, &poll);
                EventChannels.ClearPending(port);
                EventChannels.Send(port);
            }
        }
    }
}
