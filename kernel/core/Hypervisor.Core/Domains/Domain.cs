using System.Runtime.CompilerServices;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A guest: its memory (the P2M: pseudo-physical frame to machine frame), its shared_info page,
    /// its vCPUs, what it may do (privilege, I/O ports) and its state. Handlers reach the machine's
    /// services through <see cref="Host"/>.
    /// </summary>
    public sealed class Domain
    {
        public Domain(Host host, ushort id, bool isPrivileged, int vcpuCount)
        {
            Host = host;
            Id = id;
            IsPrivileged = isPrivileged;
            Vcpus = new Vcpu[vcpuCount];
            for (int i = 0; i < vcpuCount; i++)
                Vcpus[i] = new Vcpu(this, i);
            State = DomainState.Created;
        }

        public Host Host { get; }
        public ushort Id { get; }
        /// <summary>May use the control hypercalls and own devices (dom0).</summary>
        public bool IsPrivileged { get; }
        public Vcpu[] Vcpus { get; }
        public DomainState State { get; set; }
        /// <summary>The sched_op shutdown reason (poweroff, reboot, crash, ...) once shut down, or the code
        /// SCHEDOP_shutdown_code left for it; -1 (Xen's SHUTDOWN_CODE_INVALID) before either.</summary>
        public int ShutdownReason { get; set; } = -1;

        /// <summary>Pauses by the toolstack (domctl pausedomain/unpausedomain). A domain the toolstack
        /// creates starts with one, so its vCPUs first run when the toolstack unpauses it.</summary>
        public int ControllerPauses;
        /// <summary>The toolstack's security reference and 16-byte handle, reported by getdomaininfo.</summary>
        public uint SsidRef;
        public readonly byte[] Handle = new byte[16];
        /// <summary>The highest grant-table version the toolstack allows (1 here).</summary>
        public uint MaxGrantVersion = 1;

        /// <summary>Machine frame of each pseudo-physical frame (the domain's P2M).</summary>
        public ulong[] PhysToMachine;
        /// <summary>Pages the domain owns (tot_pages) and may own (max_pages).</summary>
        public ulong TotalPages;
        public ulong MaxPages;
        /// <summary>Machine address of the shared_info page.</summary>
        public ulong SharedInfoAddress;
        /// <summary>The whole I/O port space is the domain's (dom0 drives the real devices).</summary>
        public bool HasIoPortAccess;
        /// <summary>vm_assist types enabled (VMASST_TYPE_* bits).</summary>
        public ulong VmAssist;
        /// <summary>A console line being assembled from console_io writes, so each line carries the
        /// domain's prefix.</summary>
        public readonly byte[] ConsoleLine = new byte[256];
        public int ConsoleLineLength;

        /// <summary>The domain's event-channel ports.</summary>
        public readonly Events.EventChannelTable Events = new Events.EventChannelTable();
        /// <summary>The domain's grant table and the mappings it holds of others' grants.</summary>
        public readonly Grants.GrantTable Grants = new Grants.GrantTable();
        /// <summary>System-time deadlines of the SCHEDOP_watchdog watchdogs (0: slot unused).</summary>
        public readonly ulong[] WatchdogDeadlines = new ulong[Time.DomainWatchdogs.PerDomain];

        /// <summary>Destruction has begun: the domain runs no more and its resources are going back.</summary>
        public bool IsDying
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => State == DomainState.Dying || State == DomainState.Dead;
        }

        public bool IsAlive
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => State == DomainState.Created || State == DomainState.Running;
        }
    }
}
