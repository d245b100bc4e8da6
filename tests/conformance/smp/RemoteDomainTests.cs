using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// A second domain whose vCPU runs on the other CPU, controlled from this one: dom0 builds this same
    /// kernel as a domain that only spins ("role=spinner"), waits until its vCPU runs on a CPU other than
    /// dom0's vCPU 0, pauses it there (it stops: no CPU time while paused), unpauses it, and destroys it
    /// while it runs there. The domain is gone and dom0 goes on; then a second one, built into the memory
    /// the first gave back, runs and is destroyed the same way.
    /// </summary>
    internal static unsafe class RemoteDomainTests
    {
        private const ulong MemoryKib = 8192;
        private const uint MaxEvtchnPort = 1023;
        private const ulong Timeout = 5_000_000_000;
        private const ulong PausedWait = 300_000_000;

        /// <summary>The spinner's side: its kernel command line says role=spinner.</summary>
        public static bool IsSpinner()
        {
            if (!KernelCommandLine.TryGetValue("role", out byte* value, out int length))
                return false;
            return Ascii.Equals(value, length, "spinner");
        }

        public static void Spin()
        {
            while (true)
            {
            }
        }

        public static void Run(TestSuite suite, StartInfo* start)
        {
            if (start->ModStart == 0 || start->ModLen < 64)
            {
                suite.Skip("remote_domain", "no initrd: the harness gives this suite its own ELF as initrd (SuiteInitrd self)");
                return;
            }
            // vCPU 1 blocks meanwhile, so that the spinner has the other CPU to itself.
            SecondVcpu.SetMode(SecondVcpu.Poll);
            if (RunAndDestroy(suite, start, true, "spinner_started", "spinner_runs_on_other_cpu", "destroy_spinner_running_elsewhere", "destroyed_spinner_gone"))
                RunAndDestroy(suite, start, false, "second_spinner_started", "second_spinner_runs_on_other_cpu",
                              "destroy_second_spinner_running_elsewhere", "destroyed_second_spinner_gone");
            SecondVcpu.SetMode(SecondVcpu.Spin);
        }

        private static bool RunAndDestroy(TestSuite suite, StartInfo* start, bool first, string started, string runsElsewhere, string destroyed, string goneName)
        {
            var builder = new DomainBuilder();
            long rc = builder.LoadImage((byte*)start->ModStart, start->ModLen);
            if (rc == 0)
                rc = builder.Create(MemoryKib, MaxEvtchnPort);
            if (rc == 0)
                rc = builder.Populate();
            if (rc == 0)
            {
                var command = new CommandLineWriter();
                command.Append("role=spinner");
                rc = builder.Build(command.Text, command.Length);
            }
            if (rc == 0)
                rc = builder.Start();
            ConsoleLine line = suite.Result(started, rc == 0);
            if (rc != 0)
            {
                builder.WriteFailure(line.Char(' ')).End();
                if (builder.Domain != 0)
                    builder.Destroy();
                return false;
            }
            line.Text(" domain ").Dec(builder.Domain).End();
            ushort domain = builder.Domain;

            bool elsewhere = RunsElsewhere(domain, out DomctlGetVcpuInfo info, out uint own);
            suite.Result(runsElsewhere, elsewhere)
                .Text(" spinner running ").Dec(info.Running).Text(" on CPU ").Dec(info.Cpu).Text(", dom0's vCPU 0 on CPU ").Dec(own)
                .Text(", cpu_time ").Dec(info.CpuTime).End();

            if (first)
                PauseThere(suite, domain);

            rc = builder.Destroy();
            suite.Returns(destroyed, 0, rc);
            rc = DomainControl.GetInfo(domain, out DomctlGetDomainInfo after);
            bool gone = rc == -XenErrno.ESRCH || (rc == 0 && (after.Domain != domain || (after.Flags & DomainInfoFlags.Dying) != 0));
            suite.Result(goneName, gone).Text(" getdomaininfo returned ").Result(rc).End();
            return elsewhere && gone;
        }

        // Paused where it runs, its vCPU stops (no CPU time for a while); unpaused, it runs again.
        private static void PauseThere(TestSuite suite, ushort domain)
        {
            long rc = DomainControl.Pause(domain);
            DomainControl.GetVcpuInfo(domain, 0, out DomctlGetVcpuInfo first);
            ulong until = GuestClock.Now() + PausedWait;
            while (GuestClock.Now() < until)
            {
            }
            DomainControl.GetVcpuInfo(domain, 0, out DomctlGetVcpuInfo second);
            suite.Result("pause_spinner_running_elsewhere", rc == 0 && first.Running == 0 && second.CpuTime == first.CpuTime)
                .Text(" pause returned ").Result(rc).Text(", running ").Dec(first.Running).Text(", cpu_time ").Dec(first.CpuTime)
                .Text(" -> ").Dec(second.CpuTime).End();
            rc = DomainControl.Unpause(domain);
            bool again = RunsElsewhere(domain, out DomctlGetVcpuInfo info, out _);
            suite.Result("unpaused_spinner_runs_again", rc == 0 && again)
                .Text(" unpause returned ").Result(rc).Text(", running ").Dec(info.Running).Text(" on CPU ").Dec(info.Cpu).End();
        }

        // Waits until the domain's vCPU 0 runs, and has run, on a CPU other than this vCPU's.
        private static bool RunsElsewhere(ushort domain, out DomctlGetVcpuInfo info, out uint own)
        {
            ulong deadline = GuestClock.Now() + Timeout;
            while (true)
            {
                long rc = DomainControl.GetVcpuInfo(domain, 0, out info);
                DomainControl.GetVcpuInfo(0, 0, out DomctlGetVcpuInfo self);
                own = self.Cpu;
                if (rc == 0 && info.Running == 1 && info.CpuTime > 0 && info.Cpu != own)
                    return true;
                if (GuestClock.Now() > deadline)
                    return false;
            }
        }
    }
}
