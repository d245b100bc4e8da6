using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Kernel to user mode with the iret hypercall (CS with RPL 3 selects user mode and the user page
    /// tables) and back with syscall: the result comes back, a thousand round trips work, user mode
    /// starts with exactly the registers of the iret context and frame (RAX, RCX, R11 from the context,
    /// the others as they were), and RFLAGS as Xen sanitises it (IF forced on, IOPL cleared).
    /// </summary>
    internal static unsafe class RoundTripTests
    {
        [RuntimeImport("kit_user_spin_syscalls"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void SpinSyscalls();

        public static void Run(TestSuite suite)
        {
            ulong exit = UserMode.Call(UserMode.ExitRoutine, 0x1234);
            if (Check.Exited(suite, "user_round_trip", exit))
                suite.Result("user_round_trip", UserMode.Result == 0x1234 && (UserMode.LastRegisters->Cs & 0xFFFF) == FlatSelector.UserCs)
                    .Text(" result ").Hex(UserMode.Result).Text(", CS at the syscall ").Hex(UserMode.LastRegisters->Cs & 0xFFFF, 4).End();

            exit = UserMode.Call((ulong)(delegate*<void>)&SpinSyscalls, 1000, 0x77);
            if (Check.Exited(suite, "user_thousand_syscalls", exit))
                suite.EqualHex("user_thousand_syscalls", 0x77, UserMode.Result);

            UserRegisters r = UserRegisters.For(Routines.UserCaptureRegisters, 0, 0, 0);
            r.Rax = Routines.Pattern(1); r.Rbx = Routines.Pattern(2); r.Rcx = Routines.Pattern(3); r.Rdx = Routines.Pattern(4);
            r.Rsi = Routines.Pattern(5); r.Rdi = Routines.Pattern(6); r.Rbp = Routines.Pattern(7); r.R8 = Routines.Pattern(8);
            r.R9 = Routines.Pattern(9); r.R10 = Routines.Pattern(10); r.R11 = Routines.Pattern(11); r.R12 = Routines.Pattern(12);
            r.R13 = Routines.Pattern(13); r.R14 = Routines.Pattern(14); r.R15 = Routines.Pattern(15);
            // IOPL 3, IF clear, DF and CF set: Xen clears IOPL and forces the real IF on.
            r.Rflags = 0x3000 | 0x400 | 0x2 | 0x1;
            exit = UserMode.Run(&r);
            if (!Check.Exited(suite, "user_entry_registers", exit))
                return;
            Check.Registers(suite, "user_entry_registers", 0x7FFF);
            suite.EqualHex("user_entry_rflags_sanitised", 0x603, Routines.SavedRegisters[15]);
        }
    }
}
