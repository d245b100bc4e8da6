using System;
using System.IO;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Reference;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// sched_op shutdown with the reasons that end a run differently from the suites' power-off: the
    /// sched_op suite's kernel with shutdown=reboot or shutdown=crash shuts down at once with that
    /// reason, and each hypervisor reports dom0's end accordingly (Xen: "Hardware Dom0 shutdown:
    /// rebooting" / "Hardware Dom0 crashed"; ours: "domain 0 shut down: reboot" / "crash"). One short
    /// boot per reason and hypervisor.
    /// </summary>
    [Collection(BootCollection.Name)]
    public sealed class ShutdownReasonTests
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
        private readonly ImageFixture fixture;
        private readonly ITestOutputHelper output;

        public ShutdownReasonTests(ImageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        [Theory]
        [InlineData("xen", "reboot", "shut down (reboot)")]
        [InlineData("xen", "crash", "crashed")]
        [InlineData("ours", "reboot", "shut down (reboot)")]
        [InlineData("ours", "crash", "crashed")]
        public void DomainEndFollowsTheShutdownReason(string on, string reason, string expectedEnd)
        {
            string root = fixture.Images.RepoRoot;
            string kernel = Path.Combine(root, "out", "guests", "conformance-sched_op.elf");
            HvScript.Result build = HvScript.Run(root, BuildTimeout, null, "guests", "sched_op");
            Assert.True(build.ExitCode == 0, "./hv guests sched_op failed:\n" + build.Describe());

            GuestHost host = on == "xen" ? GuestHost.Xen : GuestHost.Ours;
            string hypervisor = host == GuestHost.Xen ? new XenReference(root).EnsureImage(TextWriter.Null) : fixture.Images.Elf;
            GuestRunResult run = GuestRunner.Run(new GuestRunOptions
            {
                Host = host,
                GuestPath = kernel,
                GuestArguments = "shutdown=" + reason,
                HypervisorPath = hypervisor,
                Timeout = Boot.Timeout,
            });
            output.WriteLine(run.Transcript);
            Assert.True(run.Lines.Count > 0 && run.Transcript.Contains("sched_op: shutting down with reason"),
                $"the kernel did not reach its shutdown ({run.Reason})\n{run.Transcript}");
            Assert.True(expectedEnd == run.DomainEnd, $"expected dom0 {expectedEnd}, the run says {run.DomainEnd ?? "nothing"} ({run.Reason})\n{run.Transcript}");
        }
    }
}
