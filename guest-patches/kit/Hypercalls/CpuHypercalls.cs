using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>The hypercalls of a vCPU's own state: the kernel stack for user-to-kernel transitions, the
    /// callbacks, segment bases, the virtual CR0.TS, debug registers, vcpu_op, multicall.</summary>
    public static unsafe partial class Hypercalls
    {
        /// <summary>stack_switch(ss, sp): the stack Xen builds frames on when user mode traps or makes a
        /// system call (the guest's TSS.SP0).</summary>
        public static long StackSwitch(ulong stackSegment, ulong stackPointer)
            => Call(HypercallNumber.StackSwitch, stackSegment, stackPointer, 0, 0, 0);

        /// <summary>callback_op(cmd, arg).</summary>
        public static long CallbackOp(int command, void* argument)
            => Call(HypercallNumber.CallbackOp, (uint)command, (ulong)argument, 0, 0, 0);

        /// <summary>callback_op register of one <see cref="CallbackType"/> with <see cref="CallbackFlags"/>.</summary>
        public static long RegisterCallback(ushort type, ushort flags, ulong address)
        {
            CallbackRegister callback;
            callback.Type = type;
            callback.Flags = flags;
            callback.Address = address;
            return CallbackOp(Abi.CallbackOp.Register, &callback);
        }

        /// <summary>callback_op unregister of one <see cref="CallbackType"/>.</summary>
        public static long UnregisterCallback(ushort type)
        {
            CallbackUnregister callback;
            callback.Type = type;
            callback.Unused = 0;
            return CallbackOp(Abi.CallbackOp.Unregister, &callback);
        }

        /// <summary>set_callbacks(event, failsafe, syscall): the older form of callback_op register.</summary>
        public static long SetCallbacks(ulong eventAddress, ulong failsafeAddress, ulong syscallAddress)
            => Call(HypercallNumber.SetCallbacks, eventAddress, failsafeAddress, syscallAddress, 0, 0);

        /// <summary>set_segment_base(which, base) with a <see cref="SegmentBase"/> selector.</summary>
        public static long SetSegmentBase(int which, ulong value)
            => Call(HypercallNumber.SetSegmentBase, (uint)which, value, 0, 0, 0);

        /// <summary>fpu_taskswitch(set): sets (1) or clears (0) the virtual CR0.TS; with it set, the next
        /// FPU/SSE instruction raises #NM (and Xen clears TS as it delivers it).</summary>
        public static long FpuTaskswitch(int set)
            => Call(HypercallNumber.FpuTaskswitch, (uint)set, 0, 0, 0, 0);

        /// <summary>get_debugreg(reg): DR0-3, DR6, DR7 as the guest sees them.</summary>
        public static long GetDebugreg(int register)
            => Call(HypercallNumber.GetDebugreg, (uint)register, 0, 0, 0, 0);

        /// <summary>set_debugreg(reg, value).</summary>
        public static long SetDebugreg(int register, ulong value)
            => Call(HypercallNumber.SetDebugreg, (uint)register, value, 0, 0, 0);

        /// <summary>vcpu_op(cmd, vcpu, arg).</summary>
        public static long VcpuOp(int command, uint vcpu, void* argument)
            => Call(HypercallNumber.VcpuOp, (uint)command, vcpu, (ulong)argument, 0, 0);

        /// <summary>set_timer_op(deadline): a one-shot timer at system time <paramref name="deadline"/> (ns); 0 cancels.</summary>
        public static long SetTimerOp(ulong deadline)
            => Call(HypercallNumber.SetTimerOp, deadline, 0, 0, 0, 0);

        /// <summary>multicall(entries, count): runs the calls in order and writes each result into its entry.</summary>
        public static long Multicall(MulticallEntry* entries, uint count)
            => Call(HypercallNumber.Multicall, (ulong)entries, count, 0, 0, 0);
    }
}
