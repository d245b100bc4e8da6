using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// One trap, caused by a routine and checked against what Xen should deliver: the vector, the error
    /// code, where RIP points (at the instruction for a fault, after it for a trap) and the CS of the
    /// frame (RPL 0 for the guest kernel, 3 for user mode). Kernel routines run through the kit's
    /// <see cref="GuardedCall"/>, user routines through <see cref="UserMode.Call"/>.
    /// </summary>
    internal static unsafe class TrapExpect
    {
        public const ulong NoErrorCode = ~0UL;
        public const ushort KernelCs = FlatSelector.KernelCs & 0xFFFC;   // 0xe030: Xen clears the RPL
        public const ushort UserCs = FlatSelector.UserCs;                  // 0xe033

        /// <summary>A kernel-mode trap: the routine is cut short at the trap.</summary>
        public static bool Kernel(TestSuite suite, string test, Routine routine, ulong argument, int vector, ulong errorCode, bool fault)
        {
            int got = GuardedCall.Run(routine.Entry, argument, out _);
            return Judge(suite, test, routine, got, vector, errorCode, fault, KernelCs, TrapTable.LastFrame, TrapTable.LastFaultAddress, false, 0);
        }

        /// <summary>A kernel-mode page fault: also the address in arch.cr2.</summary>
        public static bool KernelPageFault(TestSuite suite, string test, Routine routine, ulong argument, ulong errorCode, ulong address, bool atTarget)
        {
            int got = GuardedCall.Run(routine.Entry, argument, out _);
            return Judge(suite, test, routine, got, TrapNames.PageFault, errorCode, true, KernelCs, TrapTable.LastFrame, TrapTable.LastFaultAddress, true, address, atTarget);
        }

        /// <summary>A user-mode trap that ends the run (nobody resumes it).</summary>
        public static bool User(TestSuite suite, string test, Routine routine, ulong argument, int vector, ulong errorCode, bool fault)
        {
            int got = RunUser(routine, argument);
            return Judge(suite, test, routine, got, vector, errorCode, fault, UserCs, TrapTable.LastFrame, UserMode.LastFaultAddress, false, 0);
        }

        public static bool UserPageFault(TestSuite suite, string test, Routine routine, ulong argument, ulong errorCode, ulong address, bool atTarget)
        {
            int got = RunUser(routine, argument);
            return Judge(suite, test, routine, got, TrapNames.PageFault, errorCode, true, UserCs, TrapTable.LastFrame, UserMode.LastFaultAddress, true, address, atTarget);
        }

        /// <summary>Runs a user routine; the vector that ended it, -1 when it exited normally, -2 when user
        /// mode could not run.</summary>
        public static int RunUser(Routine routine, ulong argument)
        {
            ulong exit = UserMode.Call(routine.Entry, argument);
            if (exit == UserExit.Trap)
                return (int)UserMode.LastVector;
            return exit == UserExit.Syscall ? -1 : -2;
        }

        private static bool Judge(TestSuite suite, string test, Routine routine, int got, int vector, ulong errorCode, bool fault,
                                  ushort cs, TrapFrame* frame, ulong cr2, bool checkCr2, ulong address, bool ripAtTarget = false)
        {
            if (got < 0)
            {
                suite.Fail(test).Text("expected ").Text(TrapNames.Mnemonic((ulong)vector)).Text(" (vector ").Dec((ulong)vector)
                    .Text("), got ").Text(got == -1 ? "no trap: the routine ran to its end" : "no run: user mode unavailable").End();
                return false;
            }
            ulong expectedRip = ripAtTarget ? address : fault ? routine.At : routine.After;
            bool ok = got == vector && (errorCode == NoErrorCode || frame->ErrorCode == errorCode)
                      && frame->Rip == expectedRip && (frame->Cs & 0xFFFF) == cs && (!checkCr2 || cr2 == address);
            ConsoleLine line = suite.Result(test, ok).Char(' ');
            if (!ok)
            {
                line.Text("expected ").Text(TrapNames.Mnemonic((ulong)vector)).Text(" vector ").Dec((ulong)vector);
                if (errorCode != NoErrorCode)
                    line.Text(" error code ").Hex(errorCode);
                line.Text(" RIP ").Hex(expectedRip).Text(" CS ").Hex(cs, 4);
                if (checkCr2)
                    line.Text(" CR2 ").Hex(address);
                line.Text("; got ");
            }
            line.Text(TrapNames.Mnemonic((ulong)got)).Text(" vector ").Dec((ulong)got);
            if (errorCode != NoErrorCode || !ok)
                line.Text(" error code ").Hex(frame->ErrorCode);
            line.Text(" RIP ").Text(frame->Rip == routine.At ? "at the instruction" : frame->Rip == routine.After ? "after the instruction" : "").Char(' ').Hex(frame->Rip)
                .Text(" CS ").Hex(frame->Cs & 0xFFFF, 4);
            if (checkCr2)
                line.Text(" CR2 ").Hex(cr2);
            line.End();
            return ok;
        }
    }
}
