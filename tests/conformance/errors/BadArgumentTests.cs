using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Arguments a hypercall refuses: unknown sub-commands and callback types (-ENOSYS), unknown assist
    /// types and sizes (-EINVAL), unknown debug registers (-ENODEV, both directions), a vCPU that does
    /// not exist (-ENOENT), an address in the hypervisor's area (-EINVAL).
    /// </summary>
    internal static unsafe class BadArgumentTests
    {
        public static void Run(TestSuite suite)
        {
            suite.Errno("vm_assist_unknown_type", XenErrno.EINVAL, Hypercalls.VmAssist(VmAssistCommand.Enable, 31));
            suite.Errno("vm_assist_unknown_command", XenErrno.ENOSYS, Hypercalls.VmAssist(99, VmAssistType.WritablePagetables));

            CallbackRegister callback;
            callback.Type = 99;
            callback.Flags = 0;
            callback.Address = GuestCallbacks.Entry(CallbackType.Event);
            suite.Errno("callback_op_unknown_type", XenErrno.ENOSYS, Hypercalls.CallbackOp(CallbackOp.Register, &callback));
            suite.Errno("callback_op_unknown_command", XenErrno.ENOSYS, Hypercalls.CallbackOp(99, &callback));

            suite.Errno("set_debugreg_unknown_register", XenErrno.ENODEV, Hypercalls.SetDebugreg(99, 0));
            suite.Errno("get_debugreg_unknown_register", XenErrno.ENODEV, Hypercalls.GetDebugreg(99));

            MmuextOp op = default;
            op.Cmd = 99;
            uint done = 0;
            suite.Errno("mmuext_op_unknown_command", XenErrno.ENOSYS, Hypercalls.MmuextOp(&op, 1, &done));

            suite.Errno("update_va_mapping_hypervisor_area", XenErrno.EINVAL,
                Hypercalls.UpdateVaMapping(AddressSpaceLayout.HypervisorVirtEnd - 0x1000, 0, PageFlags.UvmfInvlpg));

            suite.Errno("vcpu_op_no_such_vcpu", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.IsUp, 99, null));
            suite.Errno("vcpu_op_unknown_command", XenErrno.ENOSYS, Hypercalls.VcpuOp(99, 0, null));
            suite.Errno("event_channel_op_unknown_command", XenErrno.ENOSYS, Hypercalls.EventChannelOp(99, null));
            suite.Errno("grant_table_op_unknown_command", XenErrno.ENOSYS, Hypercalls.Raw(HypercallNumber.GrantTableOp, 99, 0, 0));
            suite.Errno("memory_op_unknown_command", XenErrno.ENOSYS, Hypercalls.MemoryOp(99, null));
            suite.Errno("physdev_op_unknown_command", XenErrno.ENOSYS, Hypercalls.Raw(HypercallNumber.PhysdevOp, 99, 0, 0));

            // More GDT entries than the guest's part of the GDT holds (the reserved entries start at 14 pages).
            ulong* frames = stackalloc ulong[1];
            frames[0] = 0;
            suite.Errno("set_gdt_too_many_entries", XenErrno.EINVAL, Hypercalls.Raw(HypercallNumber.SetGdt, (ulong)frames, 8192, 0));
        }
    }
}
