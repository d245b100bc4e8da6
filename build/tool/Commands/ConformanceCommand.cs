using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Hypervisor.Tool.Conformance;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Hypervisor.Tool.Reference;

namespace Hypervisor.Tool.Commands
{
    /// <summary>
    /// hv-tool conformance: runs the conformance suites (PV guest kernels built from
    /// tests/conformance/SUITE into out/guests/conformance-SUITE.elf) on our hypervisor and/or on
    /// Xen 4.17, prints every failing test and a table, and exits non-zero when a test failed or a run
    /// ended without its summary line (the table says why: timeout, crash, refusal).
    /// </summary>
    public static class ConformanceCommand
    {
        public const string Usage =
            "hv-tool conformance [--suite S]... [--on ours|xen|both] [--timeout S] [--dom0-mem SIZE] [--smp N] [--verbose]\n" +
            "                    [--image-dir DIR] [--guest PATH [guest args...]]\n" +
            "  runs the suites in tests/conformance (built in out/guests) as dom0, default on both hypervisors\n" +
            "  --guest PATH    run one PV kernel instead (its remaining words are its command line)\n" +
            "  --smp N         CPUs of the machine (default 2; dom0 gets a vCPU per CPU on both hypervisors)\n" +
            "  --verbose       print every serial line as it arrives";

        public const string SuitePrefix = "conformance-";
        private static readonly HashSet<string> ValueOptions = new HashSet<string> { "--suite", "--on", "--timeout", "--image-dir", "--dom0-mem", "--smp" };

        private sealed class SuiteRun
        {
            public string Suite;
            public GuestHost Host;
            public GuestRunResult Result;
            public string Error;
            public readonly List<TestResult> Diverged = new List<TestResult>();
            public int EffectiveFailed;

            public bool Ok => Error == null && Result.HasSummary && EffectiveFailed == 0;
        }

