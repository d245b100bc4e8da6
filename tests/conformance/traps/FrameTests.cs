using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The bounce frame Xen builds: {RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS}, its end aligned
    /// down to 16 bytes below the interrupted RSP (kernel mode) or on the stack given with stack_switch
    /// (user mode), CS with RPL 0 for the kernel and 3 for user mode, the event mask before the trap in
    /// CS bits 32-39 and RFLAGS.IF its inverse.
    /// </summary>
    internal static unsafe class FrameTests
    {
        private const ulong InterruptFlag = 1UL << 9;

        public static void Run(TestSuite suite)
        {
            Kernel(suite);
            if (!UserMode.Ready)
            {
                suite.Skip("user_frames", "user mode unavailable");
                return;
            }
            User(suite);
        }

        private static void Kernel(TestSuite suite)
        {
            GuardedCall.Run(Routines.KernelInt3.Entry, 0);
            TrapFrame* f = TrapTable.LastFrame;
            suite.EqualHex("kernel_frame_cs_rpl0", TrapExpect.KernelCs, f->Cs & 0xFFFF);
            suite.EqualHex("kernel_frame_ss", FlatSelector.KernelSs, f->Ss & 0xFFFF);
            ulong end = TrapFrame.XenFrameEnd(TrapTable.LastFrameAddress);
            ulong rsp = f->Rsp;
            bool aligned = end == (rsp & ~15UL);
            GuardedCall.Run(Routines.KernelInt3Misaligned.Entry, 0);
            ulong end2 = TrapFrame.XenFrameEnd(TrapTable.LastFrameAddress);
            ulong rsp2 = TrapTable.LastFrame->Rsp;
            bool aligned2 = end2 == (rsp2 & ~15UL);
            suite.Result("kernel_frame_16_byte_aligned", aligned && aligned2 && ((rsp ^ rsp2) & 8) != 0)
                .Text(" RSP ").Hex(rsp).Text(" -> frame end ").Hex(end).Text(", RSP ").Hex(rsp2).Text(" -> frame end ").Hex(end2).End();

            GuardedCall.Run(Routines.KernelInt3RcxR11.Entry, 0);
            f = TrapTable.LastFrame;
            suite.Result("kernel_frame_rcx_r11", f->Rcx == 0x1111111111111111UL && f->R11 == 0x2222222222222222UL)
                .Text(" RCX ").Hex(f->Rcx).Text(" R11 ").Hex(f->R11).End();

            VcpuInfo* vcpu = Vcpu();
            if (vcpu == null)
            {
                suite.Skip("kernel_frame_saved_mask", "shared info not mapped");
                return;
            }
            vcpu->EvtchnUpcallMask = 1;
            GuardedCall.Run(Routines.KernelInt3.Entry, 0);
            f = TrapTable.LastFrame;
            SavedMask(suite, "kernel_frame_saved_mask_masked", f, 1);
            vcpu->EvtchnUpcallMask = 0;
            GuardedCall.Run(Routines.KernelInt3.Entry, 0);
            vcpu->EvtchnUpcallMask = 1;
            SavedMask(suite, "kernel_frame_saved_mask_unmasked", TrapTable.LastFrame, 0);
        }

        private static void User(TestSuite suite)
        {
            TrapExpect.RunUser(Routines.UserInt3, 0);
            TrapFrame* f = TrapTable.LastFrame;
            suite.EqualHex("user_frame_cs_rpl3", TrapExpect.UserCs, f->Cs & 0xFFFF);
            suite.Result("user_frame_user_rsp_ss", f->Rsp == UserMode.StackTop && (f->Ss & 0xFFFF) == FlatSelector.UserSs)
                .Text(" RSP ").Hex(f->Rsp).Text(" SS ").Hex(f->Ss & 0xFFFF, 4).End();
            ulong end = TrapFrame.XenFrameEnd(TrapTable.LastFrameAddress);
            suite.Result("user_frame_on_kernel_stack", end == (UserMode.KernelStackTop & ~15UL))
                .Text(" frame end ").Hex(end).Text(", stack_switch stack top ").Hex(UserMode.KernelStackTop).End();
            SavedMask(suite, "user_frame_saved_mask_events_enabled", f, 0);

            UserRegisters r = UserRegisters.For(Routines.UserInt3.Entry, 0, 0, 0);
            r.Rflags = 0x2;   // IF clear: user mode runs with events masked
            UserMode.Run(&r);
            SavedMask(suite, "user_frame_saved_mask_events_disabled", TrapTable.LastFrame, 1);

            // Another stack for user-to-kernel transitions: the next frame lands there.
            ulong other = (ulong)GuestMemory.AllocatePages(2) + 2 * PageFlags.PageSize - 32;
            long rc = Hypercalls.StackSwitch(FlatSelector.KernelSs, other);
            TrapExpect.RunUser(Routines.UserInt3, 0);
            ulong end2 = TrapFrame.XenFrameEnd(TrapTable.LastFrameAddress);
            long back = Hypercalls.StackSwitch(FlatSelector.KernelSs, UserMode.KernelStackTop);
            suite.Result("stack_switch_moves_user_frames", rc == 0 && back == 0 && end2 == (other & ~15UL))
                .Text(" stack_switch returned ").Result(rc).Text(", frame end ").Hex(end2).Text(" for stack ").Hex(other).End();
        }

        private static void SavedMask(TestSuite suite, string test, TrapFrame* f, byte mask)
        {
            byte saved = TrapFrame.SavedUpcallMask(f);
            bool interrupts = (f->Rflags & InterruptFlag) != 0;
            suite.Result(test, saved == mask && interrupts == (mask == 0))
                .Text(" CS bits 32-39 ").Dec(saved).Text(", RFLAGS.IF ").Dec(interrupts ? 1UL : 0UL).Text(" (mask before the trap ").Dec(mask).Text(")").End();
        }

        private static VcpuInfo* Vcpu()
        {
            SharedInfo* shared = SharedInfoPage.Get();
            return shared == null ? null : SharedInfo.VcpuInfoOf(shared, 0);
        }
    }
}
