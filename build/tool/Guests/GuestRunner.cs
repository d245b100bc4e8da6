using System;
using System.Collections.Generic;
using System.Threading;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Guests
{
    /// <summary>
    /// Boots a PV guest as dom0 of Xen or of our hypervisor in QEMU and decides when the run is over:
    /// the emulator exits (our hypervisor powers the machine off), the hypervisor reports that dom0
    /// halted, crashed or shut down (Xen's "Hardware Dom0 ..." lines, our "domain 0 shut down"), Xen
    /// panics, or the timeout passes. After a guest's summary line the hypervisor gets
    /// a short grace to report the shutdown. Xen does not power off after dom0: QEMU is stopped here.
    /// </summary>
    public static class GuestRunner
    {
        /// <summary>How long to keep reading after Xen's end line (its last words, a register dump).</summary>
        private static readonly TimeSpan AfterEndLine = TimeSpan.FromSeconds(1);

        /// <summary>Our hypervisor powers the machine off after dom0 ends; if it does not, stop waiting after this.</summary>
        private static readonly TimeSpan AfterOursEndLine = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

        public static GuestRunResult Run(GuestRunOptions options)
        {
            MachineOptions machineOptions = options.ToMachineOptions();
            using var machine = new QemuMachine(machineOptions);
            var gate = new object();
            TimeSpan? endLineAt = null;
            TimeSpan? summaryAt = null;
            machine.LineReceived += line =>
            {
                lock (gate)
                {
                    // Our hypervisor halts (without powering off) after a panic: that ends the run too.
                    bool endLine = options.Host == GuestHost.Xen ? GuestOutput.IsXenEnd(line.Text)
                        : GuestOutput.OursDomainEnd(line.Text) != null || GuestOutput.HvHalted.IsMatch(line.Text);
                    if (endLineAt == null && endLine)
                        endLineAt = line.Time;
                    if (summaryAt == null && GuestOutput.Summary.IsMatch(GuestOutput.GuestText(line.Text)))
                        summaryAt = line.Time;
                }
                options.LineReceived?.Invoke(line);
            };

            machine.Start();
            bool timedOut = false;
            while (true)
            {
                if (machine.HasExited)
                    break;
                TimeSpan now = machine.Elapsed;
                TimeSpan? end, summary;
                lock (gate)
                {
                    end = endLineAt;
                    summary = summaryAt;
                }
                if (end.HasValue && now - end.Value >= (options.Host == GuestHost.Xen ? AfterEndLine : AfterOursEndLine))
                    break;
                if (summary.HasValue && now - summary.Value >= options.SummaryGrace)
                    break;
                if (now >= options.Timeout)
                {
                    timedOut = !summary.HasValue;
                    break;
                }
                Thread.Sleep(Poll);
            }
            TimeSpan elapsed = machine.Elapsed;
            machine.Kill();
            var finish = new MachineEnd(machine.PoweredOff, machine.EndWithoutPowerOff, timedOut, options.Timeout, elapsed, machine.Transcript());
            return Classify(options.Host, machine.Lines, finish);
        }

        /// <summary>How the emulator of a run ended, for <see cref="Classify"/>.</summary>
        public sealed record MachineEnd(bool PoweredOff, string EndWithoutPowerOff, bool TimedOut, TimeSpan Timeout, TimeSpan Elapsed, string Transcript);

        /// <summary>Reads the lines of a finished run and says how it ended.</summary>
        public static GuestRunResult Classify(GuestHost host, IReadOnlyList<SerialLine> lines, MachineEnd machine)
        {
            bool timedOut = machine.TimedOut;
            TimeSpan timeout = machine.Timeout;
            List<TestResult> tests = GuestOutput.Tests(lines);
            bool hasSummary = false;
            int passed = 0, failed = 0, skipped = 0;
            string domainEnd = null;
            string xenPanic = null;
            string xenError = null;
            string hvError = null;
            string hvPanic = null;
            string kitFatal = null;
            string lastGuestLine = null;
            for (int i = 0; i < lines.Count; i++)
            {
                string text = lines[i].Text;
                if (!hasSummary && GuestOutput.TryParseSummary(text, out int p, out int f, out int s))
                {
                    hasSummary = true;
                    passed = p;
                    failed = f;
                    skipped = s;
                }
                string oursEnd = GuestOutput.OursDomainEnd(text);
                if (oursEnd != null)
                    domainEnd ??= oursEnd;
                else if (GuestOutput.XenDom0Halted.IsMatch(text))
                    domainEnd ??= "powered off";
                else if (GuestOutput.XenDom0Crashed.IsMatch(text))
                    domainEnd ??= "crashed";
                else if (GuestOutput.XenDom0Shutdown.IsMatch(text))
                    domainEnd ??= "shut down (reboot)";
                else if (GuestOutput.XenPanic.IsMatch(text) && xenPanic == null)
                    xenPanic = NextXenText(lines, i);
                else if (GuestOutput.XenError.IsMatch(text))
                    xenError ??= text;
                var hvErr = GuestOutput.HvError.Match(text);
                if (hvErr.Success)
                    hvError ??= hvErr.Groups[1].Value;
                var hvPan = GuestOutput.HvPanic.Match(text);
                if (hvPan.Success)
                    hvPanic ??= hvPan.Groups[1].Value;
                if (GuestOutput.KitFatal.IsMatch(GuestOutput.GuestText(text)))
                    kitFatal ??= GuestOutput.GuestText(text);
                if (GuestOutput.IsGuestLine(text))
                    lastGuestLine = GuestOutput.GuestText(text);
            }

            GuestRunEnd end;
            string reason;
            if (hasSummary)
            {
                end = GuestRunEnd.Summary;
                reason = domainEnd ?? (machine.PoweredOff ? "powered off" : "summary printed");
            }
            else if (hvPanic != null)
            {
                end = GuestRunEnd.Refused;
                reason = "the hypervisor panicked: " + hvPanic;
            }
            else if (xenPanic != null)
            {
                end = GuestRunEnd.Refused;
                reason = "Xen panicked: " + xenPanic + (xenError != null ? " (" + xenError + ")" : string.Empty);
            }
            else if (kitFatal != null)
            {
                end = GuestRunEnd.Crashed;
                reason = "the guest crashed: " + kitFatal;
            }
            else if (domainEnd == "crashed")
            {
                end = GuestRunEnd.Crashed;
                reason = "dom0 crashed" + (xenError != null ? ": " + xenError : string.Empty);
            }
            else if (domainEnd != null)
            {
                end = GuestRunEnd.Shutdown;
                reason = "dom0 " + domainEnd;
            }
            else if (host == GuestHost.Ours && hvError != null)
            {
                end = GuestRunEnd.Refused;
                reason = "the hypervisor refused it: " + hvError;
            }
            else if (timedOut)
            {
                end = GuestRunEnd.Timeout;
                reason = $"timeout after {timeout.TotalSeconds:0} s" + (lastGuestLine != null ? $" (last guest line: \"{lastGuestLine}\")" : " (the guest printed nothing)");
            }
            else
            {
                end = GuestRunEnd.EmulatorExit;
                reason = machine.PoweredOff
                    ? "the machine powered off without a summary"
                    : machine.EndWithoutPowerOff + " without a summary";
            }

            return new GuestRunResult
            {
                Host = host,
                End = end,
                Reason = reason,
                HasSummary = hasSummary,
                Passed = passed,
                Failed = failed,
                Skipped = skipped,
                Tests = tests,
                Lines = lines,
                Elapsed = machine.Elapsed,
                Transcript = machine.Transcript,
                DomainEnd = domainEnd,
            };
        }

        /// <summary>Xen prints its panic message on the line after "Panic on CPU n:" (between rows of stars).</summary>
        private static string NextXenText(IReadOnlyList<SerialLine> lines, int panicIndex)
        {
            for (int i = panicIndex + 1; i < lines.Count && i < panicIndex + 4; i++)
            {
                string text = lines[i].Text;
                if (!text.StartsWith("(XEN) ", StringComparison.Ordinal))
                    continue;
                string body = text.Substring(6).Trim();
                if (body.Length > 0 && body.Trim('*').Length > 0)
                    return body;
            }
            return "(no message)";
        }
    }
}
