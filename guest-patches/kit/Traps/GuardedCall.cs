using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Calls an assembly routine of the guest kernel that may trap anywhere (asm/guarded.asm): a
    /// kernel-mode trap inside it that no probe fixup or hook claims ends the call instead of the guest.
    /// The trap is still recorded (<see cref="TrapTable.LastVector"/>, <see cref="TrapTable.LastFrame"/>...).
    /// The routine is called with its argument in RDI; it may clobber what the SysV ABI lets it clobber.
    /// </summary>
    public static unsafe class GuardedCall
    {
        [RuntimeImport("kit_guarded_call"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Call(ulong routine, ulong argument, ulong* result);

        [RuntimeImport("kit_guarded_recovery"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void Recovery(ulong* ripAndRsp);

        /// <summary>Runs <paramref name="routine"/>(<paramref name="argument"/>); returns -1 when it returned
        /// (<paramref name="result"/> = its RAX), else the vector of the trap that ended it.</summary>
        public static int Run(ulong routine, ulong argument, out ulong result)
        {
            ulong value = 0;
            ulong fault = Call(routine, argument, &value);
            result = value;
            return fault == 0 ? -1 : (int)(fault - 1);
        }

        public static int Run(ulong routine, ulong argument) => Run(routine, argument, out _);

        /// <summary>From the trap path: when a guarded call runs, points the frame at its recovery (RAX =
        /// vector + 1, the stack as the call left it, TF, AC and DF cleared) and returns true.</summary>
        internal static bool TryRecover(TrapFrame* frame)
        {
            ulong* target = stackalloc ulong[2];
            Recovery(target);
            if (target[1] == 0)
                return false;
            frame->Rip = target[0];
            frame->Rsp = target[1];
            frame->Rax = frame->Vector + 1;
            frame->Rflags &= ~(0x100UL | 0x400UL | 0x40000UL);
            return true;
        }
    }
}
