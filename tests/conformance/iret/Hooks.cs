using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The suite's trap and syscall hooks. A test says what the next #BP handler does to the frame
    /// before the iret hypercall returns (<see cref="Breakpoint"/>), and the syscall hook records the
    /// frame of the hooked syscall numbers and rewrites RCX/R11 for the VGCF_in_syscall tests.
    /// </summary>
    internal static unsafe class Hooks
    {
        public const ulong RecordSyscall = KitSyscall.FirstFree;
        public const ulong SetRcxR11 = KitSyscall.FirstFree + 1;
        public const ulong SetRcxR11InSyscall = KitSyscall.FirstFree + 2;

        public const ulong FrameRcx = 0xC0C0C0C0C0C0C0C0UL;
        public const ulong FrameR11 = 0x0000000000000A87UL;   // a valid RFLAGS image, so either way works

        /// <summary>What the #BP handler does.</summary>
        public enum BreakpointAction { Return, SetRax, SetInterruptFlag, ClearInterruptFlag, InSyscall }

        public static BreakpointAction Breakpoint;
        public static ulong RaxValue;
        public static ulong DemandAddress;
        public static ulong DemandFrame;
        public static long DemandMapResult = 1;
        public static ulong SkipUd2At;

        /// <summary>The last hooked syscall's frame and the event mask its handler found.</summary>
        public static TrapFrame LastSyscall;
        public static byte LastSyscallMask;
        public static ulong LastSyscallFrameEnd;
        public static HandlerEntry LastSyscallEntry;

        public static void Install()
        {
            TrapTable.SetHook(&OnTrap);
            UserMode.SetSyscallHook(&OnSyscall);
        }

        private static bool OnTrap(TrapFrame* frame)
        {
            switch (frame->Vector)
            {
                case TrapNames.Breakpoint:
                    switch (Breakpoint)
                    {
                        case BreakpointAction.SetRax: frame->Rax = RaxValue; break;
                        case BreakpointAction.SetInterruptFlag: frame->Rflags |= 1UL << 9; break;
                        case BreakpointAction.ClearInterruptFlag: frame->Rflags &= ~(1UL << 9); break;
                        case BreakpointAction.InSyscall: TrapTable.SetIretFlags(IretFlags.InSyscall); break;
                    }
                    Breakpoint = BreakpointAction.Return;
                    return true;
                case 0x40:
                    return true;
                case TrapNames.PageFault:
                    if (DemandAddress == 0 || !TrapFrame.FromUserMode(frame) || TrapTable.LastFaultAddress != DemandAddress)
                        return false;
                    DemandMapResult = UserMode.AddressSpace.Map(DemandAddress, DemandFrame, writable: true);
                    DemandAddress = 0;
                    return DemandMapResult == 0;
                case TrapNames.InvalidOpcode:
                    if (SkipUd2At == 0 || frame->Rip != SkipUd2At)
                        return false;
                    frame->Rip += 2;
                    SkipUd2At = 0;
                    return true;
            }
            return false;
        }

        private static bool OnSyscall(TrapFrame* frame)
        {
            if (frame->Rax < RecordSyscall || frame->Rax > SetRcxR11InSyscall)
                return false;
            LastSyscall = *frame;
            LastSyscallEntry = TrapTable.LastEntry;
            SharedInfo* shared = SharedInfoPage.Get();
            LastSyscallMask = shared == null ? (byte)0xFF : SharedInfo.VcpuInfoOf(shared, 0)->EvtchnUpcallMask;
            LastSyscallFrameEnd = TrapFrame.XenFrameEnd(frame);
            if (frame->Rax != RecordSyscall)
            {
                frame->Rcx = FrameRcx;
                frame->R11 = FrameR11;
                if (frame->Rax == SetRcxR11InSyscall)
                    TrapTable.SetIretFlags(IretFlags.InSyscall);
            }
            frame->Rax = 0;
            return true;
        }
    }
}
