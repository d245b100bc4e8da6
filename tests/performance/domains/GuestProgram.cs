using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The many-domains benchmark's kernel. As dom0 it reads the free memory (sysctl physinfo), then
    /// creates and builds <c>domains</c> (default 64) domains of <c>memory_kib</c> (default 4096) from its
    /// own image (its initrd) and starts them; each, as the peer (<see cref="PeerProgram"/>), answers with
    /// an event once it runs. When all have answered (or 60 s have passed) it destroys them all and
    /// waits up to 10 s for the free memory to come back. It prints
    /// <c>BENCH domains count=N memory_kib=K started=S destroyed=D free_before=A free_running=B
    /// free_after=C build_ms=X start_ms=Y destroy_ms=Z</c>, a <c>BENCH error</c> line for a step that
    /// failed, and <c>BENCH done</c>.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        private const int MaxDomains = 200;
        private const uint MaxEvtchnPort = 1023;
        private const ulong StartTimeoutNs = 60000000000UL;
        private const ulong FreeWaitNs = 10000000000UL;
        private const ulong PollSliceNs = 100000000UL;

        public static uint Main(StartInfo* start)
        {
            if (PeerProgram.IsPeer())
                return PeerProgram.Run();
            ulong count = 64, memoryKib = 4096;
            if (KernelCommandLine.TryGetNumber("domains", out ulong n) && n > 0)
                count = n > MaxDomains ? MaxDomains : n;
            if (KernelCommandLine.TryGetNumber("memory_kib", out ulong kib) && kib >= 1024)
                memoryKib = kib;
            XenExtraversion extra;
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            if (Hypercalls.XenVersion(XenVersionCommand.Extraversion, &extra) != 0)
                extra.Text[0] = 0;
            GuestConsole.Line().Text("BENCH info hypervisor=").Dec((ulong)version >> 16).Char('.').Dec((ulong)version & 0xFFFF)
                .Asciiz(extra.Text, XenExtraversion.Length).Text(" domains=").Dec(count).Text(" memory_kib=").Dec(memoryKib).End();
            if (start->ModStart == 0 || start->ModLen < 64)
            {
                GuestConsole.Line().Text("BENCH error no initrd (the benchmark's own image is its initrd)").End();
                GuestConsole.Line().Text("BENCH done").End();
                return ShutdownReason.Poweroff;
            }

            ulong freeBefore = SystemControl.FreePages();
            var builders = new DomainBuilder[(int)count];
            uint* ports = (uint*)GuestMemory.Allocate(count * 4);
            ulong t0 = GuestClock.Now();
            ulong built = 0;
            for (; built < count; built++)
            {
                var builder = new DomainBuilder();
                builders[(int)built] = builder;
                string failed = Build(builder, (byte*)start->ModStart, start->ModLen, memoryKib, out ports[built]);
                if (failed != null)
                {
                    ConsoleLine line = GuestConsole.Line().Text("BENCH error domain ").Dec(built + 1).Text(" of ").Dec(count).Text(": ").Text(failed).Text(": ");
                    builder.WriteFailure(line).End();
                    if (builder.Domain != 0)
                        built++;   // created: destroyed below with the others
                    break;
                }
            }
            ulong t1 = GuestClock.Now();
            ulong started = WaitForAll(ports, built, t1 + StartTimeoutNs);
            ulong t2 = GuestClock.Now();
            ulong freeRunning = SystemControl.FreePages();

            ulong destroyed = 0;
            for (ulong i = 0; i < built; i++)
            {
                DomainBuilder builder = builders[(int)i];
                if (builder.Domain == 0)
                    continue;
                long rc = builder.Destroy();
                if (rc == 0)
                    destroyed++;
                else
                    GuestConsole.Line().Text("BENCH error destroying domain ").Dec(builder.Domain).Text(": ").Result(rc).End();
                EventChannels.Close(ports[i]);
            }
            ulong t3 = GuestClock.Now();
            ulong freeAfter = WaitForFreePages(freeBefore, t3 + FreeWaitNs);

            GuestConsole.Line().Text("BENCH domains count=").Dec(count).Text(" memory_kib=").Dec(memoryKib).Text(" started=").Dec(started)
                .Text(" destroyed=").Dec(destroyed).Text(" free_before=").Dec(freeBefore).Text(" free_running=").Dec(freeRunning)
                .Text(" free_after=").Dec(freeAfter).Text(" build_ms=").Dec((t1 - t0) / 1000000).Text(" start_ms=").Dec((t2 - t1) / 1000000)
                .Text(" destroy_ms=").Dec((t3 - t2) / 1000000).End();
            GuestConsole.Line().Text("BENCH done").End();
            return ShutdownReason.Poweroff;
        }

        // createdomain, a port for it, build, unpause. The step that failed, or null.
        private static string Build(DomainBuilder builder, byte* image, ulong length, ulong memoryKib, out uint port)
        {
            port = 0;
            if (builder.LoadImage(image, length) != 0)
                return "loading the image";
            if (builder.Create(memoryKib, MaxEvtchnPort) != 0)
                return "creating it";
            long rc = EventChannels.AllocUnbound(DomainId.Self, builder.Domain);
            if (rc <= 0)
                return "alloc_unbound";
            port = (uint)rc;
            CommandLineWriter command = new CommandLineWriter().Append("role=peer evtchn=").Decimal((ulong)rc);
            if (builder.Build(command.Text, command.Length) != 0)
                return "building it";
            if (builder.Start() != 0)
                return "starting it";
            return null;
        }

        // Waits until every port has been signalled once (each domain's first event); how many were.
        private static ulong WaitForAll(uint* ports, ulong count, ulong deadline)
        {
            bool* seen = (bool*)GuestMemory.Allocate(count == 0 ? 1 : count);
            ulong started = 0;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = (uint)count;
            while (started < count)
            {
                for (ulong i = 0; i < count; i++)
                {
                    if (!seen[i] && ports[i] != 0 && EventChannels.IsPending(ports[i]))
                    {
                        EventChannels.ClearPending(ports[i]);
                        seen[i] = true;
                        started++;
                    }
                }
                ulong now = GuestClock.Now();
                if (started == count || now >= deadline)
                    break;
                poll.Timeout = now + PollSliceNs < deadline ? now + PollSliceNs : deadline;
                if (Hypercalls.SchedOp(SchedOp.Poll, &poll) != 0)
                    break;
            }
            return started;
        }

        // The hypervisor may give memory back a little later (Xen frees after an RCU grace period).
        private static ulong WaitForFreePages(ulong before, ulong deadline)
        {
            ulong now = SystemControl.FreePages();
            while (now < before && GuestClock.Now() < deadline)
            {
                Hypercalls.Yield();
                now = SystemControl.FreePages();
            }
            return now;
        }
    }
}
