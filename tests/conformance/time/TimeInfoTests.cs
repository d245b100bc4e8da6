using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// vcpu_time_info of vCPU 0, what a guest's clock is made of: an even version whenever the guest
    /// runs (the hypervisor never leaves it mid-update), a stamp (TSC and system time) from the past, a
    /// scale that gives a plausible TSC rate; system time from it never goes back and keeps pace with
    /// the TSC and with the hypervisor's own timers; the hypervisor brings the stamp up to date within
    /// a few seconds (a new, even version) without a jump: the new stamp lies on the line the old one
    /// drew, within a small fraction of the time between them.
    /// </summary>
    internal static unsafe class TimeInfoTests
    {
        private const int Reads = 20000;
        /// <summary>How long the hypervisor is given to bring the stamp up to date (Xen: about once a second).</summary>
        private const ulong UpdateWaitNs = 5000000000UL;
        private const ulong PollSliceNs = 100000000UL;

        public static void Run(TestSuite suite)
        {
            VcpuTimeInfo* t = TimeSnapshot.Of(0);
            EvenVersion(suite, t);
            Fields(suite, t);
            Monotonic(suite);
            PaceAgainstPoll(suite);
            Update(suite, t);
        }

        // Reads of the version between hypercalls and in a tight loop: never odd in the guest's view.
        private static void EvenVersion(TestSuite suite, VcpuTimeInfo* t)
        {
            uint odd = 0;
            uint first = TimeSnapshot.Fresh(&t->Version);
            for (int i = 0; i < Reads; i++)
            {
                if ((TimeSnapshot.Fresh(&t->Version) & 1) != 0)
                    odd++;
                if (i % 1000 == 0)
                    Hypercalls.XenVersion(XenVersionCommand.Version, null);
            }
            suite.Result("version_even", odd == 0 && (first & 1) == 0).Text(" version ").Dec(first).Text(", ").Dec(odd)
                .Text(" odd reads of ").Dec(Reads).End();
        }

        private static void Fields(TestSuite suite, VcpuTimeInfo* t)
        {
            TimeSnapshot s = TimeSnapshot.Read(t);
            suite.Result("stamp_in_the_past", s.TscTimestamp <= s.Tsc && s.SystemTime <= s.Now)
                .Text(" tsc_timestamp ").Dec(s.TscTimestamp).Text(" <= tsc ").Dec(s.Tsc).Text(", system_time ").Dec(s.SystemTime)
                .Text(" <= now ").Dec(s.Now).End();
            // The TSC rate the scale stands for: ticks in one second of system time.
            ulong perSecond = TicksPerSecond(s);
            suite.Result("scale_plausible", s.Mul != 0 && s.Shift >= -32 && s.Shift <= 32 && perSecond >= 100000000UL && perSecond <= 100000000000UL)
                .Text(" tsc_to_system_mul ").Hex(s.Mul).Text(", tsc_shift ").Signed(s.Shift).Text(": ").Dec(perSecond / 1000)
                .Text(" kHz (expected 100 MHz..100 GHz)").End();
        }

        // System time never goes back, read after read, and moves on.
        private static void Monotonic(TestSuite suite)
        {
            ulong first = GuestClock.Now();
            ulong previous = first;
            uint backwards = 0;
            ulong worst = 0;
            for (int i = 0; i < Reads; i++)
            {
                ulong now = GuestClock.Now();
                if (now < previous)
                {
                    backwards++;
                    if (previous - now > worst)
                        worst = previous - now;
                }
                previous = now;
                if (i % 1000 == 0)
                    Hypercalls.Yield();
            }
            suite.Result("system_time_monotonic", backwards == 0 && previous > first)
                .Text(" ").Dec(Reads).Text(" reads over ").Dec((previous - first) / 1000).Text(" us, ").Dec(backwards)
                .Text(" backwards (worst ").Dec(worst).Text(" ns)").End();
        }

        // A poll's timeout is the hypervisor's own clock at work: the guest's clock reads at least the
        // timeout when it returns, and the TSC moved on by as many ticks as the scale says.
        private static void PaceAgainstPoll(TestSuite suite)
        {
            const ulong wait = 50000000UL;
            long port = EventChannels.BindIpi(0);
            if (port <= 0)
            {
                suite.Skip("system_time_paces_poll_timeout", "bind_ipi failed");
                return;
            }
            uint* ports = stackalloc uint[1];
            ports[0] = (uint)port;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;
            TimeSnapshot before = TimeSnapshot.Read(TimeSnapshot.Of(0));
            poll.Timeout = before.Now + wait;
            long rc = 0;
            ulong now = before.Now;
            while (rc == 0 && now < poll.Timeout)
            {
                rc = Hypercalls.SchedOp(SchedOp.Poll, &poll);
                now = GuestClock.Now();
            }
            TimeSnapshot after = TimeSnapshot.Read(TimeSnapshot.Of(0));
            ulong elapsed = after.Now - before.Now;
            ulong byTsc = before.Ticks(after.Tsc - before.Tsc);
            ulong difference = elapsed > byTsc ? elapsed - byTsc : byTsc - elapsed;
            suite.Result("system_time_paces_poll_timeout", rc == 0 && elapsed >= wait && elapsed < 20 * wait && difference <= elapsed / 100 + 100000)
                .Text(" poll ").Result(rc).Text(", ").Dec(elapsed / 1000).Text(" us of system time for a ").Dec(wait / 1000)
                .Text(" us timeout, ").Dec(byTsc / 1000).Text(" us by the TSC at the first scale").End();
            EventChannels.Close((uint)port);
        }

        // Waits (in polls, which let the hypervisor run) for a new stamp; it must be even and on the old line.
        private static void Update(TestSuite suite, VcpuTimeInfo* t)
        {
            TimeSnapshot before = TimeSnapshot.Read(t);
            TimeSnapshot after = before;
            long port = EventChannels.BindIpi(0);
            uint* ports = stackalloc uint[1];
            ports[0] = port > 0 ? (uint)port : 0;
            SchedPoll poll = default;
            poll.Ports = (ulong)ports;
            poll.NrPorts = port > 0 ? 1u : 0u;
            ulong deadline = before.Now + UpdateWaitNs;
            while (true)
            {
                after = TimeSnapshot.Read(t);
                if (after.Version != before.Version || after.Now >= deadline)
                    break;
                poll.Timeout = after.Now + PollSliceNs;
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
            }
            if (port > 0)
                EventChannels.Close((uint)port);
            bool changed = after.Version != before.Version;
            suite.Result("version_changes_on_update", changed && (after.Version & 1) == 0 && after.TscTimestamp > before.TscTimestamp)
                .Text(" version ").Dec(before.Version).Text(" -> ").Dec(after.Version).Text(" after ").Dec((after.Now - before.Now) / 1000000)
                .Text(" ms, tsc_timestamp ").Dec(before.TscTimestamp).Text(" -> ").Dec(after.TscTimestamp).End();
            if (!changed)
            {
                suite.Skip("update_continues_old_line", "no update seen");
                return;
            }
            // Where the old stamp and scale put the new stamp's TSC, against the new stamp's system time.
            ulong predicted = before.TimeAt(after.TscTimestamp);
            ulong span = after.SystemTime - before.SystemTime;
            ulong gap = predicted > after.SystemTime ? predicted - after.SystemTime : after.SystemTime - predicted;
            suite.Result("update_continues_old_line", gap <= span / 100 + 100000)
                .Text(" new system_time ").Dec(after.SystemTime).Text(", the old stamp predicts ").Dec(predicted).Text(" (")
                .Dec(gap).Text(" ns apart over ").Dec(span / 1000).Text(" us)").End();
        }

        private static ulong TicksPerSecond(TimeSnapshot s)
        {
            // Doubling search for the ticks that make 1 s at this scale (no division by the fraction).
            ulong low = 0, high = 1;
            while (high < (1UL << 40) && s.Ticks(high) < 1000000000UL)
                high <<= 1;
            while (high - low > 1)
            {
                ulong middle = low + (high - low) / 2;
                if (s.Ticks(middle) < 1000000000UL)
                    low = middle;
                else
                    high = middle;
            }
            return high;
        }
    }
}
