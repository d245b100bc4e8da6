using Hypervisor.Core.Boot;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests
{
    /// <summary><c>dom0_max_vcpus=</c> as Xen takes it (N, or min-max), and dom0's vCPU count from it: a vCPU
    /// per CPU online by default, within the bounds and what a domain can have.</summary>
    public class CommandLineDom0VcpusTests
    {
        [Theory]
        [InlineData("", 1, 1)]
        [InlineData("", 2, 2)]
        [InlineData("", 64, DomainCreation.MaxVcpus)]
        [InlineData("dom0_max_vcpus=1", 4, 1)]
        [InlineData("dom0_max_vcpus=8", 4, 4)]
        [InlineData("dom0_max_vcpus=2-8", 1, 2)]
        [InlineData("dom0_max_vcpus=2-3", 4, 3)]
        [InlineData("dom0_max_vcpus=4-4", 2, 4)]
        public void Dom0GetsAVcpuPerCpuWithinTheBounds(string line, int cpus, int vcpus)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(vcpus, o.Dom0VcpuCount(cpus, DomainCreation.MaxVcpus));
        }

        [Theory]
        [InlineData("dom0_max_vcpus")]
        [InlineData("dom0_max_vcpus=0")]
        [InlineData("dom0_max_vcpus=3-2")]
        [InlineData("dom0_max_vcpus=0-2")]
        [InlineData("dom0_max_vcpus=two")]
        [InlineData("dom0_max_vcpus=1-")]
        [InlineData("no-dom0_max_vcpus")]
        public void BadValuesAreWarnedAboutAndIgnored(string line)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(1, w.Count);
            Assert.Equal(0u, o.Dom0MaxVcpus);
            Assert.Equal(0u, o.Dom0MinVcpus);
            Assert.Equal(2, o.Dom0VcpuCount(2, DomainCreation.MaxVcpus));
        }
    }
}
