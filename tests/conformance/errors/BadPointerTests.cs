using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Every hypercall that reads its argument from guest memory answers an unreadable one (an unmapped
    /// page of the lower half) with -EFAULT and does nothing else. (console_io, xen_version, sched_op and
    /// multicall have their own suites.)
    /// </summary>
    internal static unsafe class BadPointerTests
    {
        private const ulong Unmapped = 0x1000;

        public static void Run(TestSuite suite)
        {
            Fault(suite, "set_trap_table_unreadable", Hypercalls.Raw(HypercallNumber.SetTrapTable, Unmapped, 0, 0));
            Fault(suite, "mmu_update_unreadable", Hypercalls.Raw(HypercallNumber.MmuUpdate, Unmapped, 1, 0, DomainId.Self, 0));
            Fault(suite, "mmuext_op_unreadable", Hypercalls.Raw(HypercallNumber.MmuextOp, Unmapped, 1, 0, DomainId.Self, 0));
            Fault(suite, "set_gdt_unreadable", Hypercalls.Raw(HypercallNumber.SetGdt, Unmapped, 1, 0));
            Fault(suite, "callback_op_register_unreadable", Hypercalls.CallbackOp(CallbackOp.Register, (void*)Unmapped));
            Fault(suite, "callback_op_unregister_unreadable", Hypercalls.CallbackOp(CallbackOp.Unregister, (void*)Unmapped));
            Fault(suite, "vcpu_op_get_runstate_info_unreadable", Hypercalls.VcpuOp(VcpuOp.GetRunstateInfo, 0, (void*)Unmapped));
            Fault(suite, "event_channel_op_alloc_unbound_unreadable", Hypercalls.EventChannelOp(EventChannelOp.AllocUnbound, (void*)Unmapped));
            Fault(suite, "event_channel_op_status_unreadable", Hypercalls.EventChannelOp(EventChannelOp.Status, (void*)Unmapped));
            Fault(suite, "grant_table_op_query_size_unreadable", Hypercalls.Raw(HypercallNumber.GrantTableOp, GrantTableOp.QuerySize, Unmapped, 1));
            Fault(suite, "grant_table_op_setup_table_unreadable", Hypercalls.Raw(HypercallNumber.GrantTableOp, GrantTableOp.SetupTable, Unmapped, 1));
            Fault(suite, "memory_op_current_reservation_unreadable", Hypercalls.MemoryOp(MemoryOp.CurrentReservation, (void*)Unmapped));
            Fault(suite, "memory_op_memory_map_unreadable", Hypercalls.MemoryOp(MemoryOp.MemoryMap, (void*)Unmapped));
            Fault(suite, "physdev_op_irq_status_query_unreadable", Hypercalls.Raw(HypercallNumber.PhysdevOp, PhysdevOp.IrqStatusQuery, Unmapped, 0));
            Fault(suite, "platform_op_unreadable", Hypercalls.Raw(HypercallNumber.PlatformOp, Unmapped, 0, 0));
            Fault(suite, "sysctl_unreadable", Hypercalls.Raw(HypercallNumber.Sysctl, Unmapped, 0, 0));
            Fault(suite, "domctl_unreadable", Hypercalls.Raw(HypercallNumber.Domctl, Unmapped, 0, 0));
            // 48 (arch_0) is the machine-check hypercall on x86 (__HYPERVISOR_mca), not an unknown number.
            Fault(suite, "mca_unreadable", Hypercalls.Raw(HypercallNumber.Arch0, Unmapped, 0, 0));
            Fault(suite, "nmi_op_register_callback_unreadable", Hypercalls.Raw(HypercallNumber.NmiOp, 0, Unmapped, 0));
        }

        private static void Fault(TestSuite suite, string test, long rc) => suite.Errno(test, XenErrno.EFAULT, rc);
    }
}
