namespace Hypervisor.Guest
{
    /// <summary>How user mode ended (<see cref="UserMode.Run"/>'s result).</summary>
    public static class UserExit
    {
        /// <summary>User mode could not start: <see cref="UserMode.Initialize"/> failed.</summary>
        public const ulong NotReady = 0;

        /// <summary>The user code made the exit syscall (<see cref="KitSyscall.Exit"/>); its RDI is the result.</summary>
        public const ulong Syscall = 1;

        /// <summary>A trap from user mode that no probe fixup or hook handled
        /// (<see cref="UserMode.LastVector"/>, <see cref="UserMode.LastErrorCode"/>).</summary>
        public const ulong Trap = 2;

        /// <summary>A handler asked to end user mode (<see cref="UserMode.Leave"/>).</summary>
        public const ulong Requested = 3;

        public static string Name(ulong exit)
            => exit == Syscall ? "exit syscall" : exit == Trap ? "trap" : exit == Requested ? "requested" : "not ready";
    }
}
