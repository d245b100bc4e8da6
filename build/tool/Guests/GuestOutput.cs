using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Guests
{
    /// <summary>One "TEST suite/name: PASS|FAIL|SKIP reason" line of a conformance guest.</summary>
    public sealed record TestResult(string Suite, string Name, string Verdict, string Detail)
    {
        public string Id => Suite + "/" + Name;
    }

    /// <summary>
    /// What the serial lines of a guest run say: the guest's test lines and summary, and the hypervisor's
    /// lines that tell how the domain ended (Xen's "(XEN) Hardware Dom0 ..." lines, its panics, our
    /// "(HV) Error:" and "(HV) PANIC:" lines).
    /// </summary>
    public static class GuestOutput
    {
        public static readonly Regex TestLine = new Regex(@"^TEST (\S+?)/(\S+): (PASS|FAIL|SKIP)\b ?(.*)$", RegexOptions.CultureInvariant);
        public static readonly Regex Summary = new Regex(@"^(\d+) passed, (\d+) failed, (\d+) skipped$", RegexOptions.CultureInvariant);

        // Xen 4.17 (common/shutdown.c and the domain-crash paths).
        public static readonly Regex XenDom0Halted = new Regex(@"^\(XEN\) .*Hardware Dom0 halted", RegexOptions.CultureInvariant);
        public static readonly Regex XenDom0Crashed = new Regex(@"^\(XEN\) .*Hardware Dom0 crashed", RegexOptions.CultureInvariant);
        public static readonly Regex XenDom0Shutdown = new Regex(@"^\(XEN\) .*Hardware Dom0 shutdown", RegexOptions.CultureInvariant);
        public static readonly Regex XenPanic = new Regex(@"^\(XEN\) .*Panic on CPU", RegexOptions.CultureInvariant);
        public static readonly Regex XenLine = new Regex(@"^\(XEN\) ", RegexOptions.CultureInvariant);
        public static readonly Regex XenError = new Regex(@"^\(XEN\) .*(ERROR|[Ee]rror|[Ff]ailed|[Cc]ould not|crashed|[Ii]nvalid)", RegexOptions.CultureInvariant);

        // Our hypervisor. It prefixes a domain's console lines with "(dN) ", as Xen does for domUs.
        public static readonly Regex DomainPrefix = new Regex(@"^\(d\d+\) ", RegexOptions.CultureInvariant);
        public static readonly Regex HvDomainEnd = new Regex(@"^\(HV\) .*[Dd]omain 0 shut down: (\S+)", RegexOptions.CultureInvariant);
        public static readonly Regex HvError = new Regex(@"^\(HV\) Error: (.*)$", RegexOptions.CultureInvariant);
        public static readonly Regex HvPanic = new Regex(@"^\(HV\) PANIC: (.*)$", RegexOptions.CultureInvariant);
        public static readonly Regex HvLine = new Regex(@"^\(HV\) ", RegexOptions.CultureInvariant);

        /// <summary>Our hypervisor's last line after a panic: it stops the CPU and never powers off.</summary>
        public static readonly Regex HvHalted = new Regex(@"^\(HV\) +System halted", RegexOptions.CultureInvariant);

        // The guest kit's own fatal lines.
        public static readonly Regex KitFatal = new Regex(@"^kit: fatal", RegexOptions.CultureInvariant);

        /// <summary>True for a line that ends the run on Xen: after it nothing more comes from dom0.</summary>
        public static bool IsXenEnd(string text)
            => XenDom0Halted.IsMatch(text) || XenDom0Crashed.IsMatch(text) || XenDom0Shutdown.IsMatch(text) || XenPanic.IsMatch(text);

        /// <summary>A guest's line without the "(dN) " prefix a hypervisor may have put in front of it.</summary>
        public static string GuestText(string text)
        {
            Match m = DomainPrefix.Match(text);
            return m.Success ? text.Substring(m.Length) : text;
        }

        /// <summary>How our hypervisor says dom0 ended ("poweroff", "crash", ...), or null.</summary>
        public static string OursDomainEnd(string text)
        {
            Match m = HvDomainEnd.Match(text);
            if (!m.Success)
                return null;
            switch (m.Groups[1].Value.TrimEnd('.', ','))
            {
                case "poweroff": return "powered off";
                case "crash": return "crashed";
                case "reboot": return "shut down (reboot)";
                default: return "shut down (" + m.Groups[1].Value + ")";
            }
        }

        public static TestResult ParseTest(string text)
        {
            Match m = TestLine.Match(GuestText(text));
            return m.Success ? new TestResult(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value) : null;
        }

        public static bool TryParseSummary(string text, out int passed, out int failed, out int skipped)
        {
            Match m = Summary.Match(GuestText(text));
            passed = failed = skipped = 0;
            if (!m.Success)
                return false;
            passed = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            failed = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            skipped = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            return true;
        }

        /// <summary>The guest's own lines: neither Xen's nor ours.</summary>
        public static bool IsGuestLine(string text) => !XenLine.IsMatch(text) && !HvLine.IsMatch(text) && text.Length > 0;

        public static List<TestResult> Tests(IReadOnlyList<SerialLine> lines)
        {
            var tests = new List<TestResult>();
            foreach (SerialLine line in lines)
            {
                TestResult t = ParseTest(line.Text);
                if (t != null)
                    tests.Add(t);
            }
            return tests;
        }
    }
}
