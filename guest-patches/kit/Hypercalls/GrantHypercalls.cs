using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>grant_table_op; <see cref="GrantTables"/> has typed one-operation helpers.</summary>
    public static unsafe partial class Hypercalls
    {
        /// <summary>grant_table_op(cmd, ops, count): <paramref name="count"/> operations of the command's
        /// struct (<see cref="GrantTableOp"/>); each gets its own GNTST_* status, the call itself returns 0
        /// or a negative errno.</summary>
        public static long GrantTableOp(int command, void* operations, uint count)
            => Call(HypercallNumber.GrantTableOp, (uint)command, (ulong)operations, count, 0, 0);
    }
}