        public static int Run(IReadOnlyList<string> argv)
        {
            // "--guest PATH args...": everything after PATH belongs to the guest.
            int guestAt = IndexOf(argv, "--guest");
            string guestPath = null, guestArguments = string.Empty;
            var words = new List<string>(argv);
            if (guestAt >= 0)
            {
                if (guestAt + 1 >= argv.Count)
                    throw new UsageException("--guest needs the path of a PV kernel");
                guestPath = argv[guestAt + 1];
                guestArguments = string.Join(" ", argv.Skip(guestAt + 2));
                words = argv.Take(guestAt).ToList();
            }
            var args = new Arguments(words);
            var suites = new List<string>();
            string s;
            while ((s = args.Value("--suite")) != null)
                suites.Add(s);
            string on = args.Value("--on", "both");
            double timeout = args.Seconds("--timeout", 120);
            string imageDir = args.Value("--image-dir");
            string dom0Memory = args.Value("--dom0-mem", "64M");
            int smp = args.Int("--smp", GuestRunOptions.DefaultSmp, 1, 64);
            bool verbose = args.Flag("--verbose");
            args.ExpectNone();
            var hosts = new List<GuestHost>();
            switch (on)
            {
                case "ours": hosts.Add(GuestHost.Ours); break;
                case "xen": hosts.Add(GuestHost.Xen); break;
                case "both": hosts.Add(GuestHost.Ours); hosts.Add(GuestHost.Xen); break;
                default: throw new UsageException($"--on takes ours, xen or both, not '{on}'");
            }
            if (guestPath != null && suites.Count > 0)
                throw new UsageException("--guest runs one kernel: leave out --suite");

            string root = ImageLocator.FindRepoRoot();
            if (root == null)
            {
                Console.Error.WriteLine("hv-tool: cannot find the repository (Hypervisor.sln); run from inside it");
                return 2;
            }
            string suitesDir = Path.Combine(root, "tests", "conformance");
            string guestsDir = Path.Combine(root, "out", "guests");
            Divergences divergences = Divergences.Load(Path.Combine(suitesDir, "divergences.txt"));

            // What to run: (name, elf, arguments, initrd).
            var kernels = new List<(string Name, string Elf, string Arguments, string Initrd)>();
            if (guestPath != null)
            {
                if (!File.Exists(guestPath))
                {
                    Console.Error.WriteLine($"hv-tool: guest kernel not found: {guestPath}");
                    return 1;
                }
                kernels.Add((Path.GetFileNameWithoutExtension(guestPath), Path.GetFullPath(guestPath), guestArguments, null));
            }
            else
            {
                List<string> all = DiscoverSuites(suitesDir);
                if (suites.Count == 0)
                    suites = all;
                string initrd = TestInitrd.Write(Path.Combine(root, "out", "conformance"));
                foreach (string suite in suites)
                {
                    if (!all.Contains(suite))
                        throw new UsageException($"no suite '{suite}' in {suitesDir} (suites: {string.Join(", ", all)})");
                    string elf = Path.Combine(guestsDir, SuitePrefix + suite + ".elf");
                    if (!File.Exists(elf))
                    {
                        Console.Error.WriteLine($"hv-tool: {elf} not found (./hv conformance builds the suites)");
                        return 1;
                    }
                    // A suite may ask for its own kernel as its initrd (SuiteInitrd in its project).
                    string suiteInitrd;
                    try
                    {
                        suiteInitrd = SuiteInitrd.Choose(Path.Combine(suitesDir, suite), elf, initrd);
                    }
                    catch (InvalidDataException e)
                    {
                        Console.Error.WriteLine($"hv-tool: {e.Message}");
                        return 2;
                    }
                    kernels.Add((suite, elf, $"suite={suite} expect_mem={dom0Memory}", suiteInitrd));
                }
            }

            var runs = new List<SuiteRun>();
            var hypervisors = new Dictionary<GuestHost, string>();
            foreach (var kernel in kernels)
            {
                foreach (GuestHost host in hosts)
                {
                    var run = new SuiteRun { Suite = kernel.Name, Host = host };
                    runs.Add(run);
                    if (!hypervisors.TryGetValue(host, out string hypervisor))
                    {
                        try
                        {
                            hypervisor = GuestCommand.HypervisorImage(host, root, imageDir);
                        }
                        catch (XenUnavailableException e)
                        {
                            hypervisor = null;
                            Console.Error.WriteLine($"hv-tool: {e.Message}");
                        }
                        hypervisors[host] = hypervisor;
                    }
                    if (hypervisor == null)
                    {
                        run.Error = host == GuestHost.Xen ? "Xen 4.17 is not available (see above)" : "out/hypervisor.elf is missing";
                        continue;
                    }
                    Console.Error.WriteLine($"conformance: {kernel.Name} on {GuestHosts.Name(host)}...");
                    var options = new GuestRunOptions
                    {
                        Host = host,
                        GuestPath = kernel.Elf,
                        GuestArguments = kernel.Arguments,
                        HypervisorPath = hypervisor,
                        Dom0Memory = dom0Memory,
                        Smp = smp,
                        Timeout = TimeSpan.FromSeconds(timeout),
                        LineReceived = verbose ? line => Console.Error.WriteLine("  " + line) : null,
                    };
                    if (kernel.Initrd != null)
                        options.ExtraModules.Add(kernel.Initrd);
                    run.Result = GuestRunner.Run(options);
                    Judge(run, divergences);
                    Report(run, verbose);
                }
            }

            Console.WriteLine();
            Console.WriteLine(Table(runs));
            int bad = runs.Count(r => !r.Ok);
            if (bad == 0)
                Console.WriteLine($"conformance: all {runs.Count} run(s) passed");
            else
                Console.WriteLine($"conformance: {bad} of {runs.Count} run(s) failed");
            return bad == 0 ? 0 : 1;
        }

