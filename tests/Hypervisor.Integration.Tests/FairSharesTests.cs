using System.Collections.Generic;
using Hypervisor.Tool.Bench;
using Hypervisor.Tool.Commands;
using Xunit;

namespace Hypervisor.Integration.Tests
{
    /// <summary>The fair shares the scheduler benchmark holds each hypervisor to (no emulator needed):
    /// worked out independently of the scheduler under test, so they must be right on their own.</summary>
    public sealed class FairSharesTests
    {
        private const double Precision = 1e-9;

        [Fact]
        public void WeightsOneTwoFourEightOnTwoCpusGiveTheHeaviestOneCpuAndSplitTheOther()
        {
            double[] shares = FairShares.Divide(2, new double[] { 1, 2, 4, 8 }, new double[] { 1, 1, 1, 1 });
            Assert.Equal(1.0 / 7, shares[0], Precision);
            Assert.Equal(2.0 / 7, shares[1], Precision);
            Assert.Equal(4.0 / 7, shares[2], Precision);
            Assert.Equal(1.0, shares[3], Precision);
        }

        [Fact]
        public void ACappedDomainGetsItsCapAndTheRestGoesToTheOthersByWeight()
        {
            double[] shares = FairShares.Divide(2, new double[] { 1, 2, 4, 8 }, new double[] { 1, 1, 1, 0.5 });
            Assert.Equal(0.5, shares[3], Precision);
            Assert.Equal(1.5 / 7, shares[0], Precision);
            Assert.Equal(3.0 / 7, shares[1], Precision);
            Assert.Equal(6.0 / 7, shares[2], Precision);
        }

        [Fact]
        public void SaturatingOneCanSaturateAnother()
        {
            // 3 CPUs by 1:1:1:10: the heavy one takes its CPU, then the other three share two CPUs equally.
            double[] shares = FairShares.Divide(3, new double[] { 1, 1, 1, 10 }, new double[] { 1, 1, 1, 1 });
            Assert.Equal(new[] { 2.0 / 3, 2.0 / 3, 2.0 / 3, 1.0 }, shares);
        }

        [Fact]
        public void MoreCpusThanTheDomainsCanUseLeavesEachAtItsLimit()
        {
            Assert.Equal(new[] { 1.0, 0.25 }, FairShares.Divide(4, new double[] { 1, 1000 }, new double[] { 1, 0.25 }));
        }

        [Fact]
        public void AWeightOfZeroIsRefused()
        {
            Assert.Throws<System.ArgumentException>(() => FairShares.Divide(2, new double[] { 0, 1 }, new double[] { 1, 1 }));
        }

        [Fact]
        public void TheBenchmarkLinesBecomeSharesAgainstTargets()
        {
            var lines = new List<string>
            {
                "BENCH info hypervisor=4.17-csharp-0.1.0 cpus=2 seconds=10",
                "BENCH phase=cap elapsed_ns=10000000000",
                "BENCH share phase=cap domain=1 weight=128 cap=0 cpu_ns=2200000000",
                "BENCH share phase=cap domain=2 weight=256 cap=0 cpu_ns=4285714286",
                "BENCH share phase=cap domain=3 weight=512 cap=0 cpu_ns=8571428571",
                "BENCH share phase=cap domain=4 weight=1024 cap=50 cpu_ns=5200000000",
                "BENCH done",
            };
            List<SchedBench.PhaseResult> phases = SchedBench.Parse(lines, out string problem);
            Assert.Null(problem);
            SchedBench.PhaseResult phase = Assert.Single(phases);
            Assert.Equal(4, phase.Domains.Count);
            // 0.22 against 1.5/7 = 0.2143: 2.7% off, within 5%.
            Assert.True(phase.Domains[0].Within);
            Assert.False(phase.Domains[0].AtCap);
            // 0.52 against a cap of 0.5: 4% off, beyond the 2% a capped domain is allowed.
            Assert.True(phase.Domains[3].AtCap);
            Assert.Equal(0.04, phase.Domains[3].Deviation, 1e-6);
            Assert.False(phase.Domains[3].Within);
        }

        [Fact]
        public void AnUnfinishedRunIsAProblemNotAResult()
        {
            var lines = new List<string> { "BENCH info hypervisor=4.17.7 cpus=2 seconds=10", "BENCH phase=weights elapsed_ns=10000000000" };
            Assert.Null(SchedBench.Parse(lines, out string problem));
            Assert.Equal("the guest did not finish", problem);
        }
    }
}
