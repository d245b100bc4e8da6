using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls.Handlers;

namespace Hypervisor.Core.Hypercalls
{
    /// <summary>
    /// Every hypercall this hypervisor answers, in one place: number, name, who may call it, handler.
    /// A number not listed here gets -ENOSYS. To find a handler, find its row.
    /// </summary>
    public static unsafe class HypercallTable
    {
        public const int Size = 64;

        private static readonly HypercallDefinition[] s_rows = Build();

        public static ref HypercallDefinition Lookup(int number) => ref s_rows[number];

        private static HypercallDefinition[] Build()
        {
            var rows = new HypercallDefinition[Size];
            const HypercallAccess Any = HypercallAccess.AnyDomain;
            Row(rows, HypercallNumber.SetTrapTable, "set_trap_table", Any, &SetTrapTableHypercall.Handle);
            Row(rows, HypercallNumber.XenVersion, "xen_version", Any, &XenVersionHypercall.Handle);
            Row(rows, HypercallNumber.ConsoleIo, "console_io", Any, &ConsoleIoHypercall.Handle);
            Row(rows, HypercallNumber.SchedOp, "sched_op", Any, &SchedOpHypercall.Handle);
            return rows;
        }

        private static void Row(HypercallDefinition[] rows, int number, string name, HypercallAccess access,
                                delegate*<Vcpu, in HypercallArguments, long> handler)
        {
            rows[number] = new HypercallDefinition(number, name, access, handler);
        }
    }
}
