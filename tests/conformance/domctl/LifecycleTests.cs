using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The running peer seen by its controller: getdomaininfo (unpaused, one vCPU online, CPU time spent)
    /// and getvcpuinfo; an event from dom0 makes it run (its CPU time grows) and answer; paused, it does not
    /// answer and spends no CPU time; unpaused, it answers the event it missed; a second unpause of the
    /// now unpaused domain is -EINVAL.
    /// </summary>
    internal static unsafe class LifecycleTests
    {
        /// <summary>How long a paused peer is given to (wrongly) answer.</summary>
        public const ulong PausedWaitNs = 500000000UL;

        public static void Run(TestSuite suite)
        {
            if (!Toolstack.PeerAnswers(suite, "running_peer"))
                return;
            ushort peer = Toolstack.Peer;
            uint port = (uint)Toolstack.Port;

            long rc = DomainControl.GetInfo(peer, out DomctlGetDomainInfo info);
            suite.Result("getdomaininfo_running_peer", rc == 0 && (info.Flags & (DomainInfoFlags.Paused | DomainInfoFlags.Dying | DomainInfoFlags.Shutdown)) == 0
                         && info.NrOnlineVcpus == 1 && info.CpuTime > 0)
                .Text(" flags ").Hex(info.Flags).Text(", nr_online_vcpus ").Dec(info.NrOnlineVcpus).Text(", cpu_time ").Dec(info.CpuTime).End();
            rc = DomainControl.GetVcpuInfo(peer, 0, out DomctlGetVcpuInfo vcpu);
            suite.Result("getvcpuinfo_running_peer", rc == 0 && vcpu.Online == 1 && vcpu.CpuTime > 0)
                .Text(" returned ").Result(rc).Text(", online ").Dec(vcpu.Online).Text(", blocked ").Dec(vcpu.Blocked)
                .Text(", running ").Dec(vcpu.Running).Text(", cpu_time ").Dec(vcpu.CpuTime).End();

            // An event: the peer runs for PeerProgram.BusyNs and answers.
            ulong before = vcpu.CpuTime;
            uint acks = Acks();
            EventChannels.Send(port);
            int outcome = Toolstack.WaitForEvent(port, peer, Toolstack.EventTimeoutNs, out ulong waited, out uint flags);
            DomainControl.GetVcpuInfo(peer, 0, out vcpu);
            uint acksAfter = Acks();
            ConsoleLine line = suite.Result("peer_runs_on_event", outcome == Toolstack.EventArrived && acksAfter == acks + 1 && vcpu.CpuTime > before).Char(' ');
            Toolstack.DescribeWait(line, outcome, waited, flags).Text(", acks ").Dec(acks).Text(" -> ").Dec(acksAfter)
                .Text(", cpu_time ").Dec(before).Text(" -> ").Dec(vcpu.CpuTime).End();

            // Paused: no answer, no CPU time; unpaused: the answer comes.
            rc = DomainControl.Pause(peer);
            long infoRc = DomainControl.GetInfo(peer, out info);
            suite.Result("pause_peer", rc == 0 && infoRc == 0 && (info.Flags & DomainInfoFlags.Paused) != 0)
                .Text(" returned ").Result(rc).Text(", flags ").Hex(info.Flags).End();
            DomainControl.GetVcpuInfo(peer, 0, out vcpu);
            before = vcpu.CpuTime;
            acks = Acks();
            EventChannels.Send(port);
            outcome = Toolstack.WaitForEvent(port, peer, PausedWaitNs, out waited, out flags);
            DomainControl.GetVcpuInfo(peer, 0, out vcpu);
            suite.Result("paused_peer_does_not_run", outcome == Toolstack.TimedOut && Acks() == acks && vcpu.CpuTime == before)
                .Text(" outcome ").Dec((ulong)outcome).Text(", acks ").Dec(acks).Text(" -> ").Dec(Acks())
                .Text(", cpu_time ").Dec(before).Text(" -> ").Dec(vcpu.CpuTime).End();
            rc = DomainControl.Unpause(peer);
            outcome = Toolstack.WaitForEvent(port, peer, Toolstack.EventTimeoutNs, out waited, out flags);
            line = suite.Result("unpaused_peer_answers", rc == 0 && outcome == Toolstack.EventArrived && Acks() == acks + 1).Char(' ');
            line.Text("unpause ").Result(rc).Text(", ");
            Toolstack.DescribeWait(line, outcome, waited, flags).Text(", acks ").Dec(Acks()).End();
            suite.Errno("unpause_running_peer", XenErrno.EINVAL, DomainControl.Unpause(peer));
        }

        private static uint Acks()
        {
            return Toolstack.ReadReport() == 0 ? Toolstack.Report->Acks : 0;
        }
    }
}
