using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Garbage above an argument's width: Xen's handlers take most sub-commands, counts, vCPU and domain
    /// ids as 32-bit ints, so bits 32-63 of their registers are not looked at, while memory_op's cmd is
    /// a whole unsigned long (the bits above the command are the continuation's start extent). Each
    /// call is built so that a hypervisor looking at the whole register would answer differently
    /// (bit 32 set on a count of 0 makes a count of 4 billion with an unmapped list, and so on).
    /// </summary>
    internal static unsafe class WidthTests
    {
        private const ulong Bit32 = 1UL << 32;

        public static void Run(TestSuite suite)
        {
            suite.Returns("xen_version_command_bit_32_ignored", (4 << 16) | 17,
                Hypercalls.Raw(HypercallNumber.XenVersion, Bit32 | XenVersionCommand.Version, 0, 0));
            suite.Returns("console_io_command_bit_32_ignored", 0,
                Hypercalls.Raw(HypercallNumber.ConsoleIo, Bit32 | ConsoleIoCommand.Write, 0, 0));
            // CALLBACKOP_register (0) and PHYSDEVOP_set_iopl read their argument: -EFAULT, not -ENOSYS.
            suite.Errno("callback_op_command_bit_32_ignored", XenErrno.EFAULT,
                Hypercalls.Raw(HypercallNumber.CallbackOp, Bit32 | CallbackOp.Register, BadAddress.Unmapped, 0));
            suite.Errno("physdev_op_command_bit_32_ignored", XenErrno.EFAULT,
                Hypercalls.Raw(HypercallNumber.PhysdevOp, Bit32 | PhysdevOp.SetIopl, BadAddress.Unmapped, 0));
            suite.Returns("vcpu_op_vcpu_bit_32_ignored", 1, Hypercalls.Raw(HypercallNumber.VcpuOp, VcpuOp.IsUp, Bit32, 0));
            suite.Errno("vm_assist_type_bit_32_ignored", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.VmAssist, VmAssistCommand.Enable, Bit32 | 6, 0));
            suite.Returns("mmu_update_count_bit_32_ignored", 0,
                Hypercalls.Raw(HypercallNumber.MmuUpdate, BadAddress.Unmapped, Bit32, 0, DomainId.Self, 0));
            suite.Returns("mmuext_op_count_bit_32_ignored", 0,
                Hypercalls.Raw(HypercallNumber.MmuextOp, BadAddress.Unmapped, Bit32, 0, DomainId.Self, 0));
            suite.Returns("multicall_count_bit_32_ignored", 0, Hypercalls.Raw(HypercallNumber.Multicall, BadAddress.Unmapped, Bit32, 0));
            MmuUpdate request = default;
            suite.Returns("mmu_update_foreign_domain_bit_32_ignored", 0,
                Hypercalls.Raw(HypercallNumber.MmuUpdate, (ulong)&request, 0, 0, Bit32 | DomainId.Self, 0));

            // The page's own entry again, for DOMID_SELF with bit 32 set.
            byte* page = GuestMemory.AllocatePages(1);
            ulong entry = Mmu.Entry(MachineFrames.Of(page), true);
            suite.Returns("update_va_mapping_otherdomain_domain_bit_32_ignored", 0,
                Hypercalls.Raw(HypercallNumber.UpdateVaMappingOtherdomain, (ulong)page, entry, PageFlags.UvmfInvlpg, Bit32 | DomainId.Self, 0));

            // memory_op: bit 32 of cmd is part of the start extent, which the queries refuse.
            suite.Errno("memory_op_command_bit_32_is_start_extent", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.MemoryOp, Bit32 | MemoryOp.MaximumRamPage, 0, 0));
        }
    }
}
