using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// ./hv conformance: the suites pass on the reference (Xen 4.17), and a run that ends without its
    /// summary line is a failure the table explains, never a hang.
    /// </summary>
    [Collection(BootCollection.Name)]
    public sealed class ConformanceTests
    {
        private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(15);
        private static readonly Dictionary<string, string> NoImageBuild = new Dictionary<string, string> { ["HV_NO_BUILD"] = "1" };
        private readonly ImageFixture fixture;
        private readonly ITestOutputHelper output;

        public ConformanceTests(ImageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        [Fact]
        public void SuitesPassOnXen() => AssertEverySuitePasses("xen", "a wrong test, or an unlisted divergence");

        /// <summary>Every suite that passes on Xen passes on this hypervisor.</summary>
        [Fact]
        public void SuitesPassOnOurs() => AssertEverySuitePasses("ours", "this hypervisor differs from Xen");

        private void AssertEverySuitePasses(string on, string meaning)
        {
            HvScript.Result result = HvScript.Run(fixture.Images.RepoRoot, CommandTimeout, null, "conformance", "--on", on);
            output.WriteLine(result.Describe());
            Assert.False(result.TimedOut, $"./hv conformance --on {on} did not finish\n" + result.Describe());
            Assert.True(result.ExitCode == 0, $"a suite failed on {on} ({meaning})\n" + result.Describe());
            var row = new Regex(@"^(\S+)\s+" + on + @"\s+(\d+)\s+0\s+\d+\s+[\d.]+ s\s+ok\b", RegexOptions.Multiline | RegexOptions.CultureInvariant);
            var suites = new HashSet<string>();
            foreach (Match m in row.Matches(result.Stdout))
            {
                suites.Add(m.Groups[1].Value);
                Assert.True(int.Parse(m.Groups[2].Value) > 0, $"suite {m.Groups[1].Value} passed no test\n{result.Describe()}");
            }
            foreach (string suite in new[] { "startofday", "console", "xen_version" })
                Assert.True(suites.Contains(suite), $"no passing row for suite {suite}\n{result.Describe()}");
        }

        /// <summary>A kernel without a summary line (the hello guest) run by the harness on our hypervisor:
        /// whatever our hypervisor does with it today (refuse it, crash it, run it), the run has failed,
        /// and the table must say so with a reason.</summary>
        [Fact]
        public void RunWithoutSummaryOnOursIsReportedAsFailure()
        {
            string root = fixture.Images.RepoRoot;
            HvScript.Result build = HvScript.Run(root, CommandTimeout, null, "guests", "hello");
            Assert.True(build.ExitCode == 0, "./hv guests hello failed:\n" + build.Describe());
            HvScript.Result result = HvScript.Run(root, CommandTimeout, NoImageBuild,
                "conformance", "--on", "ours", "--timeout", "60", "--guest", "out/guests/hello.elf", "from-the-test");
            output.WriteLine(result.Describe());
            Assert.False(result.TimedOut, "./hv conformance --on ours did not finish\n" + result.Describe());
            Assert.True(result.ExitCode == 1, "a run without a summary must fail the command\n" + result.Describe());
            Match row = Regex.Match(result.Stdout, @"^hello\s+ours\s+-\s+-\s+-\s+[\d.]+ s\s+no summary: (\S.*)$",
                RegexOptions.Multiline | RegexOptions.CultureInvariant);
            Assert.True(row.Success, "no table row 'hello ours ... no summary: <reason>'\n" + result.Describe());
            Assert.Matches("refused|crashed|panicked|powered off|timeout|emulator ended|emulated|shut down", row.Groups[1].Value);
            Assert.Matches(@"conformance: 1 of 1 run\(s\) failed", result.Stdout);
        }
    }

    /// <summary>How the harness reads the serial lines of runs that did not complete (no emulator needed).</summary>
    public sealed class GuestRunClassificationTests
    {
        private static GuestRunResult Classify(GuestHost host, bool poweredOff, bool timedOut, params string[] lines)
        {
            var serial = new List<SerialLine>();
            for (int i = 0; i < lines.Length; i++)
                serial.Add(new SerialLine(i, TimeSpan.FromMilliseconds(10 * i), lines[i], lines[i]));
            var end = new GuestRunner.MachineEnd(poweredOff, "the emulator ended (exit code 0)", timedOut, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), "(test)");
            return GuestRunner.Classify(host, serial, end);
        }

        [Fact]
        public void OurHypervisorRefusingDom0IsARefusalWithItsMessage()
        {
            GuestRunResult r = Classify(GuestHost.Ours, true, false,
                "(HV) Hypervisor 0.1.0: a paravirtualizing hypervisor in C# (x86-64, Xen PV ABI)",
                "(HV) Error: dom0 kernel \"/work/out/guests/conformance-console.elf\" was given, but this build cannot run domains yet",
                "(HV) Powering off.");
            Assert.Equal(GuestRunEnd.Refused, r.End);
            Assert.False(r.HasSummary);
            Assert.Equal("the hypervisor refused it: dom0 kernel \"/work/out/guests/conformance-console.elf\" was given, but this build cannot run domains yet", r.Reason);
        }

        [Fact]
        public void XenPanicBuildingDom0IsARefusalWithXensMessage()
        {
            GuestRunResult r = Classify(GuestHost.Xen, false, false,
                "(XEN) *** Building a PV Dom0 ***",
                "(XEN) ELF: ERROR: Will only load images built for the generic loader or Linux images",
                "(XEN) ",
                "(XEN) ****************************************",
                "(XEN) Panic on CPU 0:",
                "(XEN) Could not construct domain 0",
                "(XEN) ****************************************");
            Assert.Equal(GuestRunEnd.Refused, r.End);
            Assert.StartsWith("Xen panicked: Could not construct domain 0", r.Reason);
            Assert.Contains("generic loader", r.Reason);
        }

        [Fact]
        public void SummaryWithDomainPrefixIsRead()
        {
            GuestRunResult r = Classify(GuestHost.Ours, true, false,
                "(d0) SUITE console: start",
                "(d0) TEST console/write: PASS returned 0",
                "(d0) TEST console/unknown_command: FAIL returned 0, expected -38 (ENOSYS)",
                "(d0) 1 passed, 1 failed, 0 skipped",
                "(HV) domain 0 shut down: poweroff");
            Assert.Equal(GuestRunEnd.Summary, r.End);
            Assert.Equal((1, 1, 0), (r.Passed, r.Failed, r.Skipped));
            Assert.Equal(2, r.Tests.Count);
            Assert.Equal("console/unknown_command", r.Tests[1].Id);
            Assert.Equal("FAIL", r.Tests[1].Verdict);
            Assert.Equal("powered off", r.DomainEnd);
        }

        [Fact]
        public void KitFatalLineIsACrash()
        {
            GuestRunResult r = Classify(GuestHost.Xen, false, false,
                "TEST startofday/magic: PASS \"xen-3.0-x86_64\"",
                "kit: fatal trap #GP (vector 13, general protection), error code 0x0000 at RIP=0xffffffff80001234",
                "(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.");
            Assert.Equal(GuestRunEnd.Crashed, r.End);
            Assert.Contains("#GP", r.Reason);
        }

        [Fact]
        public void SilenceIsATimeoutNamingTheLastGuestLine()
        {
            GuestRunResult r = Classify(GuestHost.Xen, false, true,
                "(XEN) *** Serial input to DOM0 (type 'CTRL-a' three times to switch input)",
                "SUITE startofday: start",
                "TEST startofday/magic: PASS \"xen-3.0-x86_64\"");
            Assert.Equal(GuestRunEnd.Timeout, r.End);
            Assert.Equal("timeout after 60 s (last guest line: \"TEST startofday/magic: PASS \"xen-3.0-x86_64\"\")", r.Reason);
        }
    }
}
