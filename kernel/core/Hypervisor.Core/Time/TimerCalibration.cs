namespace Hypervisor.Core.Time
{
    /// <summary>
    /// Integer arithmetic for calibrating the local APIC timer against the PIT (1193182 Hz): the arch
    /// counts how far the APIC timer moved while the PIT counted a known number of ticks, and this turns
    /// that into the timer's input frequency and the initial count for a periodic rate.
    /// </summary>
    public static class TimerCalibration
    {
        public const ulong PitFrequencyHz = 1193182;

        /// <summary>
        /// The APIC timer's input (bus) frequency: <paramref name="apicTicks"/> counted with
        /// <paramref name="calibrationDivider"/> while the PIT counted <paramref name="pitTicks"/>,
        /// so Hz = apicTicks * divider * 1193182 / pitTicks (rounded down).
        /// </summary>
        public static TimerCalibrationStatus ComputeFrequency(ulong apicTicks, uint calibrationDivider, ulong pitTicks, out ulong busFrequencyHz)
        {
            busFrequencyHz = 0;
            if (pitTicks == 0)
            {
                return TimerCalibrationStatus.NoPitTicks;
            }

            if (apicTicks == 0)
            {
                return TimerCalibrationStatus.NoApicTicks;
            }

            if (!IsValidDivider(calibrationDivider))
            {
                return TimerCalibrationStatus.BadDivider;
            }

            if (apicTicks > ulong.MaxValue / calibrationDivider)
            {
                return TimerCalibrationStatus.Overflow;
            }

            ulong inputTicks = apicTicks * calibrationDivider;
            if (inputTicks > ulong.MaxValue / PitFrequencyHz)
            {
                return TimerCalibrationStatus.Overflow;
            }

            busFrequencyHz = inputTicks * PitFrequencyHz / pitTicks;
            if (busFrequencyHz == 0)
            {
                return TimerCalibrationStatus.NoApicTicks;
            }

            return TimerCalibrationStatus.Ok;
        }

        /// <summary>
        /// The initial count that makes the timer fire <paramref name="periodHz"/> times a second with
        /// <paramref name="divider"/>: busHz / divider / periodHz (rounded down, at least 1, at most
        /// 0xFFFFFFFF).
        /// </summary>
        public static TimerCalibrationStatus ComputeInitialCount(ulong busFrequencyHz, uint divider, uint periodHz, out uint initialCount)
        {
            initialCount = 0;
            if (!IsValidDivider(divider))
            {
                return TimerCalibrationStatus.BadDivider;
            }

            if (periodHz == 0)
            {
                return TimerCalibrationStatus.BadPeriod;
            }

            if (busFrequencyHz == 0)
            {
                return TimerCalibrationStatus.NoApicTicks;
            }

            ulong count = busFrequencyHz / divider / periodHz;
            if (count == 0)
            {
                return TimerCalibrationStatus.PeriodTooShort;
            }

            if (count > uint.MaxValue)
            {
                return TimerCalibrationStatus.PeriodTooLong;
            }

            initialCount = (uint)count;
            return TimerCalibrationStatus.Ok;
        }

        /// <summary>Dividers the APIC timer supports: 1, 2, 4, 8, 16, 32, 64, 128.</summary>
        public static bool IsValidDivider(uint divider)
        {
            return divider != 0 && divider <= 128 && (divider & (divider - 1)) == 0;
        }

        /// <summary>The Divide Configuration Register value (bits 0, 1 and 3) for a divider.</summary>
        public static bool TryEncodeDivider(uint divider, out uint registerValue)
        {
            switch (divider)
            {
                case 2: registerValue = 0x0; return true;
                case 4: registerValue = 0x1; return true;
                case 8: registerValue = 0x2; return true;
                case 16: registerValue = 0x3; return true;
                case 32: registerValue = 0x8; return true;
                case 64: registerValue = 0x9; return true;
                case 128: registerValue = 0xA; return true;
                case 1: registerValue = 0xB; return true;
                default: registerValue = 0; return false;
            }
        }
    }
}
