using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Commands of vcpu_op(cmd, vcpuid, arg) (vcpu.h VCPUOP_*).</summary>
    public static class VcpuOp
    {
        /// <summary><c>VCPUOP_initialise</c>: set a new vCPU's state once; arg <see cref="VcpuGuestContext"/> for PV.</summary>
        public const int Initialise = 0;

        /// <summary><c>VCPUOP_up</c>: make an initialised vCPU runnable.</summary>
        public const int Up = 1;

        /// <summary><c>VCPUOP_down</c>: stop a vCPU (asynchronous unless it is the caller).</summary>
        public const int Down = 2;

        /// <summary><c>VCPUOP_is_up</c>: returns 1 if the vCPU is up.</summary>
        public const int IsUp = 3;

        /// <summary><c>VCPUOP_get_runstate_info</c>: arg <see cref="VcpuRunstateInfo"/>.</summary>
        public const int GetRunstateInfo = 4;

        /// <summary><c>VCPUOP_register_runstate_memory_area</c>: arg <see cref="VcpuRegisterRunstateMemoryArea"/>;
        /// Xen then updates that copy whenever it schedules the vCPU.</summary>
        public const int RegisterRunstateMemoryArea = 5;

        /// <summary><c>VCPUOP_set_periodic_timer</c>: arg <see cref="VcpuSetPeriodicTimer"/>.</summary>
        public const int SetPeriodicTimer = 6;

        /// <summary><c>VCPUOP_stop_periodic_timer</c>: arg NULL.</summary>
        public const int StopPeriodicTimer = 7;

        /// <summary><c>VCPUOP_set_singleshot_timer</c>: arg <see cref="VcpuSetSingleshotTimer"/>.</summary>
        public const int SetSingleshotTimer = 8;

        /// <summary><c>VCPUOP_stop_singleshot_timer</c>: arg NULL.</summary>
        public const int StopSingleshotTimer = 9;

        /// <summary><c>VCPUOP_register_vcpu_info</c>: arg <see cref="VcpuRegisterVcpuInfo"/>; once per vCPU.</summary>
        public const int RegisterVcpuInfo = 10;

        /// <summary><c>VCPUOP_send_nmi</c>: arg NULL.</summary>
        public const int SendNmi = 11;

        /// <summary><c>VCPUOP_get_physid</c>: arg <see cref="VcpuGetPhysid"/>.</summary>
        public const int GetPhysid = 12;

        /// <summary><c>VCPUOP_register_vcpu_time_memory_area</c>: arg <see cref="VcpuRegisterTimeMemoryArea"/>.</summary>
        public const int RegisterVcpuTimeMemoryArea = 13;
    }

    /// <summary>vCPU run states (vcpu.h RUNSTATE_*) and the update flag.</summary>
    public static class VcpuRunstate
    {
        /// <summary><c>RUNSTATE_running</c>: on a physical CPU.</summary>
        public const int Running = 0;

        /// <summary><c>RUNSTATE_runnable</c>: ready but waiting for a CPU.</summary>
        public const int Runnable = 1;

        /// <summary><c>RUNSTATE_blocked</c>: waiting for an event.</summary>
        public const int Blocked = 2;

        /// <summary><c>RUNSTATE_offline</c>: neither runnable nor blocked (down, paused).</summary>
        public const int Offline = 3;

        /// <summary>Number of states (length of <see cref="VcpuRunstateInfo.Time"/>).</summary>
        public const int Count = 4;

        /// <summary><c>XEN_RUNSTATE_UPDATE</c>: set in <see cref="VcpuRunstateInfo.StateEntryTime"/> while
        /// Xen rewrites a registered area (when <see cref="VmAssistType.RunstateUpdateFlag"/> is on).</summary>
        public const ulong UpdateFlag = 1ul << 63;
    }

    /// <summary>Mirrors vcpu.h <c>struct vcpu_runstate_info</c> (48 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 48)]
    public unsafe struct VcpuRunstateInfo
    {
        /// <summary><c>state</c>: a <see cref="VcpuRunstate"/>.</summary>
        [FieldOffset(0)] public int State;

        /// <summary><c>state_entry_time</c>: system time (ns) the state was entered.</summary>
        [FieldOffset(8)] public ulong StateEntryTime;

        /// <summary><c>time[4]</c>: ns spent in each state; they add up to system time.</summary>
        [FieldOffset(16)] public fixed ulong Time[VcpuRunstate.Count];
    }

    /// <summary>Mirrors vcpu.h <c>struct vcpu_register_runstate_memory_area</c> (8 bytes): the guest
    /// virtual address of a <see cref="VcpuRunstateInfo"/> (union of handle, pointer and u64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct VcpuRegisterRunstateMemoryArea
    {
        /// <summary><c>addr</c>.</summary>
        [FieldOffset(0)] public ulong Addr;
    }

    /// <summary>Mirrors vcpu.h <c>struct vcpu_set_periodic_timer</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct VcpuSetPeriodicTimer
    {
        /// <summary><c>period_ns</c>: below 1 ms may be refused.</summary>
        [FieldOffset(0)] public ulong PeriodNs;
    }

    /// <summary>Mirrors vcpu.h <c>struct vcpu_set_singleshot_timer</c> (16 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct VcpuSetSingleshotTimer
    {
        /// <summary><c>VCPU_SSHOTTMR_future</c>: fail with ETIME if the deadline has already passed.</summary>
        public const uint FlagFuture = 1u << 0;

        /// <summary><c>timeout_abs_ns</c>: absolute system time of the deadline.</summary>
        [FieldOffset(0)] public ulong TimeoutAbsNs;

        /// <summary><c>flags</c>.</summary>
        [FieldOffset(8)] public uint Flags;
    }

    /// <summary>Mirrors vcpu.h <c>struct vcpu_register_vcpu_info</c> (16 bytes): where to move this vCPU's
    /// <see cref="VcpuInfo"/>; it must not cross a page.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct VcpuRegisterVcpuInfo
    {
        /// <summary><c>mfn</c>: the frame.</summary>
        [FieldOffset(0)] public ulong Mfn;

        /// <summary><c>offset</c>: byte offset in it.</summary>
        [FieldOffset(8)] public uint Offset;

        /// <summary><c>rsvd</c>.</summary>
        [FieldOffset(12)] public uint Rsvd;
    }

    /// <summary>Mirrors vcpu.h <c>struct vcpu_get_physid</c> (8 bytes): on x86 APIC id in bits 31:0, ACPI
    /// id in bits 63:32.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct VcpuGetPhysid
    {
        /// <summary><c>phys_id</c>.</summary>
        [FieldOffset(0)] public ulong PhysId;
    }

    /// <summary>Mirrors vcpu.h <c>struct vcpu_register_time_memory_area</c> (8 bytes): guest virtual address
    /// of a secondary <see cref="VcpuTimeInfo"/> copy.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct VcpuRegisterTimeMemoryArea
    {
        /// <summary><c>addr</c>.</summary>
        [FieldOffset(0)] public ulong Addr;
    }
}
