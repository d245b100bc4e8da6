using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The second domain's side ("role=peer report=VA evtchn=PORT frame=MFN" on its command line): an
    /// unprivileged domU built by dom0. It may not use the console (Xen answers -EPERM), so it binds to
    /// dom0's unbound port, tries what an unprivileged domain must not do (domctl, sysctl, mapping,
    /// populating or copying dom0's memory, ports it does not have), writes every result into its report
    /// page and sends an event. Then it waits with events masked (SCHEDOP_poll on its port): each event
    /// from dom0 makes it run for about <see cref="BusyNs"/> of system time, count the wake-up in the
    /// report and send an event back.
    /// </summary>
    internal static unsafe class PeerProgram
    {
        public const ulong BusyNs = 20000000;
        private const ulong Pattern = 0x5045455250414745UL;   // "PEERPAGE"

        public static bool IsPeer()
        {
            if (!KernelCommandLine.TryGetValue("role", out byte* value, out int length))
                return false;
            return Ascii.Equals(value, length, "peer");
        }

        public static uint Run(StartInfo* start)
        {
            if (!KernelCommandLine.TryGetNumber("report", out ulong reportVa)
                || !KernelCommandLine.TryGetNumber("evtchn", out ulong remotePort)
                || !KernelCommandLine.TryGetNumber("frame", out ulong dom0Frame))
                return ShutdownReason.Crash;   // dom0 sees the shutdown instead of a report
            PeerReport* report = (PeerReport*)reportVa;
            long* v = report->Values;
            SharedInfoPage.Get();

            EntryRegisters* entry = EntryRegisters.Saved;
            v[PeerCheck.NrPages] = (long)start->NrPages;
            v[PeerCheck.StartFlags] = start->Flags;
            v[PeerCheck.EntryRsp] = (long)entry->Rsp;
            v[PeerCheck.EntryRsi] = (long)entry->Rsi;
            v[PeerCheck.EntryCs] = entry->Cs;
            v[PeerCheck.EntrySs] = entry->Ss;
            ushort self = DomainId.Self;
            v[PeerCheck.CurrentReservation] = Hypercalls.MemoryOp(MemoryOp.CurrentReservation, &self);

            long local = EventChannels.BindInterdomain(0, (uint)remotePort);
            v[PeerCheck.LocalPort] = local;
            if (local > 0)
                EventChannels.ClearPending((uint)local);   // bind_interdomain sets the new port pending

            v[PeerCheck.DomctlGetInfo] = DomainControl.GetInfo(0, out _);
            v[PeerCheck.SysctlPhysinfo] = SystemControl.Physinfo(out _);

            // A page of the peer's own, marked, that every refused mapping below would have replaced.
            ulong* scratch = (ulong*)GuestMemory.AllocatePages(1);
            for (int i = 0; i < 512; i++)
                scratch[i] = Pattern;
            ulong foreignEntry = (dom0Frame << 12) | PageFlags.Present | PageFlags.Writable | PageFlags.User
                               | PageFlags.Accessed | PageFlags.Dirty;
            v[PeerCheck.UpdateVaMappingOtherDomain] = Hypercalls.UpdateVaMappingOtherDomain((ulong)scratch, foreignEntry, PageFlags.UvmfInvlpg, 0);
            ulong l1Entry = L1EntryAddress((ulong)scratch);
            v[PeerCheck.L1EntryAddress] = (long)l1Entry;
            MmuUpdate request;
            request.Ptr = l1Entry | MmuUpdateCommand.NormalPtUpdate;
            request.Val = foreignEntry;
            uint done = 0;
            v[PeerCheck.MmuUpdateForeign] = Hypercalls.MmuUpdate(&request, 1, &done, 0);
            v[PeerCheck.MapFrameAsOwn] = Hypercalls.UpdateVaMapping((ulong)scratch, foreignEntry, PageFlags.UvmfInvlpg);
            bool intact = true;
            for (int i = 0; i < 512; i++)
                intact &= scratch[i] == Pattern;
            v[PeerCheck.ScratchIntact] = intact ? 1 : 0;

            ulong* extent = stackalloc ulong[1];
            extent[0] = 0x7FFF0;
            XenMemoryReservation reservation = default;
            reservation.ExtentStart = (ulong)extent;
            reservation.NrExtents = 1;
            reservation.DomId = 0;
            v[PeerCheck.PopulateForDom0] = Hypercalls.MemoryOp(MemoryOp.PopulatePhysmap, &reservation);

            uint notOwn = local > 0 ? (uint)local + 1 : 2;
            v[PeerCheck.SendNotOwnPort] = EventChannels.Send(notOwn);
            v[PeerCheck.CloseNotOwnPort] = EventChannels.Close(notOwn);

            ulong scratchFrame = MachineFrames.Of(scratch);
            GnttabCopy copy = default;
            copy.Source.Gmfn = dom0Frame;
            copy.Source.DomId = 0;
            copy.Dest.Gmfn = scratchFrame;
            copy.Dest.DomId = DomainId.Self;
            copy.Len = 8;
            copy.Status = short.MinValue;
            v[PeerCheck.GrantCopyByFrame] = GrantTables.Copy(&copy);
            v[PeerCheck.GrantCopyByFrameStatus] = copy.Status;
            copy = default;
            copy.Source.Ref = 9;
            copy.Source.DomId = 0;
            copy.Dest.Gmfn = scratchFrame;
            copy.Dest.DomId = DomainId.Self;
            copy.Len = 8;
            copy.Flags = GrantCopyFlags.SourceGref;
            copy.Status = short.MinValue;
            v[PeerCheck.GrantCopyByRef] = GrantTables.Copy(&copy);
            v[PeerCheck.GrantCopyByRefStatus] = copy.Status;

            byte* text = stackalloc byte[6];
            text[0] = (byte)'p'; text[1] = (byte)'e'; text[2] = (byte)'e'; text[3] = (byte)'r'; text[4] = (byte)'\n';
            v[PeerCheck.ConsoleWrite] = Hypercalls.ConsoleWrite(text, 5);

            report->Count = PeerCheck.Count;
            report->Magic = PeerReport.MagicValue;
            if (local <= 0)
                return ShutdownReason.Crash;
            EventChannels.Send((uint)local);
            Serve(report, (uint)local);
            return ShutdownReason.Poweroff;
        }

        // Waits for dom0's events (no timeout, events masked); each one: run a while, count it, answer.
        private static void Serve(PeerReport* report, uint port)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            poll.Timeout = 0;
            while (true)
            {
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
                if (!EventChannels.IsPending(port))
                    continue;
                EventChannels.ClearPending(port);
                ulong until = GuestClock.Now() + BusyNs;
                while (GuestClock.Now() < until)
                {
                }
                report->Acks = report->Acks + 1;
                EventChannels.Send(port);
            }
        }

        // The machine address of the L1 entry that maps va, by a walk from pt_base (tables through the M2P).
        private static ulong L1EntryAddress(ulong va)
        {
            ulong tableVa = StartOfDay.StartInfo->PtBase;
            ulong tableMfn = MachineFrames.Of(tableVa);
            for (int level = 4; level > 1; level--)
            {
                ulong entry = ((ulong*)tableVa)[BootPageTables.Index(va, level)];
                if ((entry & PageFlags.Present) == 0)
                    return 0;
                tableMfn = (entry & PageFlags.FrameMask) >> 12;
                ulong pfn = *(ulong*)(AddressSpaceLayout.MachToPhysVirtStart + tableMfn * 8);
                tableVa = MachineFrames.VirtBase + pfn * 4096;
            }
            return (tableMfn << 12) + (ulong)BootPageTables.Index(va, 1) * 8;
        }
    }
}
