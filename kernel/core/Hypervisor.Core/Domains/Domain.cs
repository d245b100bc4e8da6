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
        /// <summary>A domain with <paramref name="vcpuCount"/> vCPUs made now, out of at most
        /// <paramref name="maxVcpus"/> (the same when not given).</summary>
        public Domain(Host host, ushort id, bool isPrivileged, int vcpuCount, int maxVcpus = -1)
        {
            Host = host;
            Id = id;
            IsPrivileged = isPrivileged;
            MaxVcpus = maxVcpus < 0 ? vcpuCount : maxVcpus;
            Vcpus = new Vcpu[0];
            AddVcpus(vcpuCount);
            State = DomainState.Created;
        }

        public Host Host { get; }
        public ushort Id { get; }
        /// <summary>May use the control hypercalls and own devices (dom0).</summary>
        public bool IsPrivileged { get; }
        /// <summary>The vCPUs made so far, vCPU i at index i. A toolstack's domain has none until
        /// XEN_DOMCTL_max_vcpus.</summary>
        public Vcpu[] Vcpus { get; private set; }
        /// <summary>The arena this domain's objects are made in (<see cref="DomainObjects"/>; 0: the
        /// hypervisor's heap, as for dom0).</summary>
        public ulong ObjectArena;
        /// <summary>The most vCPUs this domain may have (createdomain's max_vcpus).</summary>
        public int MaxVcpus { get; }

        /// <summary>Makes vCPUs up to <paramref name="count"/> (at most <see cref="MaxVcpus"/>); the ones
        /// there already stay.</summary>
        public void AddVcpus(int count)
        {
            if (count > MaxVcpus)
                count = MaxVcpus;
            if (count <= Vcpus.Length)
                return;
            var vcpus = new Vcpu[count];
            for (int i = 0; i < count; i++)
                vcpus[i] = i < Vcpus.Length ? Vcpus[i] : new Vcpu(this, i);
            Vcpus = vcpus;
        }
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
