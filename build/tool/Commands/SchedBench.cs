using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Bench;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Hypervisor.Tool.Reference;

namespace Hypervisor.Tool.Commands
{
    /// <summary>
    /// hv-tool bench sched: the scheduler guest (tests/performance/sched) as dom0 of our hypervisor and of
    /// Xen 4.17 (credit scheduler). dom0 runs four CPU-bound domains of one vCPU with weights 1:2:4:8 for
    /// a phase, then caps the heaviest and runs another. The tool works out each domain's fair share
    /// (<see cref="FairShares"/>: weights, one CPU per vCPU, caps) and prints what each got beside it.
    /// The exit status is 1 when a run failed or, on our hypervisor, a domain strayed from its share by
    /// more than the tolerance (5%, and 2% for a capped domain).
    /// </summary>
    public static class SchedBench
    {
        public const string Usage =
            "hv-tool bench sched [--seconds S] [--cap P] [--on ours|xen|both] [--json] [--timeout S] [--image-dir DIR] [--guest PATH]\n" +
            "  four CPU-bound domains with credit weights 1:2:4:8 share the CPUs, then the heaviest is capped;\n" +
            "  CPU time each got against its fair share\n" +
            "  --seconds S     guest time each phase is measured over (default 10)\n" +
            "  --cap P         the heaviest domain's cap in the second phase, percent of one CPU (default 50)\n" +
            "  --on H          run on ours, on xen or on both (default both)\n" +
            "  --json          print the results as JSON on stdout (progress goes to stderr)\n" +
            "  --timeout S     give up on one run after S seconds (default 600)\n" +
            "  --guest PATH    the benchmark guest (default out/guests/bench-sched.elf)";

        /// <summary>How far (relative to its share) an uncapped domain's CPU time may be from it.</summary>
        public const double ShareTolerance = 0.05;
        /// <summary>How far (relative to its cap) a domain held at its cap may be from it.</summary>
        public const double CapTolerance = 0.02;

        private static readonly Regex Info = new Regex(@"^BENCH info .*\bcpus=(\d+)", RegexOptions.CultureInvariant);
        private static readonly Regex Phase = new Regex(@"^BENCH phase=(\w+) elapsed_ns=(\d+)$", RegexOptions.CultureInvariant);
        private static readonly Regex Share = new Regex(@"^BENCH share phase=(\w+) domain=(\d+) weight=(\d+) cap=(\d+) cpu_ns=(\d+)$",
                                                        RegexOptions.CultureInvariant);

        /// <summary>One domain in one phase: its parameters, what it got and what it was owed (in CPUs).</summary>
        public sealed class DomainShare
        {
            public int Domain;
            public int Weight;
            public int Cap;
            public double Got;
            public double Target;
            /// <summary>Held back by its cap rather than by the others.</summary>
            public bool AtCap;
            public double Deviation => (Got - Target) / Target;
            public bool Within => Math.Abs(Deviation) <= (AtCap ? CapTolerance : ShareTolerance);
        }

        /// <summary>One phase as one hypervisor ran it.</summary>
        public sealed class PhaseResult
        {
            public string Name;
            public double ElapsedSeconds;
            public readonly List<DomainShare> Domains = new List<DomainShare>();
        }

