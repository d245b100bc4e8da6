using System.Runtime.InteropServices;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the peer's vCPU 0 and one secondary vCPU share: an order (posted by bumping
    /// <see cref="Sequence"/> after <see cref="Order"/> and its arguments are written, acknowledged by the
    /// secondary writing that sequence into <see cref="Done"/> with its results), and what the secondary
    /// records on its own: how it started, its counters, and what its event upcall saw.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Mailbox
    {
        public const int TrackedPorts = 64;

        public ulong Order;
        public ulong Argument;
        public ulong Argument2;
        public ulong Sequence;
        public ulong Done;
        public long Result;
        /// <summary>A time the order recorded (system time ns by vCPU 0's clock).</summary>
        public ulong Value;
        /// <summary>A second time the order recorded (the yield loop: when it ended; Value when it began).</summary>
        public ulong Value2;

        /// <summary>1 once the vCPU ran its first instruction of C#.</summary>
        public ulong Started;
        public ulong EntryRdi;
        /// <summary>An address on the stack it started on.</summary>
        public ulong EntryStack;
        /// <summary>Its own vcpu_info's time version and clock (ns) against vCPU 0's, read together.</summary>
        public ulong TimeVersion;
        public long ClockSkew;

        /// <summary>Iterations of the spin or yield loop; how many of them saw the sibling move on.</summary>
        public ulong Spins;
        public ulong Interleaves;

        /// <summary>Event upcalls taken, the selector bits they took, and per port (below 64) how many
        /// times the handler found it pending (ports in <see cref="OwnedPorts"/> only).</summary>
        public ulong Upcalls;
        public ulong Selectors;
        public ulong OwnedPorts;
        public fixed ulong Hits[TrackedPorts];

        /// <summary>The address of the vCPU's vcpu_info (in shared_info, or where it was registered).</summary>
        public ulong VcpuInfo;
    }

    /// <summary>Orders vCPU 0 gives a secondary (<see cref="Mailbox.Order"/>).</summary>
    internal static class Orders
    {
        /// <summary>Count iterations until the next order, events open.</summary>
        public const ulong Spin = 1;
        /// <summary>Argument iterations of count, look at vCPU Argument2's count, SCHEDOP_yield.</summary>
        public const ulong YieldLoop = 2;
        /// <summary>One SCHEDOP_block; Result its return, Value the time it returned.</summary>
        public const ulong Block = 3;
        /// <summary>VCPUOP_set_singleshot_timer for itself at Argument, then SCHEDOP_block until the
        /// VIRQ_TIMER port Argument2 was hit; Result the set's return, Value the time it woke.</summary>
        public const ulong TimerBlock = 4;
        /// <summary>VCPUOP_down of itself; Result its return once brought up again, Value the time then.</summary>
        public const ulong DownSelf = 5;
        /// <summary>Read its own clock against vCPU 0's again (TimeVersion, ClockSkew).</summary>
        public const ulong ReadClock = 6;
    }
}
