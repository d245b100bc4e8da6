using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Commands of sched_op(cmd, arg) (sched.h SCHEDOP_*).</summary>
    public static class SchedOp
    {
        /// <summary><c>SCHEDOP_yield</c>: give up the CPU; arg NULL.</summary>
        public const int Yield = 0;

        /// <summary><c>SCHEDOP_block</c>: sleep until an event arrives; arg NULL. Unmasks events and checks
        /// for pending ones atomically, so a wake-up between the check and the sleep is not lost.</summary>
        public const int Block = 1;

        /// <summary><c>SCHEDOP_shutdown</c>: stop the whole domain; arg <see cref="SchedShutdown"/>.
        /// With <see cref="ShutdownReason.Suspend"/>, RDX carries the start-info MFN and the call returns
        /// 1 if the suspend was cancelled, 0 when resumed in a new domain.</summary>
        public const int Shutdown = 2;

        /// <summary><c>SCHEDOP_poll</c>: wait for one of some ports, with a timeout; arg <see cref="SchedPoll"/>.</summary>
        public const int Poll = 3;

        /// <summary><c>SCHEDOP_remote_shutdown</c>: shut down another domain; arg <see cref="SchedRemoteShutdown"/>.</summary>
        public const int RemoteShutdown = 4;

        /// <summary><c>SCHEDOP_shutdown_code</c>: record the reason reported at a later shutdown; arg
        /// <see cref="SchedShutdown"/>.</summary>
        public const int ShutdownCode = 5;

        /// <summary><c>SCHEDOP_watchdog</c>: create (id 0), pat or (timeout 0) remove a domain watchdog;
        /// arg <see cref="SchedWatchdog"/>.</summary>
        public const int Watchdog = 6;

        /// <summary><c>SCHEDOP_pin_override</c>: temporarily pin this vCPU to a physical CPU (hardware
        /// domain only; negative undoes it); arg <see cref="SchedPinOverride"/>.</summary>
        public const int PinOverride = 7;
    }

    /// <summary>Reasons for <see cref="SchedOp.Shutdown"/> (sched.h SHUTDOWN_*), reported to the toolstack.</summary>
    public static class ShutdownReason
    {
        /// <summary><c>SHUTDOWN_poweroff</c>: normal exit; destroy the domain.</summary>
        public const uint Poweroff = 0;

        /// <summary><c>SHUTDOWN_reboot</c>: destroy and start again.</summary>
        public const uint Reboot = 1;

        /// <summary><c>SHUTDOWN_suspend</c>: save state, then destroy.</summary>
        public const uint Suspend = 2;

        /// <summary><c>SHUTDOWN_crash</c>: the guest crashed.</summary>
        public const uint Crash = 3;

        /// <summary><c>SHUTDOWN_watchdog</c>: a watchdog expired.</summary>
        public const uint Watchdog = 4;

        /// <summary><c>SHUTDOWN_soft_reset</c>: reset Xen's state of the domain but keep its memory and vCPU
        /// contexts, so it can set up its interfaces again.</summary>
        public const uint SoftReset = 5;

        /// <summary><c>SHUTDOWN_MAX</c>: highest valid reason.</summary>
        public const uint Max = SoftReset;
    }

    /// <summary>Mirrors sched.h <c>struct sched_shutdown</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct SchedShutdown
    {
        /// <summary><c>reason</c>: a <see cref="ShutdownReason"/>.</summary>
        [FieldOffset(0)] public uint Reason;
    }

    /// <summary>Mirrors sched.h <c>struct sched_poll</c> (24 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct SchedPoll
    {
        /// <summary><c>ports</c>: guest handle to an array of 32-bit port numbers.</summary>
        [FieldOffset(0)] public ulong Ports;

        /// <summary><c>nr_ports</c>: entries in that array.</summary>
        [FieldOffset(8)] public uint NrPorts;

        /// <summary><c>timeout</c>: absolute system time (ns) to give up at; 0 waits for ever.</summary>
        [FieldOffset(16)] public ulong Timeout;
    }

    /// <summary>Mirrors sched.h <c>struct sched_remote_shutdown</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct SchedRemoteShutdown
    {
        /// <summary><c>domain_id</c>: the domain to shut down.</summary>
        [FieldOffset(0)] public ushort DomainId;

        /// <summary><c>reason</c>: a <see cref="ShutdownReason"/>.</summary>
        [FieldOffset(4)] public uint Reason;
    }

    /// <summary>Mirrors sched.h <c>struct sched_watchdog</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct SchedWatchdog
    {
        /// <summary><c>id</c>: 0 to create a watchdog (the call returns its id), else the watchdog.</summary>
        [FieldOffset(0)] public uint Id;

        /// <summary><c>timeout</c>: seconds until it fires; 0 with a non-zero id removes it.</summary>
        [FieldOffset(4)] public uint Timeout;
    }

    /// <summary>Mirrors sched.h <c>struct sched_pin_override</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct SchedPinOverride
    {
        /// <summary><c>pcpu</c>: the physical CPU, or negative to restore the previous affinity.</summary>
        [FieldOffset(0)] public int Pcpu;
    }
}
