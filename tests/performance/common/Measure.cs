using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Timing with the time-stamp counter: an operation runs <c>iterations</c> times between two
    /// serialised rdtsc reads (one batch); after one batch of warm-up, <c>batches</c> batches are timed and
    /// the median, minimum and maximum cycles per operation are printed as one line
    /// <c>BENCH op=KEY cycles=MEDIAN min=MIN max=MAX iterations=N batches=B</c>, or
    /// <c>BENCH op=KEY n/a REASON</c> when the operation cannot be measured. Cycles are TSC ticks with one
    /// decimal; the loop and the indirect call around the operation are included (the "empty" operation
    /// shows how much that is).
    /// </summary>
    internal static unsafe class Measure
    {
        public const int MaxBatches = 101;

        [RuntimeImport("bench_tsc"), MethodImpl(MethodImplOptions.InternalCall)]
        public static extern ulong Tsc();

        public static ulong Iterations = 1000;
        public static ulong Batches = 15;

        /// <summary>Times <paramref name="op"/> (called with the iteration number); <paramref name="perCall"/>
        /// operations happen in each call (for a loop inside the operation).</summary>
        public static void Run(string key, delegate*<ulong, void> op, ulong iterations, ulong perCall)
        {
            ulong batches = Batches;
            if (batches > MaxBatches)
                batches = MaxBatches;
            if (iterations == 0)
                iterations = 1;
            ulong* tenths = stackalloc ulong[MaxBatches];
            for (ulong b = 0; b <= batches; b++)
            {
                ulong t0 = Tsc();
                for (ulong i = 0; i < iterations; i++)
                    op(i);
                ulong t1 = Tsc();
                if (b > 0)
                    tenths[b - 1] = (t1 - t0) * 10 / (iterations * perCall);
            }
            Sort(tenths, batches);
            ConsoleLine line = GuestConsole.Line().Text("BENCH op=").Text(key).Text(" cycles=");
            Tenths(line, tenths[batches / 2]).Text(" min=");
            Tenths(line, tenths[0]).Text(" max=");
            Tenths(line, tenths[batches - 1]).Text(" iterations=").Dec(iterations * perCall).Text(" batches=").Dec(batches).End();
        }

        private static ConsoleLine Tenths(ConsoleLine line, ulong tenths) => line.Dec(tenths / 10).Char('.').Dec(tenths % 10);

        public static void NotAvailable(string key, string reason, long rc)
        {
            ConsoleLine line = GuestConsole.Line().Text("BENCH op=").Text(key).Text(" n/a ").Text(reason);
            if (rc != 0)
                line.Text(" (").Result(rc).Char(')');
            line.End();
        }

        private static void Sort(ulong* v, ulong n)
        {
            for (ulong i = 1; i < n; i++)
            {
                ulong x = v[i];
                ulong j = i;
                while (j > 0 && v[j - 1] > x)
                {
                    v[j] = v[j - 1];
                    j--;
                }
                v[j] = x;
            }
        }
    }
}
