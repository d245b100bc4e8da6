using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Commands;
using Hypervisor.Tool.Reference;

namespace Hypervisor.Tool.Bench
{
    /// <summary>
    /// One boot of a benchmark guest that builds its domains from its own image (its initrd), as dom0 of
    /// one hypervisor: every serial line goes to out/bench/NAME-HOST.log, the guest's lines (domain prefix
    /// dropped) come back, and each <c>BENCH error</c> line and a missing hypervisor image become failures
    /// named after the hypervisor. The benchmarks that share this are <c>domains</c> and <c>sched</c>.
    /// </summary>
    public sealed class DomainBenchRun
    {
        public GuestRunResult Run { get; private init; }
        public string Log { get; private init; }
        public List<string> GuestLines { get; private init; }
        public string HostName { get; private init; }

        /// <summary>The run, or null when the hypervisor image is missing (a failure is added).</summary>
        public static DomainBenchRun Boot(string benchmark, GuestHost host, string root, string imageDir, string guest,
                                          string guestArguments, double timeoutSeconds, TextWriter progress, List<string> failures)
        {
            string name = GuestHosts.Name(host);
            string image = null;
            try
            {
                image = GuestCommand.HypervisorImage(host, root, imageDir);
            }
            catch (XenUnavailableException e)
            {
                Console.Error.WriteLine($"hv-tool: {e.Message}");
            }
            if (image == null)
            {
                failures.Add($"{name}: no hypervisor image");
                return null;
            }
            progress.Write($"  {name}: ");
            var options = new GuestRunOptions
            {
                Host = host,
                GuestPath = guest,
                GuestArguments = guestArguments,
                HypervisorPath = image,
                Timeout = TimeSpan.FromSeconds(timeoutSeconds),
                // Fresh domains get memory nobody has touched yet: without this, the host's page faults
                // on first touch weigh more than either hypervisor's work (about 10 ms per 4 MiB domain).
                PreallocateMemory = true,
            };
            options.ExtraModules.Add(Path.GetFullPath(guest));
            GuestRunResult run = GuestRunner.Run(options);
            string logDir = Path.Combine(root, "out", "bench");
            Directory.CreateDirectory(logDir);
            string log = Path.Combine(logDir, $"{benchmark}-{name}.log");
            File.WriteAllLines(log, run.Lines.Select(l => l.ToString()));
            var lines = run.Lines.Select(l => GuestOutput.GuestText(l.Text)).ToList();
            foreach (string text in lines.Where(t => t.StartsWith("BENCH error", StringComparison.Ordinal)))
                failures.Add($"{name}: {text.Substring(6)}");
            return new DomainBenchRun { Run = run, Log = log, GuestLines = lines, HostName = name };
        }

        /// <summary>Reports the run: a failure when its figures are missing, else its time.</summary>
        public void Report(bool gotFigures, string problem, TextWriter progress, List<string> failures)
        {
            if (!gotFigures)
            {
                failures.Add($"{HostName}: {problem} ({Run.Reason}; serial output in {Log})");
                progress.WriteLine($"FAILED ({Run.Reason}; {Log})");
                return;
            }
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {Run.Elapsed.TotalSeconds:0.0} s ({Log})"));
        }
    }
}
