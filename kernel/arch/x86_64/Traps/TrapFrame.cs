using System.Runtime.InteropServices;

namespace Hypervisor.Arch.X86_64
{
    // The stack as asm/traps.asm leaves it for hv_trap: general registers (in reverse push order),
    // then the vector and error code, then what the CPU pushed.
    [StructLayout(LayoutKind.Sequential)]
    internal struct TrapFrame
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8;
        public ulong Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        public ulong Vector;
        public ulong ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;
    }
}
