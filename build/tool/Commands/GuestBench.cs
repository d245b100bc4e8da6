using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Bench;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Hypervisor.Tool.Reference;

namespace Hypervisor.Tool.Commands
{
    /// <summary>A benchmark guest: its name on the command line, its image, its defaults.</summary>
    public sealed record GuestBenchDefinition(string Name, string GuestName, string Source, string Title,
        int DefaultIterations, bool OwnImageAsInitrd, int DefaultSmp, string Usage);

    /// <summary>
    /// hv-tool bench hypercall|events: a benchmark guest (tests/performance/NAME, built into
    /// out/guests/bench-NAME.elf) booted as dom0 of our hypervisor and of Xen 4.17 in the same QEMU,
    /// several times each; its BENCH lines give cycles per operation, and the table sets ours beside Xen's
    /// with the ratio. Every serial line of a run (the benchmark's console_io payload, the hypervisor's
    /// lines) goes to a log file in out/bench/, not to the table.
    /// </summary>
    public static class GuestBench
    {
        private const string CommonOptions =
            "  --runs N        boots of the benchmark guest per hypervisor (default 3)\n" +
            "  --json          print the results as JSON on stdout (progress goes to stderr)\n" +
            "  --batches B     timed batches per operation, of which the guest reports the median (default 15)\n" +
            "  --timeout S     give up on one run after S seconds (default 300)\n";

        public static readonly GuestBenchDefinition Hypercall = new GuestBenchDefinition(
            "hypercall", "bench-hypercall", "tests/performance/hypercall", "hypercalls", 1000, false, GuestRunOptions.DefaultSmp,
            "hv-tool bench hypercall [--runs N] [--json] [--iterations N] [--batches B] [--timeout S] [--smp N] [--image-dir DIR] [--guest PATH]\n" +
            CommonOptions +
            "  --smp N         CPUs of the machine (default 2; dom0 gets a vCPU per CPU)\n" +
            "  --iterations N  operations per timed batch (default 1000; console_io writes a tenth of that)\n" +
            "  --guest PATH    the benchmark guest (default out/guests/bench-hypercall.elf)");

        public static readonly GuestBenchDefinition Events = new GuestBenchDefinition(
            "events", "bench-events", "tests/performance/events", "inter-domain events and grant copies", 200, true, 1,
            "hv-tool bench events [--runs N] [--json] [--iterations N] [--batches B] [--timeout S] [--smp N] [--image-dir DIR] [--guest PATH]\n" +
            "  dom0 builds a second domain (4 MiB) from the same image and times an event ping-pong with it\n" +
            "  and grant copies of 4 KiB out of and into its page\n" +
            CommonOptions +
            "  --smp N         CPUs of the machine (default 1: both domains share it, so a round trip is two\n" +
            "                  domain switches; on two, it times how soon the host wakes the emulator's other CPU)\n" +
            "  --iterations N  operations per timed batch (default 200)\n" +
            "  --guest PATH    the benchmark guest, also the second domain's kernel (default out/guests/bench-events.elf)");

        public static string Usage => Hypercall.Usage + "\n\n" + Events.Usage;

        private sealed class HostRuns
        {
            public GuestHost Host;
            public string Image;
            public string Hypervisor;
            public readonly Dictionary<string, OperationFigures> Figures = new Dictionary<string, OperationFigures>();
            public readonly List<string> SeenOrder = new List<string>();
            public readonly List<string> Failures = new List<string>();
            public readonly List<string> Logs = new List<string>();
        }

