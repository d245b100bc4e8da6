using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Bench;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Hypervisor.Tool.Reference;

namespace Hypervisor.Tool.Commands
{
    /// <summary>
    /// hv-tool bench domains: the many-domains guest (tests/performance/domains) as dom0 of our hypervisor
    /// and of Xen 4.17: it creates, builds and runs N small domains from its own image, destroys them, and
    /// reports the free memory before, while they ran and after, with the time of each step. The table sets
    /// the two hypervisors side by side; the exit status is 1 when a run failed or memory did not come back
    /// on our hypervisor.
    /// </summary>
    public static class DomainsBench
    {
        public const string Usage =
            "hv-tool bench domains [--domains N] [--memory-kib K] [--timeout S] [--image-dir DIR] [--guest PATH]\n" +
            "  dom0 creates, runs and destroys N domains of K KiB built from the benchmark's own image\n" +
            "  --domains N     how many (default 64, at most 200)\n" +
            "  --memory-kib K  memory of each (default 4096)\n" +
            "  --timeout S     give up on one run after S seconds (default 600)\n" +
            "  --guest PATH    the benchmark guest (default out/guests/bench-domains.elf)";

        private static readonly Regex Result = new Regex(@"^BENCH domains (.*)$", RegexOptions.CultureInvariant);
        private static readonly Regex Field = new Regex(@"(\w+)=(\d+)", RegexOptions.CultureInvariant);

        public static int Run(Arguments args)
        {
            int domains = args.Int("--domains", 64, 1, 200);
            int memoryKib = args.Int("--memory-kib", 4096, 1024, 1 << 20);
            double timeoutSeconds = args.Seconds("--timeout", 600);
            string imageDir = args.Value("--image-dir");
            string guest = args.Value("--guest");
            args.ExpectNone();

            int located = BenchGuest.Locate("domains", "bench-domains", "tests/performance/domains", guest, out string root, out guest);
            if (located != 0)
                return located;
            Console.WriteLine($"Creating, running and destroying {domains} domains of {memoryKib} KiB on each hypervisor ({QemuMachine.Version()}, TCG)");

            var results = new Dictionary<GuestHost, Dictionary<string, ulong>>();
            var failures = new List<string>();
            foreach (GuestHost host in new[] { GuestHost.Ours, GuestHost.Xen })
            {
                DomainBenchRun run = DomainBenchRun.Boot("domains", host, root, imageDir, guest, $"domains={domains} memory_kib={memoryKib}",
                                                         timeoutSeconds, Console.Out, failures);
                if (run == null)
                    continue;
                Dictionary<string, ulong> figures = null;
                foreach (string text in run.GuestLines)
                {
                    Match m = Result.Match(text);
                    if (m.Success)
                        figures = Field.Matches(m.Groups[1].Value).ToDictionary(f => f.Groups[1].Value, f => ulong.Parse(f.Groups[2].Value, CultureInfo.InvariantCulture));
                }
                run.Report(figures != null, "no result line", Console.Out, failures);
                if (figures != null)
                    results[host] = figures;
            }
            Console.WriteLine();

            var rows = new List<string[]> { new[] { "", "ours", "Xen" } };
            void Row(string label, Func<Dictionary<string, ulong>, string> cell)
                => rows.Add(new[] { label, Cell(results, GuestHost.Ours, cell), Cell(results, GuestHost.Xen, cell) });
            Row("domains started / destroyed", f => $"{f["started"]} / {f["destroyed"]} of {f["count"]}");
            Row("free pages before", f => f["free_before"].ToString(CultureInfo.InvariantCulture));
            Row("free pages while they ran", f => f["free_running"].ToString(CultureInfo.InvariantCulture));
            Row("pages per domain (its memory + overhead)", f => string.Create(CultureInfo.InvariantCulture,
                $"{(f["free_before"] - f["free_running"]) / Math.Max(1UL, f["started"])} ({f["memory_kib"] / 4} + {((f["free_before"] - f["free_running"]) / Math.Max(1UL, f["started"])) - f["memory_kib"] / 4})"));
            Row("free pages after", f => f["free_after"].ToString(CultureInfo.InvariantCulture));
            Row("memory back after destroy", f => f["free_after"] >= f["free_before"] ? "yes" : $"no ({f["free_before"] - f["free_after"]} pages short)");
            Row("build and start, per domain (ms)", f => Per(f["build_ms"], f["count"]));
            Row("destroy, per domain (ms)", f => Per(f["destroy_ms"], f["destroyed"]));
            int[] width = new int[3];
            foreach (string[] r in rows)
                for (int c = 0; c < 3; c++)
                    width[c] = Math.Max(width[c], r[c].Length);
            foreach (string[] r in rows)
                Console.WriteLine($"{r[0].PadRight(width[0])}  {r[1].PadLeft(width[1])}  {r[2].PadLeft(width[2])}");
            foreach (string f in failures)
                Console.WriteLine($"FAILED on {f}");

            bool oursRestored = results.TryGetValue(GuestHost.Ours, out var ours)
                && ours["free_after"] >= ours["free_before"] && ours["started"] == ours["count"] && ours["destroyed"] == ours["count"];
            return failures.Count == 0 && oursRestored ? 0 : 1;
        }

        private static string Cell(Dictionary<GuestHost, Dictionary<string, ulong>> results, GuestHost host, Func<Dictionary<string, ulong>, string> cell)
            => results.TryGetValue(host, out var f) ? cell(f) : "-";

        private static string Per(ulong ms, ulong count)
            => count == 0 ? "-" : ((double)ms / count).ToString("0.0", CultureInfo.InvariantCulture);
    }
}
