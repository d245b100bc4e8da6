using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The scheduler benchmark's kernel. As dom0 it builds <see cref="Domains"/> domains of one vCPU from
    /// its own image (its initrd) with "role=spin" on their command lines, gives them the credit weights
    /// of <see cref="Weights"/> (1:2:4:8) and starts them. Each spins for ever without a hypercall. After
    /// a second to settle it reads every domain's CPU time (getdomaininfo), sleeps <c>seconds</c> (default
    /// 10) of guest time and reads them again: phase <c>weights</c>. Then it caps the heaviest domain at
    /// <c>cap</c> percent of one CPU (default 50) and measures again: phase <c>cap</c>. It prints
    /// <c>BENCH info hypervisor=V cpus=N</c>, per phase <c>BENCH phase=P elapsed_ns=T</c> and one
    /// <c>BENCH share phase=P domain=D weight=W cap=C cpu_ns=X</c> per domain, <c>BENCH error ...</c> for a
    /// step that failed (or a domain that stopped), and <c>BENCH done</c>. The host tool works out each
    /// domain's fair share and sets it beside what it got.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        private const int Domains = 4;
        private static readonly ushort[] Weights = { 128, 256, 512, 1024 };
        private const ulong MemoryKib = 4096;
        private const uint MaxEvtchnPort = 63;
        private const ulong SettleNs = 1000000000UL;

        public static uint Main(StartInfo* start)
        {
            if (IsSpinner())
                Spin();
            ulong seconds = 10, capPercent = 50;
            if (KernelCommandLine.TryGetNumber("seconds", out ulong s) && s > 0)
                seconds = s > 600 ? 600 : s;
            if (KernelCommandLine.TryGetNumber("cap", out ulong c) && c > 0 && c <= 100)
                capPercent = c;
            XenExtraversion extra;
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            if (Hypercalls.XenVersion(XenVersionCommand.Extraversion, &extra) != 0)
                extra.Text[0] = 0;
            SystemControl.Physinfo(out SysctlPhysinfo physinfo);
            GuestConsole.Line().Text("BENCH info hypervisor=").Dec((ulong)version >> 16).Char('.').Dec((ulong)version & 0xFFFF)
                .Asciiz(extra.Text, XenExtraversion.Length).Text(" cpus=").Dec(physinfo.NrCpus).Text(" seconds=").Dec(seconds).End();
            if (start->ModStart == 0 || start->ModLen < 64)
                return Finish(null, "no initrd (the benchmark's own image is its initrd)");

            var builders = new DomainBuilder[Domains];
            for (int i = 0; i < Domains; i++)
            {
                var builder = new DomainBuilder();
                builders[i] = builder;
                string failed = Build(builder, (byte*)start->ModStart, start->ModLen, Weights[i]);
                if (failed != null)
                {
                    ConsoleLine line = GuestConsole.Line().Text("BENCH error domain ").Dec((ulong)i + 1).Text(" of ").Dec(Domains).Text(": ")
                        .Text(failed).Text(": ");
                    builder.WriteFailure(line).End();
                    return Finish(builders, null);
                }
            }
            // Started together, after all were built, so that none has a head start in the first phase.
            for (int i = 0; i < Domains; i++)
            {
                if (builders[i].Start() != 0)
                    return Finish(builders, "starting a domain");
            }
            GuestClock.Sleep(SettleNs);
            if (!MeasurePhase("weights", builders, seconds))
                return Finish(builders, null);

            long rc = DomainControl.SetCreditParameters(builders[Domains - 1].Domain, 0, (ushort)capPercent);
            if (rc != 0)
            {
                GuestConsole.Line().Text("BENCH error capping domain ").Dec(builders[Domains - 1].Domain).Text(": ").Result(rc).End();
                return Finish(builders, null);
            }
            GuestClock.Sleep(SettleNs);
            MeasurePhase("cap", builders, seconds);
            return Finish(builders, null);
        }

        // createdomain, weight, build; started later. The step that failed, or null.
        private static string Build(DomainBuilder builder, byte* image, ulong length, ushort weight)
        {
            if (builder.LoadImage(image, length) != 0)
                return "loading the image";
            if (builder.Create(MemoryKib, MaxEvtchnPort) != 0)
                return "creating it";
            long rc = DomainControl.SetCreditParameters(builder.Domain, weight, 0);
            if (rc != 0)
            {
                GuestConsole.Line().Text("BENCH error scheduler_op putinfo weight ").Dec(weight).Text(" for domain ").Dec(builder.Domain)
                    .Text(": ").Result(rc).End();
                return "setting its weight";
            }
            CommandLineWriter command = new CommandLineWriter().Append("role=spin");
            if (builder.Build(command.Text, command.Length) != 0)
                return "building it";
            return null;
        }

        // CPU time of every domain before and after a sleep of the phase's length, and the parameters it
        // ran with. False when a domain is gone or stopped (its figures would mean nothing).
        private static bool MeasurePhase(string phase, DomainBuilder[] builders, ulong seconds)
        {
            ulong* before = stackalloc ulong[Domains];
            ulong* after = stackalloc ulong[Domains];
            ulong t0 = GuestClock.Now();
            if (!ReadCpuTimes(builders, before))
                return false;
            GuestClock.Sleep(seconds * 1000000000UL);
            if (!ReadCpuTimes(builders, after))
                return false;
            ulong t1 = GuestClock.Now();
            GuestConsole.Line().Text("BENCH phase=").Text(phase).Text(" elapsed_ns=").Dec(t1 - t0).End();
            for (int i = 0; i < Domains; i++)
            {
                ushort domain = builders[i].Domain;
                if (DomainControl.GetCreditParameters(domain, out ushort weight, out ushort cap) != 0)
                {
                    GuestConsole.Line().Text("BENCH error scheduler_op getinfo for domain ").Dec(domain).End();
                    return false;
                }
                GuestConsole.Line().Text("BENCH share phase=").Text(phase).Text(" domain=").Dec(domain).Text(" weight=").Dec(weight)
                    .Text(" cap=").Dec(cap).Text(" cpu_ns=").Dec(after[i] - before[i]).End();
            }
            return true;
        }

        private static bool ReadCpuTimes(DomainBuilder[] builders, ulong* times)
        {
            for (int i = 0; i < Domains; i++)
            {
                ushort domain = builders[i].Domain;
                long rc = DomainControl.GetInfo(domain, out DomctlGetDomainInfo info);
                if (rc != 0 || info.Domain != domain)
                {
                    GuestConsole.Line().Text("BENCH error getdomaininfo for domain ").Dec(domain).Text(": ").Result(rc).End();
                    return false;
                }
                if ((info.Flags & (DomainInfoFlags.Shutdown | DomainInfoFlags.Dying)) != 0)
                {
                    GuestConsole.Line().Text("BENCH error domain ").Dec(domain).Text(" stopped (flags ").Hex(info.Flags).Text(")").End();
                    return false;
                }
                times[i] = info.CpuTime;
            }
            return true;
        }

        // Destroys what was built, then the last line the tool waits for.
        private static uint Finish(DomainBuilder[] builders, string error)
        {
            if (error != null)
                GuestConsole.Line().Text("BENCH error ").Text(error).End();
            if (builders != null)
            {
                for (int i = 0; i < builders.Length; i++)
                {
                    DomainBuilder builder = builders[i];
                    if (builder == null || builder.Domain == 0)
                        continue;
                    long rc = builder.Destroy();
                    if (rc != 0)
                        GuestConsole.Line().Text("BENCH error destroying domain ").Dec(builder.Domain).Text(": ").Result(rc).End();
                }
            }
            GuestConsole.Line().Text("BENCH done").End();
            return ShutdownReason.Poweroff;
        }

        private static bool IsSpinner()
        {
            if (!KernelCommandLine.TryGetValue("role", out byte* value, out int length))
                return false;
            return Ascii.Equals(value, length, "spin");
        }

        // CPU-bound for ever, events masked and no hypercall: all the scheduler sees is a vCPU that never
        // blocks. dom0 destroys it.
        private static void Spin()
        {
            SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0)->EvtchnUpcallMask = 1;
            while (true)
            {
            }
        }
    }
}