        public static int Run(GuestBenchDefinition bench, Arguments args)
        {
            int runs = args.Int("--runs", 3, 1, 100);
            bool json = args.Flag("--json");
            int iterations = args.Int("--iterations", bench.DefaultIterations, 10, 1000000);
            int batches = args.Int("--batches", 15, 1, 101);
            double timeoutSeconds = args.Seconds("--timeout", 300);
            string imageDir = args.Value("--image-dir");
            string guest = args.Value("--guest");
            int smp = args.Int("--smp", bench.DefaultSmp, 1, 64);
            args.ExpectNone();

            int located = BenchGuest.Locate(bench.Name, bench.GuestName, bench.Source, guest, out string root, out guest);
            if (located != 0)
                return located;
            string logDir = Path.Combine(root, "out", "bench");
            Directory.CreateDirectory(logDir);
            foreach (string stale in Directory.GetFiles(logDir, bench.Name + "-*.log"))
                File.Delete(stale);

            TextWriter progress = json ? Console.Error : Console.Out;
            string qemuVersion = QemuMachine.Version();
            string guestArguments = $"iterations={iterations} batches={batches}";
            progress.WriteLine($"Benchmarking {bench.Title}: {runs} run(s) on each hypervisor, {qemuVersion}, TCG, guest {guest} ({guestArguments})");

            var hosts = new List<HostRuns> { new HostRuns { Host = GuestHost.Ours }, new HostRuns { Host = GuestHost.Xen } };
            foreach (HostRuns h in hosts)
            {
                try
                {
                    h.Image = GuestCommand.HypervisorImage(h.Host, root, imageDir);
                }
                catch (XenUnavailableException e)
                {
                    Console.Error.WriteLine($"hv-tool: {e.Message}");
                }
                if (h.Image == null)
                    h.Failures.Add(h.Host == GuestHost.Xen ? "Xen 4.17 is not available" : "out/hypervisor.elf is missing");
            }

            for (int run = 1; run <= runs; run++)
            {
                foreach (HostRuns h in hosts)
                {
                    if (h.Image == null)
                        continue;
                    string name = GuestHosts.Name(h.Host);
                    progress.Write($"  run {run}/{runs} {name}: ");
                    progress.Flush();
                    var options = new GuestRunOptions
                    {
                        Host = h.Host,
                        GuestPath = guest,
                        GuestArguments = guestArguments,
                        HypervisorPath = h.Image,
                        Smp = smp,
                        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
                    };
                    if (bench.OwnImageAsInitrd)
                        options.ExtraModules.Add(Path.GetFullPath(guest));
                    GuestRunResult result = GuestRunner.Run(options);
                    string log = Path.Combine(logDir, $"{bench.Name}-{name}-{run}.log");
                    File.WriteAllLines(log, result.Lines.Select(l => l.ToString()));
                    h.Logs.Add(log);
                    BenchRun parsed = BenchRun.Parse(result.Lines);
                    h.Hypervisor ??= parsed.Hypervisor;
                    foreach (BenchFigure f in parsed.Figures)
                    {
                        if (!h.Figures.TryGetValue(f.Key, out OperationFigures figures))
                        {
                            figures = new OperationFigures();
                            h.Figures[f.Key] = figures;
                            h.SeenOrder.Add(f.Key);
                        }
                        if (f.Cycles.HasValue)
                            figures.Medians.Add(f.Cycles.Value);
                        else
                            figures.NotAvailable ??= f.NotAvailable;
                    }
                    if (parsed.Done)
                    {
                        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{parsed.Figures.Count} figures in {result.Elapsed.TotalSeconds:0.0} s ({log})"));
                    }
                    else
                    {
                        string why = $"run {run}: no \"BENCH done\" line: {result.Reason}";
                        h.Failures.Add(why + $" (serial output in {log})");
                        progress.WriteLine($"FAILED ({result.Reason}; serial output in {log})");
                    }
                }
            }
            progress.WriteLine();

            List<string> keys = BenchOperations.Order(hosts.SelectMany(h => h.SeenOrder))
                .Where(k => hosts.Any(h => h.Figures.ContainsKey(k))).ToList();
            if (json)
                WriteJson(bench, runs, iterations, batches, qemuVersion, guest, hosts, keys);
            else
                WriteTable(bench, runs, batches, hosts, keys, logDir);
            return hosts.Any(h => h.Failures.Count > 0) ? 1 : 0;
        }

        private static string Cell(HostRuns h, string key, out double? value)
        {
            value = null;
            if (!h.Figures.TryGetValue(key, out OperationFigures f))
                return "-";
            value = f.Value;
            if (value.HasValue)
                return value.Value.ToString("0.0", CultureInfo.InvariantCulture);
            return "n/a";
        }

        private static string Ratio(double? ours, double? xen)
            => ours.HasValue && xen.HasValue && xen.Value > 0
                ? (ours.Value / xen.Value).ToString("0.00", CultureInfo.InvariantCulture)
                : "-";

