using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The second domain's side ("role=peer" on its command line, after the mailbox and control port
    /// the kit's <see cref="PeerServer"/> reads): an unprivileged domU that may not use the console, so
    /// it only answers dom0's requests (<see cref="PeerCommand"/>) through its mailbox page, with its
    /// upcalls counted by <see cref="PortCounter"/> (the sequence word is the mailbox's Shared[0]).
    /// </summary>
    internal static unsafe class PeerProgram
    {
        /// <summary>How long <see cref="PeerCommand.Ping"/> waits for each echo.</summary>
        public const ulong EchoTimeoutNs = 2000000000UL;

        public static bool IsPeer()
        {
            if (!KernelCommandLine.TryGetValue("role", out byte* value, out int length))
                return false;
            return Ascii.Equals(value, length, "peer");
        }

        public static uint Run()
        {
            if (!PeerServer.IsConfigured())
                return ShutdownReason.Crash;   // dom0 sees the shutdown instead of an answer
            KernelCommandLine.TryGetNumber("mailbox", out ulong address);
            PortCounter.Install(&((PeerMailbox*)address)->Shared[0]);
            if (!PeerServer.Start())
                return ShutdownReason.Crash;
            PeerServer.Serve(&Handle);
            return ShutdownReason.Poweroff;
        }

        private static void Handle(PeerMailbox* m)
        {
            long* a = m->Args;
            long* r = m->Results;
            switch (m->Command)
            {
                case PeerCommand.Hypercall:
                    r[0] = Hypercalls.Raw((int)a[0], (ulong)a[1], (ulong)a[2], (ulong)a[3], (ulong)a[4], (ulong)a[5]);
                    return;
                case PeerCommand.Peek:
                    {
                        bool ok = Probe.TryRead((ulong)a[0], out ulong value);
                        r[0] = ok ? 1 : 0;
                        r[1] = (long)value;
                        return;
                    }
                case PeerCommand.Poke:
                    r[0] = Probe.TryWrite((ulong)a[0], (ulong)a[1]) ? 1 : 0;
                    return;
                case PeerCommand.Allocate:
                    r[0] = (long)GuestMemory.AllocatePages((ulong)a[0]);
                    return;
                case PeerCommand.FrameOf:
                    r[0] = (long)MachineFrames.Of((ulong)a[0]);
                    return;
                case PeerCommand.Fill:
                    Bytes.Fill((byte*)a[0], a[1], a[2]);
                    return;
                case PeerCommand.Hash:
                    r[0] = Bytes.Hash((byte*)a[0], a[1]);
                    return;
                case PeerCommand.EventState:
                    EventState((uint)a[0], a[1] != 0, r);
                    return;
                case PeerCommand.Quiesce:
                    if (a[0] != 0)
                        EventChannels.ClearPending((uint)a[0]);
                    EventChannels.ClearPending(PeerServer.TimerPort);
                    PortCounter.Quiesce();
                    return;
                case PeerCommand.Echo:
                    PortCounter.SetEcho((uint)a[0], a[1] != 0);
                    return;
                case PeerCommand.Hold:
                    PeerServer.Hold = a[0] != 0;
                    if (PeerServer.Hold)
                        Hypercalls.SetTimerOp(0);
                    return;
                case PeerCommand.Ping:
                    r[0] = Ping((uint)a[0], a[1]);
                    return;
                case PeerCommand.SendBurst:
                    for (long i = 0; i < a[1]; i++)
                    {
                        if (EventChannels.Send((uint)a[0]) != 0)
                            r[0]++;
                    }
                    return;
                case PeerCommand.Mask:
                    EventChannels.Mask((uint)a[0]);
                    return;
                case PeerCommand.UnmaskOpen:
                    {
                        VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
                        vcpu->EvtchnUpcallMask = 0;
                        r[0] = EventChannels.Unmask((uint)a[0]);
                        vcpu->EvtchnUpcallMask = 1;
                        r[1] = (long)PortCounter.Upcalls((uint)a[0]);
                        return;
                    }
                case PeerCommand.GrantSetup:
                    r[0] = GrantTables.MapTable((ulong)GuestMemory.AllocatePages(1));
                    r[1] = (long)GrantTables.TableFrame;
                    return;
                case PeerCommand.Grant:
                    GrantTables.Grant((uint)a[0], (ushort)a[1], (ulong)a[2], a[3] != 0);
                    return;
                case PeerCommand.EntryFlags:
                    r[0] = GrantTables.FlagsOf((uint)a[0]);
                    r[1] = *(long*)(GrantTables.Entries + (uint)a[0]);
                    return;
                case PeerCommand.EndAccess:
                    r[0] = GrantTables.EndAccess((uint)a[0]) ? 1 : 0;
                    return;
                case PeerCommand.ForceRevoke:
                    GrantTables.Entries[(uint)a[0]].Flags = 0;
                    return;
                case PeerCommand.ProbeWrite:
                    r[0] = Probe.WriteFaultVector((ulong)a[0], (ulong)a[1]);
                    return;
                case PeerCommand.L1Entry:
                    r[0] = PageTableWalk.TryFindL1Entry((ulong)a[0], out _, out ulong entry) ? (long)entry : 0;
                    return;
                case PeerCommand.YieldInHandler:
                    PortCounter.SetYieldInHandler((uint)a[0], a[1] != 0);
                    return;
                case PeerCommand.Info:
                    r[0] = PeerServer.ControlPort;
                    r[1] = PeerServer.TimerPort;
                    r[2] = (long)m->Rebinds;
                    return;
            }
        }

        private static void EventState(uint port, bool letIn, long* r)
        {
            if (letIn)
                PortCounter.LetUpcallsIn();
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            r[0] = EventChannels.IsPending(port) ? 1 : 0;
            r[1] = EventChannels.IsMasked(port) ? 1 : 0;
            r[2] = (long)PortCounter.Upcalls(port);
            r[3] = (long)PortCounter.LastSequence(port);
            r[4] = (long)vcpu->EvtchnPendingSel;
            r[5] = vcpu->EvtchnUpcallPending;
            r[6] = (long)PortCounter.Total;
            r[7] = (long)PortCounter.ArrivedWhileHandling(port);
        }

        // Sends on the port and waits for the echo, count times, with events masked throughout.
        private static long Ping(uint port, long count)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            long echoes = 0;
            for (long i = 0; i < count; i++)
            {
                EventChannels.ClearPending(port);
                if (EventChannels.Send(port) != 0)
                    break;
                ulong deadline = GuestClock.Now() + EchoTimeoutNs;
                while (!EventChannels.IsPending(port) && GuestClock.Now() < deadline)
                {
                    poll.Timeout = deadline;
                    Hypercalls.SchedOp(SchedOp.Poll, &poll);
                }
                if (!EventChannels.IsPending(port))
                    break;
                EventChannels.ClearPending(port);
                echoes++;
            }
            return echoes;
        }
    }
}
