using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Typed hypercalls. Every call goes through the hypercall page Xen filled at domain build
    /// (hypercall_page + number * 32), by one assembly stub that moves the arguments into the
    /// hypercall registers (RDI, RSI, RDX, R10, R8). Results are Xen's: 0 or a value on success,
    /// a negative errno (<see cref="XenErrno"/>) on failure.
    /// </summary>
    public static unsafe partial class Hypercalls
    {
        [RuntimeImport("kit_hypercall"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern long Call(ulong number, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5);

        [RuntimeImport("kit_hypercall_direct"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern long CallDirect(ulong rax, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5);

        /// <summary>A hypercall by its own <c>syscall</c> with the full 64-bit <paramref name="rax"/>, not through
        /// the hypercall page: for numbers past the page's 128 slots and for RAX with high bits set.</summary>
        public static long Direct(ulong rax, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
            => CallDirect(rax, a1, a2, a3, a4, a5);

        /// <summary>Any hypercall, with raw arguments (for tests of numbers and arguments the kit has no
        /// typed call for).</summary>
        public static long Raw(int number, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
            => Call((ulong)(uint)number, a1, a2, a3, a4, a5);

        public static long Raw(int number, ulong a1, ulong a2, ulong a3) => Raw(number, a1, a2, a3, 0, 0);

        /// <summary>console_io(cmd, count, buffer).</summary>
        public static long ConsoleIo(int command, uint count, void* buffer)
            => Call(HypercallNumber.ConsoleIo, (uint)command, count, (ulong)buffer, 0, 0);

        /// <summary>console_io write: prints <paramref name="count"/> bytes on the hypervisor's console.
        /// Xen 4.17 returns 0 on success (not the byte count).</summary>
        public static long ConsoleWrite(byte* text, uint count) => ConsoleIo(ConsoleIoCommand.Write, count, text);

        /// <summary>sched_op(cmd, arg).</summary>
        public static long SchedOp(int command, void* argument)
            => Call(HypercallNumber.SchedOp, (uint)command, (ulong)argument, 0, 0, 0);

        /// <summary>sched_op shutdown with a <see cref="ShutdownReason"/>; returns only if it failed.</summary>
        public static long Shutdown(uint reason)
        {
            SchedShutdown shutdown;
            shutdown.Reason = reason;
            return SchedOp(Abi.SchedOp.Shutdown, &shutdown);
        }

        /// <summary>sched_op yield: gives up the CPU for a moment.</summary>
        public static long Yield() => SchedOp(Abi.SchedOp.Yield, null);

        /// <summary>xen_version(cmd, arg).</summary>
        public static long XenVersion(int command, void* argument)
            => Call(HypercallNumber.XenVersion, (uint)command, (ulong)argument, 0, 0, 0);

        /// <summary>set_trap_table(table): the virtual IDT, an array ended by an entry whose address is 0.
        /// Xen copies it during the call.</summary>
        public static long SetTrapTable(TrapInfo* table)
            => Call(HypercallNumber.SetTrapTable, (ulong)table, 0, 0, 0, 0);

        /// <summary>update_va_mapping(va, new PTE, flags): rewrites the L1 entry that maps
        /// <paramref name="virtualAddress"/> in the current page tables (<see cref="PageFlags"/>).</summary>
        public static long UpdateVaMapping(ulong virtualAddress, ulong pageTableEntry, ulong flags)
            => Call(HypercallNumber.UpdateVaMapping, virtualAddress, pageTableEntry, flags, 0, 0);
    }
}