        private static void WriteTable(GuestBenchDefinition bench, int runs, int batches, List<HostRuns> hosts, List<string> keys, string logDir)
        {
            HostRuns ours = hosts[0], xen = hosts[1];
            var sb = new StringBuilder();
            sb.AppendLine($"Cycles per operation (TSC ticks; the median of {runs} run(s), each the median of {batches} batches)");
            sb.AppendLine($"  ours: {ours.Hypervisor ?? "(no figures)"}    Xen: {xen.Hypervisor ?? "(no figures)"}");
            var rows = new List<string[]> { new[] { "operation", "ours (cycles)", "Xen (cycles)", "ours/Xen" } };
            var notes = new List<string>();
            foreach (string key in keys)
            {
                string o = Cell(ours, key, out double? ov);
                string x = Cell(xen, key, out double? xv);
                rows.Add(new[] { BenchOperations.Label(key), o, x, Ratio(ov, xv) });
                foreach (HostRuns h in hosts)
                {
                    if (h.Figures.TryGetValue(key, out OperationFigures f) && !f.Value.HasValue)
                        notes.Add($"n/a on {GuestHosts.Name(h.Host)}: {BenchOperations.Label(key)}: {f.NotAvailable}");
                }
            }
            int[] width = new int[4];
            foreach (string[] row in rows)
            {
                for (int c = 0; c < 4; c++)
                    width[c] = Math.Max(width[c], row[c].Length);
            }
            foreach (string[] row in rows)
            {
                sb.Append(row[0].PadRight(width[0]));
                for (int c = 1; c < 4; c++)
                    sb.Append("  ").Append(row[c].PadLeft(width[c]));
                sb.AppendLine();
            }
            foreach (string note in notes)
                sb.AppendLine(note);
            foreach (HostRuns h in hosts)
            {
                foreach (string f in h.Failures)
                    sb.AppendLine($"FAILED on {GuestHosts.Name(h.Host)}: {f}");
            }
            sb.AppendLine($"Serial output of every run (console_io payload and hypervisor lines): {logDir}/{bench.Name}-<ours|xen>-<run>.log");
            Console.Write(sb.ToString());
        }

        private static void WriteJson(GuestBenchDefinition bench, int runs, int iterations, int batches, string qemuVersion, string guest,
            List<HostRuns> hosts, List<string> keys)
        {
            using var stream = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("benchmark", bench.Name);
                w.WriteString("emulator", qemuVersion);
                w.WriteString("guest", guest);
                w.WriteNumber("runs", runs);
                w.WriteNumber("iterations", iterations);
                w.WriteNumber("batches", batches);
                w.WriteString("unit", "TSC cycles per operation");
                w.WriteStartObject("hypervisors");
                foreach (HostRuns h in hosts)
                {
                    w.WriteStartObject(GuestHosts.Name(h.Host));
                    if (h.Hypervisor != null)
                        w.WriteString("version", h.Hypervisor);
                    else
                        w.WriteNull("version");
                    w.WriteStartArray("failures");
                    foreach (string f in h.Failures)
                        w.WriteStringValue(f);
                    w.WriteEndArray();
                    w.WriteStartArray("logs");
                    foreach (string l in h.Logs)
                        w.WriteStringValue(l);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteStartArray("operations");
                foreach (string key in keys)
                {
                    w.WriteStartObject();
                    w.WriteString("key", key);
                    w.WriteString("label", BenchOperations.Label(key));
                    double? ov = null, xv = null;
                    foreach (HostRuns h in hosts)
                    {
                        w.WriteStartObject(GuestHosts.Name(h.Host));
                        if (h.Figures.TryGetValue(key, out OperationFigures f))
                        {
                            if (f.Value.HasValue)
                            {
                                w.WriteNumber("cycles", Math.Round(f.Value.Value, 1));
                                if (h.Host == GuestHost.Ours)
                                    ov = f.Value;
                                else
                                    xv = f.Value;
                            }
                            else
                            {
                                w.WriteNull("cycles");
                            }
                            w.WriteStartArray("runMedians");
                            foreach (double m in f.Medians)
                                w.WriteNumberValue(m);
                            w.WriteEndArray();
                            if (f.NotAvailable != null)
                                w.WriteString("notAvailable", f.NotAvailable);
                        }
                        else
                        {
                            w.WriteNull("cycles");
                        }
                        w.WriteEndObject();
                    }
                    if (ov.HasValue && xv.HasValue && xv.Value > 0)
                        w.WriteNumber("ratio", Math.Round(ov.Value / xv.Value, 3));
                    else
                        w.WriteNull("ratio");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }

    }
}
