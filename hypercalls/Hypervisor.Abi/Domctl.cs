using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>
    /// domctl(op): domain control for the toolstack (domctl.h, interface version 0x15 as in Xen 4.17).
    /// Every call passes one <see cref="XenDomctl"/>; its command picks the member of the union. Only a
    /// privileged domain may call it (-EPERM otherwise), and a call whose interface version differs is
    /// refused with -EACCES before anything else is looked at.
    /// </summary>
    public static class Domctl
    {
        /// <summary><c>XEN_DOMCTL_INTERFACE_VERSION</c> of Xen 4.17.</summary>
        public const uint InterfaceVersion = 0x15;

        /// <summary><c>XEN_DOMCTL_createdomain</c>: <see cref="DomctlCreateDomain"/>; domain 0 (or a
        /// reserved id) asks for any free id, which is written back into <see cref="XenDomctl.Domain"/>.</summary>
        public const uint CreateDomain = 1;

        /// <summary><c>XEN_DOMCTL_destroydomain</c>: frees everything of the domain; its frames are
        /// scrubbed before they are reused.</summary>
        public const uint DestroyDomain = 2;

        /// <summary><c>XEN_DOMCTL_pausedomain</c>: one more controller pause (not of the caller itself).</summary>
        public const uint PauseDomain = 3;

        /// <summary><c>XEN_DOMCTL_unpausedomain</c>: one controller pause less; a new domain starts
        /// paused once, so its first unpause starts it.</summary>
        public const uint UnpauseDomain = 4;

        /// <summary><c>XEN_DOMCTL_getdomaininfo</c>: <see cref="DomctlGetDomainInfo"/> of the first
        /// domain whose id is at least the one asked for (Xen 4.17's rule).</summary>
        public const uint GetDomainInfo = 5;

        /// <summary><c>XEN_DOMCTL_max_mem</c>: <see cref="DomctlMaxMem"/>.</summary>
        public const uint MaxMem = 11;

        /// <summary><c>XEN_DOMCTL_setvcpucontext</c>: <see cref="DomctlVcpuContext"/>.</summary>
        public const uint SetVcpuContext = 12;

        /// <summary><c>XEN_DOMCTL_getvcpucontext</c>: <see cref="DomctlVcpuContext"/>.</summary>
        public const uint GetVcpuContext = 13;

        /// <summary><c>XEN_DOMCTL_getvcpuinfo</c>: <see cref="DomctlGetVcpuInfo"/>.</summary>
        public const uint GetVcpuInfo = 14;

        /// <summary><c>XEN_DOMCTL_max_vcpus</c>: <see cref="DomctlMaxVcpus"/>; must repeat the count
        /// createdomain was given.</summary>
        public const uint MaxVcpus = 15;

        /// <summary><c>XEN_DOMCTL_scheduler_op</c>: <see cref="DomctlSchedulerOp"/>.</summary>
        public const uint SchedulerOp = 16;

        /// <summary><c>XEN_DOMCTL_hypercall_init</c>: <see cref="DomctlHypercallInit"/>; the hypervisor writes
        /// its hypercall stubs into a frame of the (PV: not yet pinned) domain, as the builder of a domU
        /// asks for the page the kernel's HYPERCALL_PAGE note names.</summary>
        public const uint HypercallInit = 22;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl</c> (144 bytes): the command, the interface
    /// version, the domain and a 128-byte union of the per-command structs (at offset 16, since several
    /// of them hold 64-bit fields).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    public unsafe struct XenDomctl
    {
        public const int UnionOffset = 16;
        public const int UnionSize = 128;

        [FieldOffset(0)] public uint Cmd;
        [FieldOffset(4)] public uint InterfaceVersion;
        /// <summary><c>domain</c>: the domain acted on (in and out: createdomain writes the new id).</summary>
        [FieldOffset(8)] public ushort Domain;
        [FieldOffset(10)] public fixed ushort Pad[3];
        /// <summary><c>u</c>: the command's struct.</summary>
        [FieldOffset(16)] public fixed byte U[UnionSize];
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_createdomain</c> (64 bytes, x86).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public unsafe struct DomctlCreateDomain
    {
        [FieldOffset(0)] public uint SsidRef;
        /// <summary><c>handle</c>: the toolstack's 16-byte handle (a UUID), reported back by getdomaininfo.</summary>
        [FieldOffset(4)] public fixed byte Handle[16];
        /// <summary><c>flags</c>: <see cref="CreateDomainFlags"/>.</summary>
        [FieldOffset(20)] public uint Flags;
        [FieldOffset(24)] public uint IommuOpts;
        [FieldOffset(28)] public uint MaxVcpus;
        [FieldOffset(32)] public uint MaxEvtchnPort;
        /// <summary><c>max_grant_frames</c>, <c>max_maptrack_frames</c>: below 0 means the default.</summary>
        [FieldOffset(36)] public int MaxGrantFrames;
        [FieldOffset(40)] public int MaxMaptrackFrames;
        /// <summary><c>grant_opts</c>: the highest grant-table version in the low 4 bits (1 or 2).</summary>
        [FieldOffset(44)] public uint GrantOpts;
        [FieldOffset(48)] public uint VmtraceSize;
        [FieldOffset(52)] public uint CpupoolId;
        /// <summary><c>arch.emulation_flags</c> (XEN_X86_EMU_*; a PV domain has none).</summary>
        [FieldOffset(56)] public uint EmulationFlags;
        /// <summary><c>arch.misc_flags</c> (XEN_X86_MSR_RELAXED).</summary>
        [FieldOffset(60)] public uint MiscFlags;
    }

    /// <summary>Bits of <see cref="DomctlCreateDomain.Flags"/> (XEN_DOMCTL_CDF_*).</summary>
    public static class CreateDomainFlags
    {
        public const uint Hvm = 1u << 0;
        public const uint Hap = 1u << 1;
        public const uint S3Integrity = 1u << 2;
        public const uint OosOff = 1u << 3;
        public const uint XsDomain = 1u << 4;
        public const uint Iommu = 1u << 5;
        public const uint NestedVirt = 1u << 6;
        public const uint Vpmu = 1u << 7;
        /// <summary>Every flag Xen 4.17 knows; any other bit is -EINVAL.</summary>
        public const uint All = (Vpmu << 1) - 1;

        /// <summary><c>XEN_DOMCTL_GRANT_version_mask</c> of <see cref="DomctlCreateDomain.GrantOpts"/>.</summary>
        public const uint GrantVersionMask = 0xF;
    }

    /// <summary>Bits of <see cref="DomctlCreateDomain.EmulationFlags"/> (arch-x86/xen.h XEN_X86_EMU_*)
    /// that a PV domain may name.</summary>
    public static class X86EmulationFlags
    {
        /// <summary><c>XEN_X86_EMU_PIT</c>: the only emulated device Xen lets a PV domain ask for.</summary>
        public const uint Pit = 1u << 8;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_getdomaininfo</c> (112 bytes, x86, Xen 4.17).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    public unsafe struct DomctlGetDomainInfo
    {
        [FieldOffset(0)] public ushort Domain;
        [FieldOffset(2)] public ushort Pad1;
        /// <summary><c>flags</c>: <see cref="DomainInfoFlags"/>, the shutdown code in bits 16-23.</summary>
        [FieldOffset(4)] public uint Flags;
        [FieldOffset(8)] public ulong TotPages;
        [FieldOffset(16)] public ulong MaxPages;
        [FieldOffset(24)] public ulong OutstandingPages;
        [FieldOffset(32)] public ulong ShrPages;
        [FieldOffset(40)] public ulong PagedPages;
        /// <summary><c>shared_info_frame</c>: the machine frame of shared_info (PV).</summary>
        [FieldOffset(48)] public ulong SharedInfoFrame;
        /// <summary><c>cpu_time</c>: CPU time of all vCPUs, in ns.</summary>
        [FieldOffset(56)] public ulong CpuTime;
        [FieldOffset(64)] public uint NrOnlineVcpus;
        /// <summary><c>max_vcpu_id</c>: the highest vCPU id (<see cref="DomainInfoFlags.InvalidMaxVcpuId"/>: none).</summary>
        [FieldOffset(68)] public uint MaxVcpuId;
        [FieldOffset(72)] public uint SsidRef;
        [FieldOffset(76)] public fixed byte Handle[16];
        [FieldOffset(92)] public uint Cpupool;
        [FieldOffset(96)] public byte GpaddrBits;
        [FieldOffset(97)] public fixed byte Pad2[7];
        [FieldOffset(104)] public uint EmulationFlags;
        [FieldOffset(108)] public uint MiscFlags;
    }

    /// <summary>Bits of <see cref="DomctlGetDomainInfo.Flags"/> (XEN_DOMINF_*).</summary>
    public static class DomainInfoFlags
    {
        public const uint Dying = 1u << 0;
        public const uint HvmGuest = 1u << 1;
        public const uint Shutdown = 1u << 2;
        public const uint Paused = 1u << 3;
        public const uint Blocked = 1u << 4;
        public const uint Running = 1u << 5;
        public const uint Debugged = 1u << 6;
        public const uint XsDomain = 1u << 7;
        public const uint Hap = 1u << 8;
        /// <summary><c>XEN_DOMINF_shutdownshift</c> and mask: the sched_op shutdown reason.</summary>
        public const int ShutdownShift = 16;
        public const uint ShutdownMask = 255;
        /// <summary><c>XEN_INVALID_MAX_VCPU_ID</c>.</summary>
        public const uint InvalidMaxVcpuId = ~0u;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_max_mem</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct DomctlMaxMem
    {
        /// <summary><c>max_memkb</c>: the new max_pages, in KiB.</summary>
        [FieldOffset(0)] public ulong MaxMemKb;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_vcpucontext</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct DomctlVcpuContext
    {
        [FieldOffset(0)] public uint Vcpu;
        /// <summary><c>ctxt</c>: a <see cref="VcpuGuestContext"/> in the caller's memory (set: NULL resets
        /// the vCPU).</summary>
        [FieldOffset(8)] public ulong Ctxt;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_getvcpuinfo</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct DomctlGetVcpuInfo
    {
        [FieldOffset(0)] public uint Vcpu;
        [FieldOffset(4)] public byte Online;
        [FieldOffset(5)] public byte Blocked;
        [FieldOffset(6)] public byte Running;
        /// <summary><c>cpu_time</c>: ns this vCPU has run.</summary>
        [FieldOffset(8)] public ulong CpuTime;
        /// <summary><c>cpu</c>: the physical CPU it runs on or last ran on.</summary>
        [FieldOffset(16)] public uint Cpu;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_hypercall_init</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct DomctlHypercallInit
    {
        /// <summary><c>gmfn</c>: the guest frame to fill (for a PV domain, the machine frame).</summary>
        [FieldOffset(0)] public ulong Gmfn;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_max_vcpus</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct DomctlMaxVcpus
    {
        [FieldOffset(0)] public uint Max;
    }

    /// <summary>Mirrors domctl.h <c>struct xen_domctl_scheduler_op</c> with its credit member
    /// (<c>u.credit</c>: weight and cap); the per-vCPU form (<c>u.v</c>) is only for schedulers with
    /// per-vCPU parameters, which credit is not.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct DomctlSchedulerOp
    {
        /// <summary><c>sched_id</c>: <see cref="SchedulerId"/>; must name the running scheduler.</summary>
        [FieldOffset(0)] public uint SchedId;
        /// <summary><c>cmd</c>: <see cref="SchedulerOpCommand"/>.</summary>
        [FieldOffset(4)] public uint Cmd;
        /// <summary><c>u.credit.weight</c>: 1-65535 (0 on put: leave as it is).</summary>
        [FieldOffset(8)] public ushort Weight;
        /// <summary><c>u.credit.cap</c>: percent of one CPU, 0 for none.</summary>
        [FieldOffset(10)] public ushort Cap;
        /// <summary><c>u.v.nr_vcpus</c>, for the per-vCPU commands.</summary>
        [FieldOffset(16)] public uint NrVcpus;
        [FieldOffset(20)] public uint Padding;
    }

    /// <summary>Scheduler ids (XEN_SCHEDULER_*).</summary>
    public static class SchedulerId
    {
        public const uint Credit = 5;
        public const uint Credit2 = 6;
        public const uint Arinc653 = 7;
        public const uint Rtds = 8;
        public const uint Null = 9;
    }

    /// <summary>Commands of the scheduler ops (XEN_DOMCTL_SCHEDOP_*, XEN_SYSCTL_SCHEDOP_*).</summary>
    public static class SchedulerOpCommand
    {
        public const uint PutInfo = 0;
        public const uint GetInfo = 1;
        public const uint PutVcpuInfo = 2;
        public const uint GetVcpuInfo = 3;
    }
}
