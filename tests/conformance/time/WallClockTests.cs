using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The wall clock in shared_info: the time of day (wc_sec_hi:wc_sec, wc_nsec) at system time 0,
    /// version-counted like vcpu_time_info. A guest adds system time to it to know the date: the
    /// version is even, wc_nsec is below a second, the date it gives now is plausible (2023..2100, the
    /// machine's clock as QEMU gives it), and it moves on exactly as system time does.
    /// </summary>
    internal static unsafe class WallClockTests
    {
        /// <summary>2023-01-01 and 2100-01-01 in seconds since 1970.</summary>
        private const ulong Earliest = 1672531200UL;
        private const ulong Latest = 4102444800UL;
        private const ulong WaitNs = 200000000UL;

        private struct WallClock
        {
            public uint Version;
            public ulong Seconds;
            public uint Nanoseconds;
            /// <summary>System time read inside the same consistent window.</summary>
            public ulong SystemNow;
            public uint Retries;

            /// <summary>Now as ns since 1970.</summary>
            public ulong NowNs => Seconds * 1000000000UL + Nanoseconds + SystemNow;
        }

        public static void Run(TestSuite suite)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            WallClock first = Read(shared);
            suite.Result("wc_version_even", (first.Version & 1) == 0).Text(" wc_version ").Dec(first.Version).End();
            suite.Result("wc_nsec_below_one_second", first.Nanoseconds < 1000000000U).Text(" wc_nsec ").Dec(first.Nanoseconds).End();
            ulong seconds = first.NowNs / 1000000000UL;
            suite.Result("wall_clock_plausible", seconds >= Earliest && seconds < Latest)
                .Text(" wc_sec ").Dec(first.Seconds).Text(" + system time ").Dec(first.SystemNow / 1000000000UL).Text(" s = ")
                .Dec(seconds).Text(" s since 1970 (expected 2023..2100)").End();

            GuestClock.Sleep(WaitNs);
            WallClock second = Read(shared);
            ulong wallElapsed = second.NowNs - first.NowNs;
            ulong systemElapsed = second.SystemNow - first.SystemNow;
            ulong gap = wallElapsed > systemElapsed ? wallElapsed - systemElapsed : systemElapsed - wallElapsed;
            suite.Result("wall_clock_follows_system_time", second.NowNs > first.NowNs && gap <= 1000000UL)
                .Text(" wall ").Dec(wallElapsed / 1000).Text(" us, system ").Dec(systemElapsed / 1000).Text(" us apart (wc_version ")
                .Dec(first.Version).Text(" -> ").Dec(second.Version).Text(")").End();
        }

        private static WallClock Read(SharedInfo* shared)
        {
            WallClock c = default;
            while (true)
            {
                uint version = TimeSnapshot.Fresh(&shared->WcVersion);
                if ((version & 1) == 0)
                {
                    uint low = shared->WcSec;
                    uint high = shared->WcSecHi;
                    uint nsec = shared->WcNsec;
                    ulong now = GuestClock.Now();
                    if (TimeSnapshot.Fresh(&shared->WcVersion) == version)
                    {
                        c.Version = version;
                        c.Seconds = ((ulong)high << 32) | low;
                        c.Nanoseconds = nsec;
                        c.SystemNow = now;
                        return c;
                    }
                }
                c.Retries++;
            }
        }
    }
}
