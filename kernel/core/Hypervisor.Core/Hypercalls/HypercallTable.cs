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
            Row(rows, HypercallNumber.MmuUpdate, "mmu_update", Any, &MmuUpdateHypercall.Handle);
            Row(rows, HypercallNumber.SetGdt, "set_gdt", Any, &SetGdtHypercall.Handle);
            Row(rows, HypercallNumber.StackSwitch, "stack_switch", Any, &StackSwitchHypercall.Handle);
            Row(rows, HypercallNumber.SetCallbacks, "set_callbacks", Any, &SetCallbacksHypercall.Handle);
            Row(rows, HypercallNumber.FpuTaskswitch, "fpu_taskswitch", Any, &FpuTaskswitchHypercall.Handle);
            Row(rows, HypercallNumber.SchedOpCompat, "sched_op_compat", Any, &SchedOpHypercall.HandleCompat);
            Row(rows, HypercallNumber.UpdateDescriptor, "update_descriptor", Any, &UpdateDescriptorHypercall.Handle);
            Row(rows, HypercallNumber.MemoryOp, "memory_op", Any, &MemoryOpHypercall.Handle);
            Row(rows, HypercallNumber.Multicall, "multicall", Any, &MulticallHypercall.Handle);
            Row(rows, HypercallNumber.UpdateVaMapping, "update_va_mapping", Any, &UpdateVaMappingHypercall.Handle);
            Row(rows, HypercallNumber.SetTimerOp, "set_timer_op", Any, &SetTimerOpHypercall.Handle);
            Row(rows, HypercallNumber.EventChannelOpCompat, "event_channel_op_compat", Any, &EventChannelOpHypercall.HandleCompat);
            Row(rows, HypercallNumber.XenVersion, "xen_version", Any, &XenVersionHypercall.Handle);
            Row(rows, HypercallNumber.ConsoleIo, "console_io", Any, &ConsoleIoHypercall.Handle);
            Row(rows, HypercallNumber.GrantTableOp, "grant_table_op", Any, &GrantTableOpHypercall.Handle);
            Row(rows, HypercallNumber.VmAssist, "vm_assist", Any, &VmAssistHypercall.Handle);
            Row(rows, HypercallNumber.UpdateVaMappingOtherdomain, "update_va_mapping_otherdomain", Any, &UpdateVaMappingHypercall.HandleOtherDomain);
            Row(rows, HypercallNumber.Iret, "iret", Any, &IretHypercall.Handle);
            Row(rows, HypercallNumber.VcpuOp, "vcpu_op", Any, &VcpuOpHypercall.Handle);
            Row(rows, HypercallNumber.SetSegmentBase, "set_segment_base", Any, &SetSegmentBaseHypercall.Handle);
            Row(rows, HypercallNumber.MmuextOp, "mmuext_op", Any, &MmuextOpHypercall.Handle);
            Row(rows, HypercallNumber.SchedOp, "sched_op", Any, &SchedOpHypercall.Handle);
            Row(rows, HypercallNumber.EventChannelOp, "event_channel_op", Any, &EventChannelOpHypercall.Handle);
            Row(rows, HypercallNumber.CallbackOp, "callback_op", Any, &CallbackOpHypercall.Handle);
            Row(rows, HypercallNumber.PhysdevOp, "physdev_op", Any, &PhysdevOpHypercall.Handle);
            // Privileged, but checked by the handlers after the argument and domain checks, in Xen's order.
            Row(rows, HypercallNumber.Sysctl, "sysctl", Any, &SysctlHypercall.Handle);
            Row(rows, HypercallNumber.Domctl, "domctl", Any, &DomctlHypercall.Handle);
            return rows;
        }

        private static void Row(HypercallDefinition[] rows, int number, string name, HypercallAccess access,
                                delegate*<Vcpu, in HypercallArguments, long> handler)
        {
            rows[number] = new HypercallDefinition(number, name, access, handler);
        }
    }
}