        /// <summary>Suites are the directories of tests/conformance holding a project (common/ is the library).</summary>
        public static List<string> DiscoverSuites(string suitesDir)
        {
            var suites = new List<string>();
            if (!Directory.Exists(suitesDir))
                return suites;
            foreach (string dir in Directory.GetDirectories(suitesDir).OrderBy(d => d, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(dir);
                if (name == "common" || Directory.GetFiles(dir, "*.csproj").Length == 0)
                    continue;
                suites.Add(name);
            }
            return suites;
        }

        private static void Judge(SuiteRun run, Divergences divergences)
        {
            GuestRunResult r = run.Result;
            int failed = r.Failed;
            if (run.Host == GuestHost.Xen)
            {
                foreach (TestResult t in r.Tests)
                {
                    if (t.Verdict == "FAIL" && divergences.TryGet(t.Id, out _))
                    {
                        run.Diverged.Add(t);
                        failed--;
                    }
                }
            }
            run.EffectiveFailed = Math.Max(0, failed);
        }

        private static void Report(SuiteRun run, bool verbose)
        {
            GuestRunResult r = run.Result;
            foreach (TestResult t in r.Tests)
            {
                if (t.Verdict != "FAIL")
                    continue;
                bool diverged = run.Diverged.Contains(t);
                Console.WriteLine($"  {GuestHosts.Name(run.Host)}: TEST {t.Id}: FAIL {t.Detail}{(diverged ? "  [intended divergence]" : string.Empty)}");
            }
            if (!r.HasSummary)
            {
                Console.WriteLine($"  {GuestHosts.Name(run.Host)}: {run.Suite}: no summary: {r.Reason}");
                if (!verbose)
                {
                    Console.WriteLine("  last lines of the serial console:");
                    foreach (SerialLine line in r.Lines.Skip(Math.Max(0, r.Lines.Count - 12)))
                        Console.WriteLine("    " + line);
                }
            }
            else if (r.Tests.Count != r.Passed + r.Failed + r.Skipped)
            {
                Console.WriteLine($"  {GuestHosts.Name(run.Host)}: {run.Suite}: the summary counts {r.Passed + r.Failed + r.Skipped} tests but {r.Tests.Count} TEST lines were seen");
            }
        }

        private static string Table(List<SuiteRun> runs)
        {
            var rows = new List<string[]> { new[] { "suite", "on", "passed", "failed", "skipped", "time", "result" } };
            foreach (SuiteRun run in runs)
            {
                GuestRunResult r = run.Result;
                string result;
                if (run.Error != null)
                    result = "not run: " + run.Error;
                else if (!r.HasSummary)
                    result = "no summary: " + r.Reason;
                else if (run.EffectiveFailed > 0)
                    result = $"FAILED ({run.EffectiveFailed} test{(run.EffectiveFailed == 1 ? "" : "s")})";
                else
                    result = "ok";
                if (run.Diverged.Count > 0)
                    result += $" ({run.Diverged.Count} intended divergence{(run.Diverged.Count == 1 ? "" : "s")})";
                bool counts = r != null && r.HasSummary;
                rows.Add(new[]
                {
                    run.Suite,
                    GuestHosts.Name(run.Host),
                    counts ? r.Passed.ToString(CultureInfo.InvariantCulture) : "-",
                    counts ? run.EffectiveFailed.ToString(CultureInfo.InvariantCulture) : "-",
                    counts ? r.Skipped.ToString(CultureInfo.InvariantCulture) : "-",
                    r != null ? r.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "-",
                    result,
                });
            }
            int columns = rows[0].Length;
            var width = new int[columns];
            foreach (string[] row in rows)
            {
                for (int c = 0; c < columns - 1; c++)
                    width[c] = Math.Max(width[c], row[c].Length);
            }
            var sb = new StringBuilder();
            foreach (string[] row in rows)
            {
                for (int c = 0; c < columns; c++)
                {
                    bool numeric = c >= 2 && c <= 5;
                    string cell = c == columns - 1 ? row[c] : numeric ? row[c].PadLeft(width[c]) : row[c].PadRight(width[c]);
                    sb.Append(cell);
                    if (c < columns - 1)
                        sb.Append("  ");
                }
                sb.AppendLine();
            }
            return sb.ToString().TrimEnd();
        }

        private static int IndexOf(IReadOnlyList<string> list, string word)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i] == word)
                    return i;
            }
            return -1;
        }
    }
}
