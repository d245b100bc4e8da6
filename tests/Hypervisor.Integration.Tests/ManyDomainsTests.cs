using System;
using System.Text.RegularExpressions;
using Xunit;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// Destroyed domains give back everything they took: `./hv bench domains` with 16 domains of 4 MiB
    /// created, run and destroyed in one boot must find the free memory on our hypervisor exactly as it
    /// was before the first one (the benchmark itself runs 64; fewer keep the test short).
    /// </summary>
    [Collection(BootCollection.Name)]
    public sealed class ManyDomainsTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);
        private readonly ImageFixture fixture;

        public ManyDomainsTests(ImageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public void SixteenDomainsComeAndGoWithoutLosingAPage()
        {
            HvScript.Result run = HvScript.Run(fixture.Images.RepoRoot, Timeout, null, "bench", "domains", "--domains", "16");
            Assert.True(run.ExitCode == 0, "./hv bench domains --domains 16 failed:\n" + run.Describe());
            Assert.Matches(new Regex(@"domains started / destroyed\s+16 / 16 of 16"), run.Stdout);
            Assert.Matches(new Regex(@"memory back after destroy\s+yes"), run.Stdout);
        }
    }
}
