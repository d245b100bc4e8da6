using System.Runtime.CompilerServices;
using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// One consistent copy of a vCPU's vcpu_time_info, read as a guest must: the version first (odd means
    /// the hypervisor is rewriting it: read again), the fields, the TSC, then the version again (changed
    /// means an update came in between: read again). <see cref="TimeAt"/> turns a TSC value into system
    /// time with this copy's stamp and scale.
    /// </summary>
    internal unsafe struct TimeSnapshot
    {
        public uint Version;
        public ulong TscTimestamp;
        public ulong SystemTime;
        public uint Mul;
        public int Shift;
        /// <summary>The TSC read inside the consistent window.</summary>
        public ulong Tsc;
        /// <summary>How many reads found an odd or changed version before this one succeeded.</summary>
        public uint Retries;

        public static VcpuTimeInfo* Of(int vcpu)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            return shared == null ? null : &SharedInfo.VcpuInfoOf(shared, vcpu)->Time;
        }

        public static TimeSnapshot Read(VcpuTimeInfo* t)
        {
            TimeSnapshot s = default;
            while (true)
            {
                uint version = Fresh(&t->Version);
                if ((version & 1) == 0)
                {
                    s.TscTimestamp = t->TscTimestamp;
                    s.SystemTime = t->SystemTime;
                    s.Mul = t->TscToSystemMul;
                    s.Shift = t->TscShift;
                    s.Tsc = GuestClock.ReadTsc();
                    if (Fresh(&t->Version) == version)
                    {
                        s.Version = version;
                        return s;
                    }
                }
                s.Retries++;
            }
        }

        /// <summary>System time (ns) at <paramref name="tsc"/> by this copy's stamp and scale.</summary>
        public ulong TimeAt(ulong tsc) => SystemTime + Ticks(tsc - TscTimestamp);

        /// <summary>System time when this copy was read.</summary>
        public ulong Now => TimeAt(Tsc);

        /// <summary>Nanoseconds for <paramref name="ticks"/> TSC ticks by this copy's scale.</summary>
        public ulong Ticks(ulong ticks)
        {
            ulong shifted = Shift >= 0 ? ticks << Shift : ticks >> -Shift;
            return GuestClock.Scale(shifted, Mul);
        }

        /// <summary>A read the compiler cannot merge with another: the hypervisor changes the field.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static uint Fresh(uint* p) => *p;
    }
}
