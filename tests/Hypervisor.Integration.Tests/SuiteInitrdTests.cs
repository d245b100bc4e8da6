using System;
using System.IO;
using Hypervisor.Tool.Conformance;
using Hypervisor.Tool.Machines;
using Xunit;

namespace Hypervisor.Integration.Tests
{
    /// <summary>How the harness chooses a suite's initrd: the test initrd, or the suite's own kernel when its
    /// project sets SuiteInitrd to self (no emulator needed).</summary>
    public sealed class SuiteInitrdTests : IDisposable
    {
        private readonly string directory = Path.Combine(Path.GetTempPath(), "hv-suite-initrd-" + Guid.NewGuid().ToString("N"));

        public SuiteInitrdTests() => Directory.CreateDirectory(directory);

        public void Dispose() => Directory.Delete(directory, true);

        private void Project(string properties)
            => File.WriteAllText(Path.Combine(directory, "X.Suite.csproj"),
                $"<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <SuiteName>x</SuiteName>\n{properties}  </PropertyGroup>\n</Project>\n");

        [Fact]
        public void WithoutThePropertyTheSuiteGetsTheTestInitrd()
        {
            Project(string.Empty);
            Assert.Null(SuiteInitrd.Read(directory));
            Assert.Equal("initrd.bin", SuiteInitrd.Choose(directory, "suite.elf", "initrd.bin"));
        }

        [Fact]
        public void SelfGivesTheSuiteItsOwnKernel()
        {
            Project("    <SuiteInitrd> self </SuiteInitrd>\n");
            Assert.Equal("suite.elf", SuiteInitrd.Choose(directory, "suite.elf", "initrd.bin"));
        }

        [Fact]
        public void AnyOtherValueIsAnError()
        {
            Project("    <SuiteInitrd>other.bin</SuiteInitrd>\n");
            var e = Assert.Throws<InvalidDataException>(() => SuiteInitrd.Choose(directory, "suite.elf", "initrd.bin"));
            Assert.Contains("other.bin", e.Message);
        }

        [Fact]
        public void TheSuitesThatBuildADomainAskForTheirOwnKernelAndTheOthersDoNot()
        {
            string root = ImageLocator.FindRepoRoot();
            Assert.NotNull(root);
            string suites = Path.Combine(root, "tests", "conformance");
            Assert.Equal(SuiteInitrd.Self, SuiteInitrd.Read(Path.Combine(suites, "domctl")));
            Assert.Equal(SuiteInitrd.Self, SuiteInitrd.Read(Path.Combine(suites, "vcpus")));
            Assert.Equal(SuiteInitrd.Self, SuiteInitrd.Read(Path.Combine(suites, "interdomain")));
            Assert.Null(SuiteInitrd.Read(Path.Combine(suites, "startofday")));
        }
    }
}
