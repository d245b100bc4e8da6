using System.Runtime.InteropServices;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The registers of the interrupted code as the kit's trap entry (asm/traps.asm) leaves them on the
    /// stack: the general registers, the vector, the error code (0 where the exception has none), then
    /// Xen's bounce frame: RIP, CS, RFLAGS, RSP, SS. A handler may change any field; the values are
    /// restored and the iret hypercall returns to <see cref="Rip"/>.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 176)]
    public unsafe struct TrapFrame
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
        [FieldOffset(120)] public ulong Vector;
        [FieldOffset(128)] public ulong ErrorCode;
        [FieldOffset(136)] public ulong Rip;

        /// <summary>CS as Xen saved it: RPL 0 when the guest kernel was interrupted (Xen clears the RPL
        /// bits of a 64-bit PV kernel's CS), the saved event mask in bits 32-39.</summary>
        [FieldOffset(144)] public ulong Cs;
        [FieldOffset(152)] public ulong Rflags;
        [FieldOffset(160)] public ulong Rsp;
        [FieldOffset(168)] public ulong Ss;

        /// <summary>True when the trap interrupted guest user mode (CS with RPL 3; Xen clears the RPL of
        /// a kernel-mode CS).</summary>
        public static bool FromUserMode(TrapFrame* frame) => (frame->Cs & 3) == 3;

        /// <summary>The event mask Xen saved in CS bits 32-39 (the mask before the trap).</summary>
        public static byte SavedUpcallMask(TrapFrame* frame) => (byte)(frame->Cs >> 32);

        /// <summary>The end (highest address + 1) of Xen's bounce frame: the SS slot's end. Xen aligns it to
        /// 16 bytes below the interrupted RSP (kernel mode) or the stack_switch stack (user mode).</summary>
        public static ulong XenFrameEnd(TrapFrame* frame) => (ulong)frame + (ulong)sizeof(TrapFrame);

        /// <summary>Where Xen's frame began (its RCX slot), given whether the vector pushes an error code.</summary>
        public static ulong XenFrameStart(TrapFrame* frame, bool hasErrorCode) => (ulong)&frame->Rip - (hasErrorCode ? 24UL : 16UL);
    }
}
