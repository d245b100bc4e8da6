using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors arch-x86/xen-x86_64.h <c>struct iret_context</c> (72 bytes): what a 64-bit PV
    /// guest leaves on its stack, at RSP, before the iret hypercall. Xen restores RAX, RIP, RFLAGS and
    /// RSP always; R11, RCX, CS and SS too unless <see cref="IretFlags.InSyscall"/> is set. A saved CS
    /// with RPL 3 returns to guest user mode, any other RPL to guest kernel mode.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct IretContext
    {
        /// <summary><c>rax</c> (top of stack).</summary>
        [FieldOffset(0)] public ulong Rax;

        /// <summary><c>r11</c>.</summary>
        [FieldOffset(8)] public ulong R11;

        /// <summary><c>rcx</c>.</summary>
        [FieldOffset(16)] public ulong Rcx;

        /// <summary><c>flags</c>: <see cref="IretFlags"/>.</summary>
        [FieldOffset(24)] public ulong Flags;

        /// <summary><c>rip</c>.</summary>
        [FieldOffset(32)] public ulong Rip;

        /// <summary><c>cs</c>.</summary>
        [FieldOffset(40)] public ulong Cs;

        /// <summary><c>rflags</c>.</summary>
        [FieldOffset(48)] public ulong Rflags;

        /// <summary><c>rsp</c>.</summary>
        [FieldOffset(56)] public ulong Rsp;

        /// <summary><c>ss</c> (bottom of the frame).</summary>
        [FieldOffset(64)] public ulong Ss;
    }

    /// <summary>Bits of <see cref="IretContext.Flags"/>.</summary>
    public static class IretFlags
    {
        /// <summary><c>VGCF_in_syscall</c> (bit 8): the guest entered through SYSCALL, so return the
        /// SYSRET way: R11, RCX, CS and SS are not restored.</summary>
        public const ulong InSyscall = 1ul << 8;
    }
}
