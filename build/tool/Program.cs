using System;
using Hypervisor.Tool.Commands;

namespace Hypervisor.Tool
{
    public static class Program
    {
        private static readonly string Usage =
            "usage: hv-tool <command> [options]\n" +
            "commands:\n" +
            "  bench boot   image sizes and boot times over several headless boots\n" +
            "  bench hypercall  cycles per hypercall, trap and user-mode trip: the same guest on ours and on Xen 4.17\n" +
            "  bench events  inter-domain event ping-pong and 4 KiB grant copies: the same guests on ours and on Xen 4.17\n" +
            "  bench domains  create, run and destroy 64 small domains: free memory and times, ours and Xen 4.17\n" +
            "  bench sched  four CPU-bound domains with weights 1:2:4:8, then a cap: CPU time against fair shares, ours and Xen 4.17\n" +
            "  boot         one headless boot, serial console printed with timestamps\n" +
            "  guest        boot a PV guest kernel as dom0 of Xen 4.17 or of our hypervisor\n" +
            "  conformance  run the conformance suites on Xen and/or our hypervisor\n" +
            "  help         this text\n\n" +
            BootBench.Usage + "\n\n" + GuestBench.Usage + "\n\n" + DomainsBench.Usage + "\n\n" + SchedBench.Usage + "\n\n" + BootCommand.Usage + "\n\n" + GuestCommand.Usage + "\n\n" + ConformanceCommand.Usage;

        public static int Main(string[] argv)
        {
            if (argv.Length == 0 || argv[0] == "help" || argv[0] == "--help" || argv[0] == "-h")
            {
                (argv.Length == 0 ? Console.Error : Console.Out).WriteLine(Usage);
                return argv.Length == 0 ? 2 : 0;
            }
            try
            {
                switch (argv[0])
                {
                    case "bench":
                        if (argv.Length >= 2 && argv[1] == "boot")
                            return BootBench.Run(new Arguments(argv[2..]));
                        if (argv.Length >= 2 && argv[1] == "hypercall")
                            return GuestBench.Run(GuestBench.Hypercall, new Arguments(argv[2..]));
                        if (argv.Length >= 2 && argv[1] == "events")
                            return GuestBench.Run(GuestBench.Events, new Arguments(argv[2..]));
                        if (argv.Length >= 2 && argv[1] == "domains")
                            return DomainsBench.Run(new Arguments(argv[2..]));
                        if (argv.Length >= 2 && argv[1] == "sched")
                            return SchedBench.Run(new Arguments(argv[2..]));
                        throw new UsageException("bench needs a benchmark name: bench boot|hypercall|events|domains|sched");
                    case "boot":
                        return BootCommand.Run(new Arguments(argv[1..]));
                    case "guest":
                        return GuestCommand.Run(argv[1..]);
                    case "conformance":
                        return ConformanceCommand.Run(argv[1..]);
                    default:
                        throw new UsageException($"unknown command '{argv[0]}'");
                }
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"hv-tool: {e.Message}");
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
    }
}
