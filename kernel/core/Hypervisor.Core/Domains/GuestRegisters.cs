using System.Runtime.InteropServices;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A vCPU's general registers and the interrupt frame, in the order the arch layer's entry code
    /// saves them (general registers in reverse push order, the vector and error code, then what the
    /// CPU pushes). The arch layer copies its trap frame into <see cref="Vcpu.Registers"/> when a guest
    /// enters the hypervisor and back when it resumes, so the core never sees a stack.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GuestRegisters
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8;
        public ulong Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        /// <summary>The exception vector, or <see cref="SyscallVector"/> for a SYSCALL.</summary>
        public ulong Vector;
        public ulong ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;

        /// <summary>Pseudo-vector for an entry through SYSCALL (not an IDT vector).</summary>
        public const ulong SyscallVector = 256;

        public const ulong InterruptFlag = 1UL << 9;
        public const ulong ReservedFlag = 1UL << 1;
        /// <summary>IOPL field of RFLAGS (bits 12-13).</summary>
        public const ulong IoplMask = 3UL << 12;
    }
}
