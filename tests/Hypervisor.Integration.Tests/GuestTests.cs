using System;
using System.IO;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Hypervisor.Tool.Reference;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// The guest kit's sample guest on the reference hypervisor: ./hv guests builds it, hv-tool boots it
    /// as dom0 of Xen 4.17 (installed on demand) and the guest greets with what start_info says, then
    /// powers off. Xen needs about 1.5 s to reach dom0 under TCG; the timeouts are generous.
    /// </summary>
    [Collection(BootCollection.Name)]
    public sealed class GuestTests
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
        private readonly ImageFixture fixture;
        private readonly ITestOutputHelper output;

        public GuestTests(ImageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        [Fact]
        public void HelloGuestGreetsOnXen()
        {
            string root = fixture.Images.RepoRoot;
            HvScript.Result build = HvScript.Run(root, BuildTimeout, null, "guests", "hello");
            Assert.True(build.ExitCode == 0, "./hv guests hello failed:\n" + build.Describe());
            string hello = Path.Combine(root, "out", "guests", "hello.elf");
            Assert.True(File.Exists(hello), $"{hello} was not built\n{build.Describe()}");

            string xen = new XenReference(root).EnsureImage(new TestOutputWriter(output));
            GuestRunResult run = GuestRunner.Run(new GuestRunOptions
            {
                Host = GuestHost.Xen,
                GuestPath = hello,
                GuestArguments = "greeting-test 42",
                HypervisorPath = xen,
                Timeout = Boot.Timeout,
            });
            output.WriteLine(run.Transcript);
            string transcript = $"({run.Reason})\n{run.Transcript}";

            SerialLine greeting = Find(run, @"^Hello from a C# PV guest! The hypervisor says it is version 4\.17\.$");
            Assert.True(greeting != null, "no greeting naming Xen 4.17\n" + transcript);
            SerialLine magic = Find(run, @"^start_info: magic ""xen-3\.0-x86_64"", 16384 pages \(64 MiB\), flags 0x[0-9a-f]+ \(privileged, initial domain\)$");
            Assert.True(magic != null, "no start_info line with the magic, 16384 pages (dom0_mem=64M) and dom0's flags\n" + transcript);
            SerialLine commandLine = Find(run, @"^start_info: command line ""greeting-test 42""$");
            Assert.True(commandLine != null, "the command line is not the module string after the file name\n" + transcript);
            Assert.True(Find(run, @"^start_info: page tables at 0xffffffff8[0-9a-f]+ \(\d+ frames\), P2M list at 0xffffffff8[0-9a-f]+") != null,
                "no page-table and P2M line\n" + transcript);
            Assert.True(greeting.Index < magic.Index && magic.Index < commandLine.Index, "the greeting lines are out of order\n" + transcript);
            Assert.True(Find(run, @"^Goodbye: powering off\.$") != null, "no goodbye\n" + transcript);
            Assert.Equal("powered off", run.DomainEnd);
            Assert.Equal(GuestRunEnd.Shutdown, run.End);
        }

        private static SerialLine Find(GuestRunResult run, string pattern)
        {
            var regex = new Regex(pattern, RegexOptions.CultureInvariant);
            foreach (SerialLine line in run.Lines)
            {
                if (regex.IsMatch(line.Text))
                    return line;
            }
            return null;
        }

        /// <summary>hv-tool's progress messages into the test's output.</summary>
        private sealed class TestOutputWriter : StringWriter
        {
            private readonly ITestOutputHelper output;

            public TestOutputWriter(ITestOutputHelper output) => this.output = output;

            public override void WriteLine(string value) => output.WriteLine(value ?? string.Empty);
        }
    }
}
