using System.Numerics;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Time
{
    /// <summary>System time (ns), the unit of every timer and deadline: from the host's clock when it
    /// has one, else the TSC scaled by its frequency.</summary>
    public class SystemTimeTests
    {
        private static (Host Host, Mock<HostPlatform> Platform) NewHost(ulong tsc, ulong frequency)
        {
            var platform = new Mock<HostPlatform>();
            platform.Setup(p => p.ReadTimeStampCounter()).Returns(tsc);
            platform.Setup(p => p.TimeStampFrequency).Returns(frequency);
            var host = new Host(new FakeMemory().Map(0, 0x1000), null, CapturingSink.NewLog().Log, platform.Object);
            return (host, platform);
        }

        [Fact]
        public void OneGigahertz_TscIsNanoseconds()
        {
            var (host, _) = NewHost(123_456_789, 1_000_000_000);
            Assert.Equal(123_456_789UL, SystemTime.Now(host));
        }

        [Theory]
        [InlineData(3_000_000_000UL, 2_000_000_000UL, 1_500_000_000UL)]
        [InlineData(2_596_000_000UL, 2_596_000_000UL, 1_000_000_000UL)]
        [InlineData(1UL, 3_000_000_000UL, 0UL)]
        [InlineData(10UL, 3_000_000_000UL, 3UL)]           // rounded down
        public void ScaledByTheFrequency(ulong tsc, ulong frequency, ulong expected)
        {
            var (host, _) = NewHost(tsc, frequency);
            Assert.Equal(expected, SystemTime.Now(host));
        }

        [Theory]
        [InlineData(ulong.MaxValue, 2_596_000_000UL)]
        [InlineData(ulong.MaxValue, 17_000_000_000UL)]
        [InlineData(0x8000_0000_0000_0001UL, 999_999_937UL)]
        public void LargeTsc_DoesNotOverflow(ulong tsc, ulong frequency)
        {
            var (host, _) = NewHost(tsc, frequency);
            var exact = new BigInteger(tsc) * 1_000_000_000 / frequency;
            Assert.Equal((ulong)exact, SystemTime.Now(host));
        }

        [Fact]
        public void NoFrequencyYet_Zero()
        {
            var (host, _) = NewHost(5_000_000, 0);
            Assert.Equal(0UL, SystemTime.Now(host));
        }

        [Fact]
        public void WithAClock_TheClocksSystemTime()
        {
            var (host, platform) = NewHost(3_000_000_000, 1_000_000_000);
            host.Clock = new SystemClock(2_000_000_000, 1_000_000_000, 0);   // 2 GHz, started at TSC 1e9
            Assert.Equal(host.Clock.SystemTimeAt(3_000_000_000), SystemTime.Now(host));
            Assert.InRange(SystemTime.Now(host), 999_999_990UL, 1_000_000_010UL);   // not the raw TSC's 3 s
        }

        [Fact]
        public void ReadsTheTscEachTime()
        {
            ulong tsc = 5;
            var platform = new Mock<HostPlatform>();
            platform.Setup(p => p.ReadTimeStampCounter()).Returns(() => tsc);
            platform.Setup(p => p.TimeStampFrequency).Returns(1_000_000_000UL);
            var host = new Host(new FakeMemory().Map(0, 0x1000), null, CapturingSink.NewLog().Log, platform.Object);
            Assert.Equal(5UL, SystemTime.Now(host));
            tsc = 99;
            Assert.Equal(99UL, SystemTime.Now(host));
        }
    }
}
