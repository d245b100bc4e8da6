using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Xen system time (nanoseconds since the hypervisor booted) from vCPU 0's vcpu_time_info: the
    /// hypervisor's last stamp plus the TSC ticks since, scaled by tsc_to_system_mul and tsc_shift; the
    /// version field is odd while the hypervisor rewrites it, so a read is retried until it is stable.
    /// The timer hypercalls (set_timer_op, sched_op poll) take deadlines in this time.
    /// </summary>
    public static unsafe class GuestClock
    {
        [RuntimeImport("kit_rdtsc"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Rdtsc();

        /// <summary>The time-stamp counter.</summary>
        public static ulong ReadTsc() => Rdtsc();

        /// <summary>Gives the CPU away for <paramref name="ns"/> of system time: SCHEDOP_poll on no port with
        /// the end as its timeout, again if something woke it early.</summary>
        public static void Sleep(ulong ns)
        {
            SchedPoll poll = default;
            ulong until = Now() + ns;
            while (Now() < until)
            {
                poll.Timeout = until;
                Hypercalls.SchedOp(SchedOp.Poll, &poll);
            }
        }

        /// <summary>System time now in ns, or 0 when shared info is not mapped.</summary>
        public static ulong Now()
        {
            SharedInfo* shared = SharedInfoPage.Get();
            if (shared == null)
                return 0;
            VcpuTimeInfo* t = &SharedInfo.VcpuInfoOf(shared, 0)->Time;
            while (true)
            {
                uint version = Volatile(&t->Version);
                if ((version & 1) != 0)
                    continue;
                ulong stamp = t->TscTimestamp;
                ulong system = t->SystemTime;
                uint mul = t->TscToSystemMul;
                int shift = t->TscShift;
                ulong tsc = Rdtsc();
                if (Volatile(&t->Version) != version)
                    continue;
                ulong delta = tsc - stamp;
                delta = shift >= 0 ? delta << shift : delta >> -shift;
                return system + Scale(delta, mul);
            }
        }

        /// <summary>(delta * mul) >> 32 without 128-bit arithmetic.</summary>
        public static ulong Scale(ulong delta, uint mul) => (delta >> 32) * mul + (((delta & 0xFFFFFFFFUL) * mul) >> 32);

        /// <summary>A read the compiler cannot merge with another: the hypervisor changes the field.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static uint Volatile(uint* p) => *p;
    }
}
