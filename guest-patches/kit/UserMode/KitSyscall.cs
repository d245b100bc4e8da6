namespace Hypervisor.Guest
{
    /// <summary>
    /// The kit's system calls from guest user mode: <c>syscall</c> with the number in RAX (asm: the
    /// KIT_SYSCALL_* constants of kit.inc). Xen delivers them to the kit's syscall callback on the kernel
    /// stack; any other number goes to the hook of <see cref="UserMode.SetSyscallHook"/>, else returns
    /// -ENOSYS.
    /// </summary>
    public static class KitSyscall
    {
        /// <summary>Leave user mode: <see cref="UserMode.Run"/> returns <see cref="UserExit.Syscall"/> with the
        /// registers as they were (RDI is the result).</summary>
        public const ulong Exit = 0;

        /// <summary>Returns RDI in RAX, through the iret hypercall with a full context (RCX and R11 restored).</summary>
        public const ulong Echo = 1;

        /// <summary>Returns RDI in RAX, through the iret hypercall with VGCF_in_syscall (Xen returns the
        /// SYSRET way: RCX and R11 are not restored).</summary>
        public const ulong EchoSysret = 2;

        /// <summary>The first number the kit leaves to a hook.</summary>
        public const ulong FirstFree = 16;
    }
}
