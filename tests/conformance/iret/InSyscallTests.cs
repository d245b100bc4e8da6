using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The iret context's VGCF_in_syscall flag: without it Xen restores RCX and R11 from the context;
    /// with it Xen returns the SYSRET way, so RCX becomes the return RIP and R11 the returned RFLAGS
    /// (IOPL cleared, IF set), whatever the context held. Both to user mode (from the syscall handler) and
    /// to kernel mode (from a #BP handler).
    /// </summary>
    internal static unsafe class InSyscallTests
    {
        private const ulong IoplMask = 0x3000, InterruptFlag = 0x200;

        public static void Run(TestSuite suite)
        {
            ulong exit = UserMode.Call(Routines.UserSyscallRcxR11, Hooks.SetRcxR11);
            if (Check.Exited(suite, "user_iret_restores_rcx_r11", exit))
            {
                UserRegisters* r = UserMode.LastRegisters;
                suite.Result("user_iret_restores_rcx_r11", r->R12 == Hooks.FrameRcx && r->R13 == Hooks.FrameR11)
                    .Text(" RCX ").Hex(r->R12).Text(" R11 ").Hex(r->R13).Text(" (the context's: ").Hex(Hooks.FrameRcx).Text(", ").Hex(Hooks.FrameR11).Text(")").End();
            }

            exit = UserMode.Call(Routines.UserSyscallRcxR11, Hooks.SetRcxR11InSyscall);
            if (Check.Exited(suite, "user_iret_in_syscall_rcx_r11", exit))
            {
                UserRegisters* r = UserMode.LastRegisters;
                ulong rflags = (Hooks.LastSyscall.Rflags & ~IoplMask) | InterruptFlag;
                suite.Result("user_iret_in_syscall_rcx_r11", r->R12 == Routines.UserSyscallRcxR11After && r->R13 == rflags)
                    .Text(" RCX ").Hex(r->R12).Text(" R11 ").Hex(r->R13).Text(" (expected the return RIP ").Hex(Routines.UserSyscallRcxR11After)
                    .Text(" and RFLAGS ").Hex(rflags).Text(")").End();
            }

            ulong* out3 = stackalloc ulong[2];
            Hooks.Breakpoint = Hooks.BreakpointAction.Return;
            int v = GuardedCall.Run(Routines.KernelInt3RcxR11, (ulong)out3, out _);
            suite.Result("kernel_iret_restores_rcx_r11", v < 0 && out3[0] == Routines.Pattern(3) && out3[1] == Routines.Pattern(11))
                .Text(" RCX ").Hex(out3[0]).Text(" R11 ").Hex(out3[1]).End();

            Hooks.Breakpoint = Hooks.BreakpointAction.InSyscall;
            v = GuardedCall.Run(Routines.KernelInt3RcxR11, (ulong)out3, out _);
            ulong expected = (TrapTable.LastFrame->Rflags & ~IoplMask) | InterruptFlag;
            suite.Result("kernel_iret_in_syscall_rcx_r11", v < 0 && out3[0] == Routines.KernelInt3RcxR11After && out3[1] == expected)
                .Text(" RCX ").Hex(out3[0]).Text(" R11 ").Hex(out3[1]).Text(" (expected the return RIP ").Hex(Routines.KernelInt3RcxR11After)
                .Text(" and RFLAGS ").Hex(expected).Text(")").End();
        }
    }
}
