using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the syscall callback receives from user mode: Xen's frame {RCX, R11, RIP, CS, RFLAGS, RSP,
    /// SS} on the stack_switch stack, RCX and R11 as the syscall instruction left them (the return RIP
    /// and RFLAGS) while the callback starts with RCX = its address and R11 = its RFLAGS (as SYSRET leaves them), CS/SS the user selectors, RSP the user stack, and events masked on entry because the
    /// callback was registered with CALLBACKF_mask_events (the saved mask, 0, in CS bits 32-39).
    /// </summary>
    internal static unsafe class SyscallFrameTests
    {
        public static void Run(TestSuite suite)
        {
            ulong exit = UserMode.Call(Routines.UserHookedSyscall);
            if (!Check.Exited(suite, "syscall_frame", exit))
                return;
            TrapFrame f = Hooks.LastSyscall;
            suite.Result("syscall_frame_user_selectors", (f.Cs & 0xFFFF) == FlatSelector.UserCs && (f.Ss & 0xFFFF) == FlatSelector.UserSs)
                .Text(" CS ").Hex(f.Cs & 0xFFFF, 4).Text(" SS ").Hex(f.Ss & 0xFFFF, 4).End();
            suite.Result("syscall_frame_rip_after_syscall", f.Rip == Routines.UserHookedSyscallAfter && f.Rcx == f.Rip)
                .Text(" RIP ").Hex(f.Rip).Text(" RCX ").Hex(f.Rcx).Text(" (expected ").Hex(Routines.UserHookedSyscallAfter).Text(")").End();
            suite.Result("syscall_frame_r11_is_rflags", f.R11 == f.Rflags).Text(" R11 ").Hex(f.R11).Text(" RFLAGS ").Hex(f.Rflags).End();
            suite.EqualHex("syscall_frame_user_rsp", UserMode.StackTop, f.Rsp);
            suite.Result("syscall_frame_on_kernel_stack", Hooks.LastSyscallFrameEnd == (UserMode.KernelStackTop & ~15UL))
                .Text(" frame end ").Hex(Hooks.LastSyscallFrameEnd).Text(", stack_switch top ").Hex(UserMode.KernelStackTop).End();
            HandlerEntry e = Hooks.LastSyscallEntry;
            ulong entry = GuestCallbacks.Entry(CallbackType.Syscall);
            suite.Result("syscall_callback_entered_as_by_sysret", e.IsAsBySysret(entry))
                .Text(" RCX ").Hex(e.Rcx).Text(" (the entry ").Hex(entry).Text("), R11 ").Hex(e.R11).Text(", RFLAGS ").Hex(e.Rflags).End();
            suite.Result("syscall_callback_masks_events", Hooks.LastSyscallMask == 1 && TrapFrame.SavedUpcallMask(&f) == 0)
                .Text(" mask in the handler ").Dec(Hooks.LastSyscallMask).Text(", saved mask ").Dec(TrapFrame.SavedUpcallMask(&f)).End();
        }
    }
}
