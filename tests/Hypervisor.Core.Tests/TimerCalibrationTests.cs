using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class TimerCalibrationTests
    {
        [Fact]
        public void TenMillisecondsOfPit_At1GHzBusWithDivider16()
        {
            // 11932 PIT ticks ~= 10 ms; a 1 GHz bus divided by 16 counts 625000 ticks in 10 ms.
            var status = TimerCalibration.ComputeFrequency(625_000, 16, 11_932, out var hz);
            Assert.Equal(TimerCalibrationStatus.Ok, status);
            Assert.Equal(625_000UL * 16 * 1_193_182 / 11_932, hz);
            Assert.InRange(hz, 999_000_000UL, 1_001_000_000UL);
        }

        [Fact]
        public void InitialCount_For100Hz()
        {
            Assert.Equal(TimerCalibrationStatus.Ok, TimerCalibration.ComputeInitialCount(1_000_000_000, 16, 100, out var count));
            Assert.Equal(625_000u, count);
        }

        [Theory]
        [InlineData(0UL, 11932UL, TimerCalibrationStatus.NoApicTicks)]
        [InlineData(1000UL, 0UL, TimerCalibrationStatus.NoPitTicks)]
        [InlineData(ulong.MaxValue / 2, 1UL, TimerCalibrationStatus.Overflow)]
        [InlineData(20_000_000_000_000UL, 1UL, TimerCalibrationStatus.Overflow)]
        [InlineData(1UL, 10_000_000UL, TimerCalibrationStatus.NoApicTicks)] // rounds to 0 Hz
        public void AbsurdMeasurements_AreRejected(ulong apicTicks, ulong pitTicks, TimerCalibrationStatus expected)
        {
            Assert.Equal(expected, TimerCalibration.ComputeFrequency(apicTicks, 1, pitTicks, out var hz));
            Assert.Equal(0UL, hz);
        }

        [Theory]
        [InlineData(0u)]
        [InlineData(3u)]
        [InlineData(256u)]
        public void BadDividers_AreRejected(uint divider)
        {
            Assert.Equal(TimerCalibrationStatus.BadDivider, TimerCalibration.ComputeFrequency(1000, divider, 1000, out _));
            Assert.Equal(TimerCalibrationStatus.BadDivider, TimerCalibration.ComputeInitialCount(1_000_000, divider, 100, out _));
            Assert.False(TimerCalibration.TryEncodeDivider(divider, out _));
        }

        [Fact]
        public void InitialCount_Limits()
        {
            Assert.Equal(TimerCalibrationStatus.BadPeriod, TimerCalibration.ComputeInitialCount(1_000_000, 1, 0, out _));
            Assert.Equal(TimerCalibrationStatus.NoApicTicks, TimerCalibration.ComputeInitialCount(0, 1, 100, out _));
            Assert.Equal(TimerCalibrationStatus.PeriodTooShort, TimerCalibration.ComputeInitialCount(1000, 128, 100, out _));
            Assert.Equal(TimerCalibrationStatus.PeriodTooLong, TimerCalibration.ComputeInitialCount(10_000_000_000, 1, 1, out _));
            Assert.Equal(TimerCalibrationStatus.Ok, TimerCalibration.ComputeInitialCount(10_000_000_000, 16, 1, out var count));
            Assert.Equal(625_000_000u, count);
        }

        [Theory]
        [InlineData(1u, 0xBu)]
        [InlineData(2u, 0x0u)]
        [InlineData(4u, 0x1u)]
        [InlineData(8u, 0x2u)]
        [InlineData(16u, 0x3u)]
        [InlineData(32u, 0x8u)]
        [InlineData(64u, 0x9u)]
        [InlineData(128u, 0xAu)]
        public void DividerEncoding(uint divider, uint register)
        {
            Assert.True(TimerCalibration.IsValidDivider(divider));
            Assert.True(TimerCalibration.TryEncodeDivider(divider, out var value));
            Assert.Equal(register, value);
        }

        [Fact]
        public void CalibrationDivider_IsFactoredIn()
        {
            TimerCalibration.ComputeFrequency(1000, 1, 1_193_182, out var a);
            TimerCalibration.ComputeFrequency(1000, 8, 1_193_182, out var b);
            Assert.Equal(1000UL, a);
            Assert.Equal(8000UL, b);
        }
    }
}
