using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct vcpu_time_info</c> (32 bytes). Xen bumps <see cref="Version"/>
    /// before and after each update, so an odd or changed version means read again (a seqlock).
    /// System time in ns = SystemTime + ((((tsc - TscTimestamp) shifted left by TscShift, or right when
    /// negative) * TscToSystemMul) >> 32).</summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public unsafe struct VcpuTimeInfo
    {
        public const int Size = 32;

        /// <summary><c>version</c>: odd while an update is in progress.</summary>
        [FieldOffset(0)] public uint Version;

        /// <summary><c>pad0</c>.</summary>
        [FieldOffset(4)] public uint Pad0;

        /// <summary><c>tsc_timestamp</c>: TSC when the fields below were sampled.</summary>
        [FieldOffset(8)] public ulong TscTimestamp;

        /// <summary><c>system_time</c>: nanoseconds since the domain's time base at that TSC.</summary>
        [FieldOffset(16)] public ulong SystemTime;

        /// <summary><c>tsc_to_system_mul</c>: 32.32 fixed-point ns per (shifted) TSC tick.</summary>
        [FieldOffset(24)] public uint TscToSystemMul;

        /// <summary><c>tsc_shift</c>: signed pre-shift of the TSC delta.</summary>
        [FieldOffset(28)] public sbyte TscShift;

        /// <summary><c>flags</c>: <see cref="PvclockFlags"/> (interface versions after 0x00040600).</summary>
        [FieldOffset(29)] public byte Flags;

        /// <summary><c>pad1</c>.</summary>
        [FieldOffset(30)] public fixed byte Pad1[2];
    }

    /// <summary>Bits of <see cref="VcpuTimeInfo.Flags"/> (xen.h XEN_PVCLOCK_*).</summary>
    public static class PvclockFlags
    {
        /// <summary><c>XEN_PVCLOCK_TSC_STABLE_BIT</c>: the TSC is synchronised across CPUs, so readings
        /// from different vCPUs are monotonic without a global check.</summary>
        public const byte TscStable = 1 << 0;

        /// <summary><c>XEN_PVCLOCK_GUEST_STOPPED</c>: the guest was paused since the last update.</summary>
        public const byte GuestStopped = 1 << 1;
    }
}
