using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The second domain's side ("role=peer report=VA evtchn=PORT" on its command line): four vCPUs, of
    /// which dom0 gave vCPU 1 a context (down) before the start. vCPU 0 runs the tests with events masked,
    /// waiting in polls; its test lines go to dom0 through the report page (<see cref="PeerChannel"/>).
    /// When they are over it sends an event on its port to dom0, waits for dom0's answer (dom0 looks at
    /// the running vCPUs meanwhile), then takes every vCPU down, itself last: the domain powers off.
    /// </summary>
    internal static unsafe class PeerProgram
    {
        public static bool IsPeer()
        {
            if (!KernelCommandLine.TryGetValue("role", out byte* value, out int length))
                return false;
            return Ascii.Equals(value, length, "peer");
        }

        public static uint Run(StartInfo* start)
        {
            if (!KernelCommandLine.TryGetNumber("report", out ulong reportVa) || !KernelCommandLine.TryGetNumber("evtchn", out ulong remotePort))
                return ShutdownReason.Crash;   // dom0 sees the shutdown instead of a report
            PeerChannel* channel = (PeerChannel*)reportVa;
            PeerChannel.Capture(channel);
            var suite = new TestSuite("vcpus");
            if (!suite.Check("peer_shared_info_mapped", SharedInfoPage.Get() != null, "update_va_mapping of shared info failed"))
                return ShutdownReason.Crash;
            long local = EventChannels.BindInterdomain(0, (uint)remotePort);
            suite.Result("peer_bind_interdomain", local > 0).Text(" port ").Result(local).End();
            if (local <= 0)
                return ShutdownReason.Crash;
            EventChannels.ClearPending((uint)local);

            Secondaries.Initialise();
            ulong l4 = MachineFrames.Of(start->PtBase);
            BringUpTests.Run(suite, l4);
            EventTests.Run(suite);
            TimerTests.Run(suite);
            YieldTests.Run(suite);
            RunstateTests.Run(suite);
            DownTests.Run(suite, l4);

            channel->Magic = PeerChannel.MagicValue;
            EventChannels.Send((uint)local);
            WaitForDom0((uint)local);
            // Every vCPU down, this one last: taking down the last vCPU that is up powers the domain off.
            for (uint v = 1; v < Secondaries.Count; v++)
                Hypercalls.VcpuOp(VcpuOp.Down, v, null);
            Hypercalls.VcpuOp(VcpuOp.Down, 0, null);
            return ShutdownReason.Crash;       // not reached: dom0 sees a crash instead of a power-off
        }

        private static void WaitForDom0(uint port)
        {
            uint* ports = stackalloc uint[1];
            ports[0] = port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            while (!EventChannels.IsPending(port))
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
            EventChannels.ClearPending(port);
        }
    }
}
