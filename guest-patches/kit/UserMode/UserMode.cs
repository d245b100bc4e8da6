using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Guest user mode. <see cref="Initialize"/> registers the callbacks (<see cref="GuestCallbacks"/>),
    /// sets the kernel stack for user-to-kernel transitions with stack_switch, and builds and installs the
    /// user page tables (<see cref="UserAddressSpace"/>: the kit's user section at its own addresses and a
    /// user stack below <see cref="StackTop"/>).
    /// <see cref="Run"/> enters user mode with the iret hypercall (CS 0xe033, RPL 3: Xen switches to the
    /// user page tables) and returns when user code makes the exit syscall or traps in a way nobody
    /// handles. User code is assembly in section <c>.user.text</c> (see asm/user.asm and kit.inc's
    /// KIT_USER_EXIT); a suite's own .asm files may add to it.
    /// </summary>
    public static unsafe class UserMode
    {
        /// <summary>The top of the user stack (16-byte aligned, in the lower half).</summary>
        public const ulong StackTop = 0x0000700000000000UL;
        public const ulong StackPages = 4;

        [RuntimeImport("kit_user_enter"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Enter(UserRegisters* registers);

        [RuntimeImport("kit_user_leave"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void LeaveTo(ulong exit);

        [RuntimeImport("kit_kernel_stack_top_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong KernelStackTopAddress();

        [RuntimeImport("kit_user_section_start"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong UserSectionStart();

        [RuntimeImport("kit_user_section_end"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong UserSectionEnd();

        [RuntimeImport("kit_user_exit_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong ExitRoutineAddress();

        [RuntimeImport("kit_user_enter_with_ts"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void EnterWithTaskSwitched();

        private static bool s_initialized;
        private static long s_initResult = 1;
        private static string s_initStep = "not initialized";
        private static UserAddressSpace s_space;
        private static UserRegisters* s_registers;
        private static bool s_active;
        private static ulong s_lastVector;
        private static ulong s_lastErrorCode;
        private static ulong s_lastFaultAddress;
        private static ulong s_lastFrameEnd;
        private static ulong s_runs;
        private static delegate*<TrapFrame*, bool> s_syscallHook;

        /// <summary>0 when user mode is ready; else the negative errno of <see cref="FailedStep"/>.</summary>
        public static long InitializeResult => s_initResult;

        /// <summary>What failed in <see cref="Initialize"/> ("callback_op register syscall", ...).</summary>
        public static string FailedStep => s_initStep;

        public static bool Ready => s_initResult == 0;

        /// <summary>True while user mode runs (also in handlers of its traps and syscalls).</summary>
        public static bool Active => s_active;

        /// <summary>The user page tables.</summary>
        public static UserAddressSpace AddressSpace => s_space;

        /// <summary>The kernel stack Xen switches to when user mode traps or makes a syscall.</summary>
        public static ulong KernelStackTop => KernelStackTopAddress();

        /// <summary>The kit's user section (.user.text, .user.data) in the image and, at the same addresses,
        /// in user mode.</summary>
        public static ulong SectionStart => UserSectionStart();
        public static ulong SectionEnd => UserSectionEnd();

        /// <summary>A user routine that leaves at once (exit syscall, RDI as given).</summary>
        public static ulong ExitRoutine => ExitRoutineAddress();

        /// <summary>The vector, error code and (for #PF) address of the trap that ended the last run.</summary>
        public static ulong LastVector => s_lastVector;
        public static ulong LastErrorCode => s_lastErrorCode;
        public static ulong LastFaultAddress => s_lastFaultAddress;

        /// <summary>Where the handler's frame that ended the last run ended on the kernel stack (the top
        /// of Xen's bounce frame: kernel_sp rounded down to 16 bytes).</summary>
        public static ulong LastFrameEnd => s_lastFrameEnd;

        /// <summary>The registers when the last run ended.</summary>
        public static UserRegisters* LastRegisters => s_registers;

        /// <summary>RDI at the last exit syscall: the user routine's result.</summary>
        public static ulong Result => s_registers == null ? 0 : s_registers->Rdi;

        /// <summary>Runs so far.</summary>
        public static ulong Runs => s_runs;

        /// <summary>Sets up user mode once; returns 0 or the negative errno of the step that failed
        /// (<see cref="FailedStep"/>).</summary>
        public static long Initialize()
        {
            if (s_initialized)
                return s_initResult;
            s_initialized = true;
            s_registers = (UserRegisters*)GuestMemory.Allocate((ulong)sizeof(UserRegisters));
            SharedInfoPage.Get();   // mapped now, not in the first handler that reads CR2

            long rc = GuestCallbacks.Register();
            if (rc != 0)
                return Fail(GuestCallbacks.FailedStep, rc);
            rc = Hypercalls.StackSwitch(FlatSelector.KernelSs, KernelStackTop);
            if (rc != 0)
                return Fail("stack_switch", rc);

            s_space = new UserAddressSpace();
            rc = s_space.ShareKernelRange(SectionStart, SectionEnd, writable: true);
            if (rc != 0)
                return Fail("mapping the user section", rc);
            byte* stack = GuestMemory.AllocatePages(StackPages);
            for (ulong i = 0; i < StackPages; i++)
            {
                rc = s_space.MapKernelPage(StackTop - (StackPages - i) * PageFlags.PageSize, (ulong)stack + i * PageFlags.PageSize, writable: true);
                if (rc != 0)
                    return Fail("mapping the user stack", rc);
            }
            rc = s_space.Activate();
            if (rc != 0)
                return Fail("pinning the user L4 / MMUEXT_NEW_USER_BASEPTR", rc);
            s_initStep = "none";
            s_initResult = 0;
            return 0;
        }

        private static long Fail(string step, long rc)
        {
            s_initStep = step;
            s_initResult = rc;
            GuestConsole.Line().Text("kit: user mode unavailable: ").Text(step).Text(" returned ").Result(rc).End();
            return rc;
        }

        /// <summary>Runs user mode from <paramref name="registers"/> until it leaves; then
        /// <paramref name="registers"/> holds the registers at that point. Returns a <see cref="UserExit"/>.
        /// The event mask is what it was before (user mode runs with RFLAGS.IF's choice).</summary>
        public static ulong Run(UserRegisters* registers)
        {
            if (Initialize() != 0 || s_active)
                return UserExit.NotReady;
            *s_registers = *registers;
            VcpuInfo* vcpu = Vcpu();
            byte mask = vcpu == null ? (byte)1 : vcpu->EvtchnUpcallMask;
            s_lastVector = 0;
            s_lastErrorCode = 0;
            s_lastFaultAddress = 0;
            s_runs++;
            s_active = true;
            ulong exit = Enter(s_registers);
            s_active = false;
            if (vcpu != null)
                vcpu->EvtchnUpcallMask = mask;
            *registers = *s_registers;
            return exit;
        }

        /// <summary>Runs the user routine at <paramref name="entry"/> with arguments in RDI, RSI, RDX on the
        /// kit's user stack; returns a <see cref="UserExit"/> (the routine's result is <see cref="Result"/>).</summary>
        public static ulong Call(ulong entry, ulong rdi = 0, ulong rsi = 0, ulong rdx = 0)
        {
            UserRegisters r = UserRegisters.For(entry, rdi, rsi, rdx);
            return Run(&r);
        }

        /// <summary>The next <see cref="Run"/> sets the virtual CR0.TS (fpu_taskswitch) right before entering
        /// user mode, after the kit saved the kernel's FPU state: the first FPU/SSE instruction in user mode
        /// raises #NM, as after a kernel's lazy FPU switch.</summary>
        public static void SetTaskSwitchedOnNextEntry() => EnterWithTaskSwitched();

        /// <summary>A handler for syscall numbers the kit does not know (from <see cref="KitSyscall.FirstFree"/>):
        /// it returns true when it handled the call (RAX in the frame is the result). Null removes it.</summary>
        public static void SetSyscallHook(delegate*<TrapFrame*, bool> hook) => s_syscallHook = hook;

        /// <summary>From a trap or syscall handler while user mode runs: end it; <see cref="Run"/> returns
        /// <paramref name="exit"/> with the frame's registers. Does not return.</summary>
        public static void Leave(TrapFrame* frame, ulong exit)
        {
            UserRegisters.CopyFrom(s_registers, frame);
            s_lastFrameEnd = TrapFrame.XenFrameEnd(frame);
            LeaveTo(exit);
        }

        /// <summary>The syscall callback (from <see cref="GuestCallbacks"/>).</summary>
        internal static void OnSyscall(TrapFrame* frame)
        {
            switch (frame->Rax)
            {
                case KitSyscall.Exit:
                    if (s_active)
                        Leave(frame, UserExit.Syscall);
                    frame->Rax = unchecked((ulong)-XenErrno.EINVAL);
                    return;
                case KitSyscall.Echo:
                    frame->Rax = frame->Rdi;
                    return;
                case KitSyscall.EchoSysret:
                    frame->Rax = frame->Rdi;
                    TrapTable.SetIretFlags(IretFlags.InSyscall);
                    return;
            }
            if (s_syscallHook != null && s_syscallHook(frame))
                return;
            frame->Rax = unchecked((ulong)-XenErrno.ENOSYS);
        }

        /// <summary>A trap from user mode that nobody handled: ends the run with <see cref="UserExit.Trap"/>.</summary>
        internal static void OnUnhandledTrap(TrapFrame* frame, ulong faultAddress)
        {
            s_lastVector = frame->Vector;
            s_lastErrorCode = frame->ErrorCode;
            s_lastFaultAddress = faultAddress;
            Leave(frame, UserExit.Trap);
        }

        private static VcpuInfo* Vcpu()
        {
            SharedInfo* shared = SharedInfoPage.Get();
            return shared == null ? null : SharedInfo.VcpuInfoOf(shared, 0);
        }
    }
}
