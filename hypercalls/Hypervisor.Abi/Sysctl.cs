using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>
    /// sysctl(op): system control for the toolstack (sysctl.h, interface version 0x15 as in Xen 4.17).
    /// Every call passes one <see cref="XenSysctl"/>. Privileged domains only (-EPERM), and the
    /// interface version must match (-EACCES).
    /// </summary>
    public static class Sysctl
    {
        /// <summary><c>XEN_SYSCTL_INTERFACE_VERSION</c> of Xen 4.17.</summary>
        public const uint InterfaceVersion = 0x15;

        /// <summary><c>XEN_SYSCTL_physinfo</c>: <see cref="SysctlPhysinfo"/>.</summary>
        public const uint Physinfo = 3;

        /// <summary><c>XEN_SYSCTL_sched_id</c>: the running scheduler's <see cref="SchedulerId"/> in the
        /// union's first word.</summary>
        public const uint SchedId = 4;

        /// <summary><c>XEN_SYSCTL_getdomaininfolist</c>: <see cref="SysctlGetDomainInfoList"/>.</summary>
        public const uint GetDomainInfoList = 6;

        /// <summary><c>XEN_SYSCTL_scheduler_op</c>: <see cref="SysctlSchedulerOp"/>.</summary>
        public const uint SchedulerOp = 19;
    }

    /// <summary>Mirrors sysctl.h <c>struct xen_sysctl</c> (136 bytes): command, interface version and a
    /// 128-byte union at offset 8.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 136)]
    public unsafe struct XenSysctl
    {
        public const int UnionOffset = 8;
        public const int UnionSize = 128;

        [FieldOffset(0)] public uint Cmd;
        [FieldOffset(4)] public uint InterfaceVersion;
        [FieldOffset(8)] public fixed byte U[UnionSize];
    }

    /// <summary>Mirrors sysctl.h <c>struct xen_sysctl_physinfo</c> (112 bytes, Xen 4.17).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    public unsafe struct SysctlPhysinfo
    {
        [FieldOffset(0)] public uint ThreadsPerCore;
        [FieldOffset(4)] public uint CoresPerSocket;
        /// <summary><c>nr_cpus</c>: CPUs online.</summary>
        [FieldOffset(8)] public uint NrCpus;
        [FieldOffset(12)] public uint MaxCpuId;
        [FieldOffset(16)] public uint NrNodes;
        [FieldOffset(20)] public uint MaxNodeId;
        [FieldOffset(24)] public uint CpuKhz;
        /// <summary><c>capabilities</c>: <see cref="PhysinfoCapabilities"/>.</summary>
        [FieldOffset(28)] public uint Capabilities;
        [FieldOffset(32)] public uint ArchCapabilities;
        [FieldOffset(36)] public uint Pad;
        [FieldOffset(40)] public ulong TotalPages;
        [FieldOffset(48)] public ulong FreePages;
        [FieldOffset(56)] public ulong ScrubPages;
        [FieldOffset(64)] public ulong OutstandingPages;
        /// <summary><c>max_mfn</c>: the highest machine frame number.</summary>
        [FieldOffset(72)] public ulong MaxMfn;
        [FieldOffset(80)] public fixed uint HwCap[8];
    }

    /// <summary>Bits of <see cref="SysctlPhysinfo.Capabilities"/> (XEN_SYSCTL_PHYSCAP_*).</summary>
    public static class PhysinfoCapabilities
    {
        public const uint Hvm = 1u << 0;
        public const uint Pv = 1u << 1;
        public const uint DirectIo = 1u << 2;
        public const uint Hap = 1u << 3;
        public const uint Shadow = 1u << 4;
        public const uint GnttabV1 = 1u << 8;
        public const uint GnttabV2 = 1u << 9;
    }

    /// <summary>Mirrors sysctl.h <c>struct xen_sysctl_getdomaininfolist</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct SysctlGetDomainInfoList
    {
        /// <summary><c>first_domain</c>: the lowest id to report.</summary>
        [FieldOffset(0)] public ushort FirstDomain;
        [FieldOffset(4)] public uint MaxDomains;
        /// <summary><c>buffer</c>: room for <see cref="MaxDomains"/> <see cref="DomctlGetDomainInfo"/>s.</summary>
        [FieldOffset(8)] public ulong Buffer;
        /// <summary><c>num_domains</c>: how many were written.</summary>
        [FieldOffset(16)] public uint NumDomains;
    }

    /// <summary>Mirrors sysctl.h <c>struct xen_sysctl_scheduler_op</c> with its credit member
    /// (<c>u.sched_credit</c>, at 16 because the union also holds a 64-bit handle).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct SysctlSchedulerOp
    {
        [FieldOffset(0)] public uint CpupoolId;
        [FieldOffset(4)] public uint SchedId;
        /// <summary><c>cmd</c>: <see cref="SchedulerOpCommand.PutInfo"/> or <see cref="SchedulerOpCommand.GetInfo"/>.</summary>
        [FieldOffset(8)] public uint Cmd;
        /// <summary><c>u.sched_credit.tslice_ms</c>: the time slice, 1-1000 ms.</summary>
        [FieldOffset(16)] public uint TsliceMs;
        /// <summary><c>u.sched_credit.ratelimit_us</c>: the shortest run before a preemption, 100-500000 us
        /// (0: none), at most the slice.</summary>
        [FieldOffset(20)] public uint RatelimitUs;
        /// <summary><c>u.sched_credit.vcpu_migr_delay_us</c>: how long a vCPU counts as cache-hot, at most
        /// 100 ms.</summary>
        [FieldOffset(24)] public uint VcpuMigrDelayUs;
    }
}
