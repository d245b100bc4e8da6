using Hypervisor.Core.Boot;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests
{
    /// <summary><c>nosmp</c> and <c>maxcpus=</c>, as Xen spells them.</summary>
    public class CommandLineSmpTests
    {
        [Fact]
        public void ByDefault_EveryCpuIsUsed()
        {
            var (o, w) = ParsedCommandLine.Of("");
            Assert.Equal(0, w.Count);
            Assert.False(o.NoSmp);
            Assert.Equal(0u, o.MaxCpus);
            Assert.Equal(0, o.CpuLimit);
        }

        [Theory]
        [InlineData("nosmp", true)]
        [InlineData("nosmp=1", true)]
        [InlineData("nosmp=yes", true)]
        [InlineData("nosmp=0", false)]
        [InlineData("nosmp no-nosmp", false)]
        public void NoSmp_IsABoolean(string line, bool expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.NoSmp);
            Assert.Equal(expected ? 1 : 0, o.CpuLimit);
        }

        [Theory]
        [InlineData("maxcpus=1", 1u)]
        [InlineData("maxcpus=4", 4u)]
        [InlineData("maxcpus=0x10", 16u)]
        public void MaxCpus_TakesACount(string line, uint expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.MaxCpus);
            Assert.Equal((int)expected, o.CpuLimit);
        }

        [Fact]
        public void MaxDashCpus_IsNotMaxCpus()
        {
            // '-' and '_' are the same in names, but "max-cpus" is not "maxcpus": Xen's name has neither.
            var (o, w) = ParsedCommandLine.Of("max-cpus=2");
            Assert.True(w.Contains(CommandLine.UnknownOptionMessage));
            Assert.Equal(0u, o.MaxCpus);
        }

        [Theory]
        [InlineData("maxcpus=0", CommandLine.BadValueMessage)]
        [InlineData("maxcpus=two", CommandLine.BadValueMessage)]
        [InlineData("maxcpus=3x", CommandLine.BadValueMessage)]
        [InlineData("maxcpus=99999999999", CommandLine.BadValueMessage)]
        [InlineData("maxcpus", CommandLine.MissingValueMessage)]
        [InlineData("maxcpus=", CommandLine.MissingValueMessage)]
        [InlineData("no-maxcpus", CommandLine.NotBooleanMessage)]
        [InlineData("nosmp=maybe", CommandLine.BadValueMessage)]
        [InlineData("no-nosmp=1", CommandLine.BadValueMessage)]
        public void BadForms_WarnAndChangeNothing(string line, string message)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(1, w.Count);
            Assert.Equal(message, w[0].Message);
            Assert.Equal(0u, o.MaxCpus);
            Assert.False(o.NoSmp);
        }

        [Fact]
        public void NoSmp_WinsOverMaxCpus()
        {
            var (o, _) = ParsedCommandLine.Of("maxcpus=4 nosmp");
            Assert.Equal(4u, o.MaxCpus);
            Assert.Equal(1, o.CpuLimit);
        }
    }
}
