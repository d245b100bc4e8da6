using System.Runtime.CompilerServices;
using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// System time from any vCPU's vcpu_time_info (the kit's clock reads vCPU 0's): the version-counted
    /// read of stamp and scale, retried while the version is odd or changes, and the TSC scaled from the
    /// stamp. Each vCPU's copy must give the same time as vCPU 0's: one system time for the domain.
    /// </summary>
    internal static unsafe class VcpuClock
    {
        /// <summary>System time by the copy at <paramref name="t"/>; <paramref name="version"/> is the even
        /// version the read was consistent with.</summary>
        public static ulong Now(VcpuTimeInfo* t, out uint version)
        {
            while (true)
            {
                version = Fresh(&t->Version);
                if ((version & 1) != 0)
                    continue;
                ulong stamp = t->TscTimestamp;
                ulong system = t->SystemTime;
                uint mul = t->TscToSystemMul;
                int shift = t->TscShift;
                ulong tsc = GuestClock.ReadTsc();
                if (Fresh(&t->Version) != version)
                    continue;
                ulong delta = tsc - stamp;
                delta = shift >= 0 ? delta << shift : delta >> -shift;
                return system + GuestClock.Scale(delta, mul);
            }
        }

        /// <summary>The time copy inside the vcpu_info at <paramref name="vcpuInfo"/>.</summary>
        public static VcpuTimeInfo* Of(ulong vcpuInfo) => &((VcpuInfo*)vcpuInfo)->Time;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static uint Fresh(uint* p) => *p;
    }
}
