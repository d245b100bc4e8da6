using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Bench
{
    /// <summary>One figure of a benchmark guest: <c>BENCH op=KEY cycles=M min=A max=B iterations=N batches=K</c>
    /// or <c>BENCH op=KEY n/a REASON</c>.</summary>
    public sealed record BenchFigure(string Key, double? Cycles, double? Min, double? Max, string NotAvailable);

    /// <summary>
    /// Reads the serial lines of a benchmark guest's run: its BENCH lines (with or without the "(dN) "
    /// prefix our hypervisor puts in front of a domain's lines), the hypervisor it reported
    /// (<c>BENCH info hypervisor=...</c>) and whether it finished (<c>BENCH done</c>).
    /// </summary>
    public sealed class BenchRun
    {
        private static readonly Regex Figure = new Regex(
            @"^BENCH op=(\S+) cycles=([\d.]+) min=([\d.]+) max=([\d.]+)\b", RegexOptions.CultureInvariant);
        private static readonly Regex NotAvailable = new Regex(@"^BENCH op=(\S+) n/a ?(.*)$", RegexOptions.CultureInvariant);
        private static readonly Regex Info = new Regex(@"^BENCH info hypervisor=(\S+)", RegexOptions.CultureInvariant);

        public List<BenchFigure> Figures { get; } = new List<BenchFigure>();
        public string Hypervisor { get; private set; }
        public bool Done { get; private set; }

        public static bool IsBenchLine(string text) => GuestOutput.GuestText(text).StartsWith("BENCH ", StringComparison.Ordinal);

        public static BenchRun Parse(IEnumerable<SerialLine> lines)
        {
            var run = new BenchRun();
            foreach (SerialLine line in lines)
                run.Add(GuestOutput.GuestText(line.Text));
            return run;
        }

        public void Add(string text)
        {
            Match m = Figure.Match(text);
            if (m.Success)
            {
                Figures.Add(new BenchFigure(m.Groups[1].Value, Number(m.Groups[2].Value), Number(m.Groups[3].Value),
                    Number(m.Groups[4].Value), null));
                return;
            }
            m = NotAvailable.Match(text);
            if (m.Success)
            {
                Figures.Add(new BenchFigure(m.Groups[1].Value, null, null, null, m.Groups[2].Value.Length > 0 ? m.Groups[2].Value : "n/a"));
                return;
            }
            m = Info.Match(text);
            if (m.Success)
            {
                Hypervisor = m.Groups[1].Value;
                return;
            }
            if (text == "BENCH done")
                Done = true;
        }

        private static double Number(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>The figures of one operation on one hypervisor over several runs: the median of the runs'
    /// medians, or why there is none.</summary>
    public sealed class OperationFigures
    {
        public List<double> Medians { get; } = new List<double>();
        public string NotAvailable { get; set; }

        public double? Value => Medians.Count == 0 ? null : Commands.BootBench.Median(Medians);
    }

    /// <summary>The operations in the order the guest measures them, with a label for people. An operation
    /// the guest reports that is not listed here is shown by its key.</summary>
    public static class BenchOperations
    {
        public static readonly (string Key, string Label)[] Known =
        {
            ("empty", "empty loop (call overhead, in every row)"),
            ("null_hypercall", "null hypercall (xen_version 0)"),
            ("console_write_64", "console_io write, 64 bytes"),
            ("mmu_update", "mmu_update, one L1 entry"),
            ("update_va_mapping", "update_va_mapping, UVMF_INVLPG"),
            ("trap_bounce_ud", "trap bounce (#UD, handler, iret)"),
            ("user_round_trip", "kernel->user->kernel (iret, syscall)"),
            ("user_syscall", "user->kernel->user (syscall, iret)"),
            ("event_ping_pong", "event ping-pong with another domain (round trip)"),
            ("grant_copy_4k_from", "grant copy of 4 KiB from another domain's page"),
            ("grant_copy_4k_to", "grant copy of 4 KiB into another domain's page"),
        };

        public static string Label(string key)
        {
            foreach (var (k, label) in Known)
            {
                if (k == key)
                    return label;
            }
            return key;
        }

        /// <summary>The known keys first, in their order, then any other key in the order first seen.</summary>
        public static List<string> Order(IEnumerable<string> seen)
        {
            var keys = Known.Select(k => k.Key).ToList();
            foreach (string key in seen)
            {
                if (!keys.Contains(key))
                    keys.Add(key);
            }
            return keys;
        }
    }
}
