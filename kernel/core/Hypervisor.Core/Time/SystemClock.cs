using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Time
{
    /// <summary>
    /// System time (nanoseconds since the hypervisor started) derived from the TSC, in the form PV
    /// guests read it: vcpu_time_info's tsc_to_system_mul and tsc_shift (ns = ((tsc delta shifted by
    /// tsc_shift) * mul) >> 32), and the wall clock at system time 0 in shared_info. Every update is
    /// bracketed by an odd and then even version, so a guest that reads mid-update retries.
    /// </summary>
    public sealed class SystemClock
    {
        private const ulong NanosecondsPerSecond = 1000000000;

        public SystemClock(ulong tscFrequency, ulong tscAtStart, ulong wallClockSecondsAtStart)
        {
            TscAtStart = tscAtStart;
            WallClockSecondsAtStart = wallClockSecondsAtStart;
            ComputeScale(tscFrequency == 0 ? NanosecondsPerSecond : tscFrequency, out uint mul, out sbyte shift);
            TscToSystemMul = mul;
            TscShift = shift;
        }

        public ulong TscAtStart { get; }
        /// <summary>System time at which every vCPU's stamp is next refreshed (<see cref="VcpuTimeStamps"/>).</summary>
        public ulong NextEpoch;
        public ulong WallClockSecondsAtStart { get; }
        public uint TscToSystemMul { get; }
        public sbyte TscShift { get; }

        /// <summary>The (mul, shift) pair for a TSC of <paramref name="tscFrequency"/> Hz: mul is kept
        /// in [2^31, 2^32) for precision and shift absorbs the rest.</summary>
        public static void ComputeScale(ulong tscFrequency, out uint mul, out sbyte shift)
        {
            ulong scale = (NanosecondsPerSecond << 32) / tscFrequency;
            int s = 0;
            while (scale >= 1UL << 32)
            {
                scale >>= 1;
                s++;
            }
            while (scale < 1UL << 31)
            {
                scale <<= 1;
                s--;
            }
            mul = (uint)scale;
            shift = (sbyte)s;
        }

        /// <summary>Nanoseconds of system time at TSC value <paramref name="tsc"/>.</summary>
        public ulong SystemTimeAt(ulong tsc)
        {
            ulong delta = tsc - TscAtStart;
            delta = TscShift >= 0 ? delta << TscShift : delta >> -TscShift;
            // (delta * mul) >> 32 without overflowing 64 bits.
            ulong high = (delta >> 32) * TscToSystemMul;
            ulong low = ((delta & 0xFFFFFFFF) * TscToSystemMul) >> 32;
            return high + low;
        }

        /// <summary>Writes a vcpu_time_info at <paramref name="address"/> for TSC value <paramref name="tsc"/>.</summary>
        public void WriteVcpuTime(PhysicalMemory memory, ulong address, ulong tsc)
        {
            uint updating = (memory.Read32(address) + 1) | 1;   // odd: update in progress
            memory.Write32(address, updating);
            memory.Write64(address + 8, tsc);
            memory.Write64(address + 16, SystemTimeAt(tsc));
            memory.Write32(address + 24, TscToSystemMul);
            memory.Write8(address + 28, (byte)TscShift);
            memory.Write32(address, updating + 1);               // even: done
        }

        /// <summary>Writes shared_info's wall clock (the time of day at system time 0).</summary>
        public void WriteWallClock(PhysicalMemory memory, ulong sharedInfo)
        {
            const ulong versionOffset = Hypervisor.Abi.SharedInfo.WcVersionOffset;
            uint updating = (memory.Read32(sharedInfo + versionOffset) + 1) | 1;
            memory.Write32(sharedInfo + versionOffset, updating);
            memory.Write32(sharedInfo + versionOffset + 4, (uint)WallClockSecondsAtStart);
            memory.Write32(sharedInfo + versionOffset + 8, 0);
            memory.Write32(sharedInfo + versionOffset + 12, (uint)(WallClockSecondsAtStart >> 32));
            memory.Write32(sharedInfo + versionOffset, updating + 1);
        }
    }
}
