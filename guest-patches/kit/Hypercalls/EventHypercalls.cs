using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>The event and scheduling hypercalls beyond sched_op's own wrappers.</summary>
    public static unsafe partial class Hypercalls
    {
        /// <summary>event_channel_op(cmd, arg) (<see cref="EventChannels"/> has typed helpers).</summary>
        public static long EventChannelOp(int command, void* argument)
            => Call(HypercallNumber.EventChannelOp, (uint)command, (ulong)argument, 0, 0, 0);

        /// <summary>event_channel_op_compat(op): the old form, the command inside the <see cref="EvtchnOp"/>.</summary>
        public static long EventChannelOpCompat(EvtchnOp* op)
            => Call(HypercallNumber.EventChannelOpCompat, (ulong)op, 0, 0, 0, 0);

        /// <summary>sched_op_compat(cmd, arg): the old sched_op, whose shutdown takes the reason as the argument.</summary>
        public static long SchedOpCompat(int command, ulong argument)
            => Call(HypercallNumber.SchedOpCompat, (uint)command, argument, 0, 0, 0);
    }
}
