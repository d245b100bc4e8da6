namespace Hypervisor.Core.Time
{
    /// <summary>Now, in the system time guests read from vcpu_time_info (ns since the hypervisor's
    /// clock started): the time timers and deadlines are given in.</summary>
    public static class SystemTime
    {
        private const ulong NanosecondsPerSecond = 1_000_000_000;

        public static ulong Now(Host host)
        {
            ulong tsc = host.Platform.ReadTimeStampCounter();
            if (host.Clock != null)
                return host.Clock.SystemTimeAt(tsc);
            // Before the clock exists (and in tests without one): ns since the TSC started.
            ulong frequency = host.Platform.TimeStampFrequency;
            if (frequency == 0)
                return 0;
            // Split so that neither product overflows for any TSC below 2^64 and frequency below 18 GHz.
            return tsc / frequency * NanosecondsPerSecond + tsc % frequency * NanosecondsPerSecond / frequency;
        }
    }
}
