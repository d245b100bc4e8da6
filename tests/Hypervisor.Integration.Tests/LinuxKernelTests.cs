using System;
using System.IO;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Reference;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// A PV kernel nobody here wrote: Debian's cloud Linux (CONFIG_XEN_PV), fetched by ./hv linux --fetch,
    /// booted as dom0 of each hypervisor with no root file system. On both it must come up the same
    /// way: its grant tables initialised, Xen's clock source in use, and the end every kernel without a
    /// root device reaches, "VFS: Unable to mount root fs", after which it crashes itself.
    /// </summary>
    [Collection(BootCollection.Name)]
    public sealed class LinuxKernelTests
    {
        private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(10);
        private readonly ImageFixture fixture;
        private readonly ITestOutputHelper output;

        public LinuxKernelTests(ImageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        [Theory]
        [InlineData("ours")]
        [InlineData("xen")]
        public void DebianLinuxBootsToItsRootFileSystem(string on)
        {
            string root = fixture.Images.RepoRoot;
            HvScript.Result fetch = HvScript.Run(root, FetchTimeout, null, "linux", "--fetch");
            Assert.True(fetch.ExitCode == 0, "./hv linux --fetch failed:\n" + fetch.Describe());
            string kernel = Path.Combine(root, "out", "linux", "vmlinux");
            Assert.True(File.Exists(kernel), $"{kernel} was not fetched\n{fetch.Describe()}");

            GuestHost host = on == "xen" ? GuestHost.Xen : GuestHost.Ours;
            string hypervisor = host == GuestHost.Xen ? new XenReference(root).EnsureImage(TextWriter.Null) : fixture.Images.Elf;
            GuestRunResult run = GuestRunner.Run(new GuestRunOptions
            {
                Host = host,
                GuestPath = kernel,
                GuestArguments = "console=hvc0 earlyprintk=xen",
                HypervisorPath = hypervisor,
                Dom0Memory = "256M",
                Timeout = TimeSpan.FromMinutes(5),
            });
            output.WriteLine(run.Transcript);
            string transcript = $"({run.Reason})\n{run.Transcript}";
            Assert.True(run.Transcript.Contains("Grant table initialized"), "Linux's grant tables did not come up\n" + transcript);
            Assert.True(run.Transcript.Contains("clocksource: Switched to clocksource xen"), "Linux did not switch to Xen's clock source\n" + transcript);
            Assert.True(run.Transcript.Contains("VFS: Unable to mount root fs"), "Linux did not reach its root file system\n" + transcript);
            Assert.Equal("crashed", run.DomainEnd);
        }
    }
}