        public static int Run(Arguments args)
        {
            int seconds = args.Int("--seconds", 10, 1, 600);
            int cap = args.Int("--cap", 50, 1, 100);
            double timeoutSeconds = args.Seconds("--timeout", 600);
            string imageDir = args.Value("--image-dir");
            string guest = args.Value("--guest");
            string on = args.Value("--on", "both");
            bool json = args.Flag("--json");
            args.ExpectNone();
            GuestHost[] hosts = on switch
            {
                "ours" => new[] { GuestHost.Ours },
                "xen" => new[] { GuestHost.Xen },
                "both" => new[] { GuestHost.Ours, GuestHost.Xen },
                _ => throw new UsageException($"--on takes ours, xen or both, not '{on}'"),
            };
            TextWriter progress = json ? Console.Error : Console.Out;

            int located = BenchGuest.Locate("sched", "bench-sched", "tests/performance/sched", guest, out string root, out guest);
            if (located != 0)
                return located;
            progress.WriteLine($"Four CPU-bound domains, weights 1:2:4:8, {seconds} s per phase, on each hypervisor ({QemuMachine.Version()}, TCG, {GuestRunOptions.DefaultSmp} CPUs)");

            var results = new Dictionary<GuestHost, List<PhaseResult>>();
            var failures = new List<string>();
            foreach (GuestHost host in hosts)
            {
                DomainBenchRun run = DomainBenchRun.Boot("sched", host, root, imageDir, guest, $"seconds={seconds} cap={cap}", timeoutSeconds, progress, failures);
                if (run == null)
                    continue;
                List<PhaseResult> phases = Parse(run.GuestLines, out string problem);
                run.Report(phases != null, problem, progress, failures);
                if (phases != null)
                    results[host] = phases;
            }
            progress.WriteLine();
            if (json)
                WriteJson(results, seconds, cap);
            else
                PrintTable(results);
            foreach (string f in failures)
                progress.WriteLine($"FAILED on {f}");

            // Our scheduler is held to the tolerances; Xen's figures are there to compare with.
            bool oursWithin = !results.TryGetValue(GuestHost.Ours, out var ours)
                || (ours.Count == 2 && ours.All(p => p.Domains.Count > 0 && p.Domains.All(d => d.Within)));
            if (!oursWithin)
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"FAILED: on ours a domain is further from its share than {ShareTolerance * 100:0}% (a capped one: {CapTolerance * 100:0}%)"));
            return failures.Count == 0 && oursWithin ? 0 : 1;
        }

        /// <summary>The phases in the guest's lines with every domain's fair share worked out, or null
        /// (and what is missing) when the output is incomplete.</summary>
        public static List<PhaseResult> Parse(IReadOnlyList<string> lines, out string problem)
        {
            problem = null;
            int cpus = 0;
            var phases = new List<PhaseResult>();
            var raw = new Dictionary<string, List<(int domain, int weight, int cap, ulong cpuNs)>>();
            bool done = false;
            foreach (string text in lines)
            {
                Match m;
                if ((m = Info.Match(text)).Success)
                    cpus = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                else if ((m = Phase.Match(text)).Success)
                {
                    phases.Add(new PhaseResult { Name = m.Groups[1].Value, ElapsedSeconds = ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) / 1e9 });
                    raw[m.Groups[1].Value] = new List<(int, int, int, ulong)>();
                }
                else if ((m = Share.Match(text)).Success && raw.TryGetValue(m.Groups[1].Value, out var list))
                    list.Add((Int(m.Groups[2]), Int(m.Groups[3]), Int(m.Groups[4]), ulong.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture)));
                else if (text == "BENCH done")
                    done = true;
            }
            if (cpus == 0)
            {
                problem = "no BENCH info line with the CPU count";
                return null;
            }
            if (!done || phases.Count == 0)
            {
                problem = done ? "no phase was measured" : "the guest did not finish";
                return null;
            }
            foreach (PhaseResult phase in phases)
            {
                var domains = raw[phase.Name];
                if (domains.Count == 0 || phase.ElapsedSeconds <= 0)
                {
                    problem = $"phase {phase.Name} has no domains";
                    return null;
                }
                // One vCPU each: a domain can use one CPU at most, or its cap.
                double[] weights = domains.Select(d => (double)d.weight).ToArray();
                double[] limits = domains.Select(d => d.cap == 0 ? 1.0 : Math.Min(1.0, d.cap / 100.0)).ToArray();
                double[] targets = FairShares.Divide(cpus, weights, limits);
                for (int i = 0; i < domains.Count; i++)
                {
                    phase.Domains.Add(new DomainShare
                    {
                        Domain = domains[i].domain,
                        Weight = domains[i].weight,
                        Cap = domains[i].cap,
                        Got = domains[i].cpuNs / 1e9 / phase.ElapsedSeconds,
                        Target = targets[i],
                        AtCap = domains[i].cap != 0 && Math.Abs(targets[i] - limits[i]) < 1e-9,
                    });
                }
            }
            return phases;
        }

        private static int Int(Group g) => int.Parse(g.Value, CultureInfo.InvariantCulture);

        // Per phase and domain: weight, cap, fair share, then got and deviation on each hypervisor, all
        // in percent of one CPU.
        private static void PrintTable(Dictionary<GuestHost, List<PhaseResult>> results)
        {
            var rows = new List<string[]> { new[] { "phase", "domain", "weight", "cap", "fair share", "ours", "vs share", "Xen", "vs share" } };
            List<PhaseResult> reference = results.TryGetValue(GuestHost.Ours, out var o) ? o : results.Values.FirstOrDefault();
            if (reference == null)
            {
                Console.WriteLine("no results");
                return;
            }
            foreach (PhaseResult phase in reference)
            {
                for (int i = 0; i < phase.Domains.Count; i++)
                {
                    DomainShare d = phase.Domains[i];
                    var row = new List<string> { phase.Name, (i + 1).ToString(CultureInfo.InvariantCulture), d.Weight.ToString(CultureInfo.InvariantCulture),
                                                 d.Cap == 0 ? "-" : $"{d.Cap}%", Percent(d.Target) };
                    foreach (GuestHost host in new[] { GuestHost.Ours, GuestHost.Xen })
                    {
                        DomainShare h = results.TryGetValue(host, out var phases) ? phases.FirstOrDefault(p => p.Name == phase.Name)?.Domains.ElementAtOrDefault(i) : null;
                        row.Add(h == null ? "-" : Percent(h.Got));
                        row.Add(h == null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(h.Deviation * 100, 1):+0.0;-0.0;0.0}%{(h.Within ? "" : " !")}"));
                    }
                    rows.Add(row.ToArray());
                }
            }
            int[] width = new int[rows[0].Length];
            foreach (string[] r in rows)
                for (int c = 0; c < r.Length; c++)
                    width[c] = Math.Max(width[c], r[c].Length);
            foreach (string[] r in rows)
                Console.WriteLine(string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(width[c]) : cell.PadLeft(width[c]))));
            Console.WriteLine();
            Console.WriteLine("CPU time in percent of one CPU over each phase; \"vs share\" is the difference relative to the fair share");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(\"!\" beyond {ShareTolerance * 100:0}%, or {CapTolerance * 100:0}% for a domain held at its cap). Fair shares: the CPUs by weight, at most one CPU per domain and its cap."));
        }

        private static void WriteJson(Dictionary<GuestHost, List<PhaseResult>> results, int seconds, int cap)
        {
            var document = new Dictionary<string, object>
            {
                ["seconds"] = seconds,
                ["cap"] = cap,
                ["share_tolerance"] = ShareTolerance,
                ["cap_tolerance"] = CapTolerance,
                ["hypervisors"] = results.ToDictionary(r => GuestHosts.Name(r.Key), r => r.Value.Select(p => new Dictionary<string, object>
                {
                    ["phase"] = p.Name,
                    ["elapsed_s"] = p.ElapsedSeconds,
                    ["domains"] = p.Domains.Select(d => new Dictionary<string, object>
                    {
                        ["domain"] = d.Domain,
                        ["weight"] = d.Weight,
                        ["cap"] = d.Cap,
                        ["cpus"] = d.Got,
                        ["fair_share"] = d.Target,
                        ["deviation"] = d.Deviation,
                        ["at_cap"] = d.AtCap,
                        ["within"] = d.Within,
                    }).ToList(),
                }).ToList()),
            };
            Console.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        }

        private static string Percent(double cpus) => string.Create(CultureInfo.InvariantCulture, $"{cpus * 100:0.0}%");
    }
}
