using System.Runtime.InteropServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Guest user-mode registers: what <see cref="UserMode.Run"/> starts user mode with, and what it
    /// finds when user mode is left (by the exit syscall or a trap). The general registers are in
    /// <see cref="TrapFrame"/>'s order; asm/user.asm knows the offsets.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 160)]
    public struct UserRegisters
    {
        [FieldOffset(0)] public ulong R15;
        [FieldOffset(8)] public ulong R14;
        [FieldOffset(16)] public ulong R13;
        [FieldOffset(24)] public ulong R12;
        [FieldOffset(32)] public ulong R11;
        [FieldOffset(40)] public ulong R10;
        [FieldOffset(48)] public ulong R9;
        [FieldOffset(56)] public ulong R8;
        [FieldOffset(64)] public ulong Rbp;
        [FieldOffset(72)] public ulong Rdi;
        [FieldOffset(80)] public ulong Rsi;
        [FieldOffset(88)] public ulong Rdx;
        [FieldOffset(96)] public ulong Rcx;
        [FieldOffset(104)] public ulong Rbx;
        [FieldOffset(112)] public ulong Rax;
        [FieldOffset(120)] public ulong Rip;

        /// <summary>FLAT_USER_CS (0xe033, RPL 3) enters user mode; as found at exit, the CS of Xen's frame.</summary>
        [FieldOffset(128)] public ulong Cs;
        [FieldOffset(136)] public ulong Rflags;
        [FieldOffset(144)] public ulong Rsp;
        [FieldOffset(152)] public ulong Ss;

        /// <summary>RFLAGS for user mode: IF set (events enabled while user mode runs) and the reserved bit 1.</summary>
        public const ulong DefaultRflags = 0x202;

        /// <summary>Registers to start <paramref name="entry"/> in user mode on the kit's user stack, with the
        /// arguments in RDI, RSI, RDX and every other general register zero.</summary>
        public static UserRegisters For(ulong entry, ulong rdi, ulong rsi, ulong rdx)
        {
            UserRegisters r = default;
            r.Rip = entry;
            r.Cs = FlatSelector.UserCs;
            r.Rflags = DefaultRflags;
            r.Rsp = UserMode.StackTop;
            r.Ss = FlatSelector.UserSs;
            r.Rdi = rdi;
            r.Rsi = rsi;
            r.Rdx = rdx;
            return r;
        }

        /// <summary>Copies the interrupted code's registers out of a trap frame.</summary>
        public static unsafe void CopyFrom(UserRegisters* to, TrapFrame* frame)
        {
            to->R15 = frame->R15; to->R14 = frame->R14; to->R13 = frame->R13; to->R12 = frame->R12;
            to->R11 = frame->R11; to->R10 = frame->R10; to->R9 = frame->R9; to->R8 = frame->R8;
            to->Rbp = frame->Rbp; to->Rdi = frame->Rdi; to->Rsi = frame->Rsi; to->Rdx = frame->Rdx;
            to->Rcx = frame->Rcx; to->Rbx = frame->Rbx; to->Rax = frame->Rax;
            to->Rip = frame->Rip; to->Cs = frame->Cs; to->Rflags = frame->Rflags; to->Rsp = frame->Rsp; to->Ss = frame->Ss;
        }
    }
}
