namespace Hypervisor.Core.Time
{
    /// <summary>Why a timer calculation was refused.</summary>
    public enum TimerCalibrationStatus
    {
        Ok = 0,

        /// <summary>The PIT interval was 0 ticks: nothing was measured.</summary>
        NoPitTicks = 1,

        /// <summary>The APIC timer did not count during the interval (not running, or emulated badly).</summary>
        NoApicTicks = 2,

        /// <summary>The numbers are too large to be real (the product would overflow 64 bits).</summary>
        Overflow = 3,

        /// <summary>The divider is not one the APIC timer supports (1, 2, 4 ... 128).</summary>
        BadDivider = 4,

        /// <summary>The requested period is 0 Hz.</summary>
        BadPeriod = 5,

        /// <summary>The timer is too slow for the requested rate (initial count would be 0).</summary>
        PeriodTooShort = 6,

        /// <summary>The initial count does not fit the 32-bit register: use a larger divider.</summary>
        PeriodTooLong = 7,
    }
}
