using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Invalid arguments other than pointers, one line per hypercall or sub-op, with Xen's errno:
    /// -EINVAL for values out of range, -ENOSYS for unknown sub-commands, -ENOENT for a vCPU the domain
    /// lacks, -ESRCH for a domain that does not exist, -EPERM, -EOPNOTSUPP, -EEXIST; and the odd values
    /// Xen takes without complaint (a trap table longer than the vectors, SET_LDT with no entries, INVLPG
    /// of an address that cannot be mapped). Nothing here changes what the rest of the run depends on: a
    /// request wrongly accepted would only touch a scratch page or the unused vector 0xF0. The cases the
    /// page_tables, memory_op, segments and xen_version suites check are left to them.
    /// </summary>
    internal static unsafe class ArgumentTests
    {
        /// <summary>A writable data page of ours, its frame and machine address.</summary>
        private static byte* s_scratch;
        private static ulong s_scratchMfn;
        private static ulong ScratchMa => s_scratchMfn << 12;

        public static void Run(TestSuite suite)
        {
            s_scratch = GuestMemory.AllocatePages(1);
            s_scratchMfn = MachineFrames.Of(s_scratch);

            TrapTableArguments(suite);
            MmuUpdateArguments(suite);
            GdtArguments(suite);
            DescriptorArguments(suite);
            MemoryOpsArguments(suite);
            XenVersionArguments(suite);
            VcpuOpsArguments(suite);
            MmuextOpsArguments(suite);
            CallbacksArguments(suite);
            PhysdevArguments(suite);
            VmAssistArguments(suite);
            OtherDomainMappingArguments(suite);
        }

        private static void TrapTableArguments(TestSuite suite)
        {
            TrapInfo* table = stackalloc TrapInfo[2];
            table[0] = default;
            table[0].Vector = 0xF0;   // a vector the kit does not use
            table[0].Cs = FlatSelector.KernelCs;
            table[0].Address = BadAddress.NonCanonical;
            table[1] = default;
            suite.Errno("set_trap_table_non_canonical_handler", XenErrno.EINVAL, Hypercalls.SetTrapTable(table));

            // A list longer than the vectors there are is no error: later entries replace earlier ones.
            const int count = 1100;
            TrapInfo* list = (TrapInfo*)GuestMemory.Allocate((ulong)(count + 1) * (ulong)sizeof(TrapInfo));
            for (int i = 0; i < count; i++)
            {
                list[i].Vector = 0xF0;
                list[i].Cs = FlatSelector.KernelCs;
                list[i].Address = (ulong)s_scratch;
            }
            suite.Returns("set_trap_table_long_list", 0, Hypercalls.SetTrapTable(list));
        }

        private static void MmuUpdateArguments(TestSuite suite)
        {
            // Commands 4-7 in the low bits of ptr do not exist.
            MmuUpdate request;
            request.Ptr = ScratchMa | 4;
            request.Val = 0;
            suite.Errno("mmu_update_unknown_command", XenErrno.ENOSYS, Hypercalls.MmuUpdate(&request, 1, null));

            // foreigndom bits 31..16: the page tables' owner plus one.
            request.Ptr = ScratchMa;
            const ulong owner = (0x1234UL + 1) << 16;
            suite.Errno("mmu_update_unknown_page_table_owner", XenErrno.ESRCH,
                Hypercalls.Raw(HypercallNumber.MmuUpdate, (ulong)&request, 1, 0, owner | DomainId.Self, 0));
            // A domain names itself as DOMID_SELF, never by its number.
            suite.Errno("mmu_update_foreign_domain_own_id", XenErrno.ESRCH, Hypercalls.MmuUpdate(&request, 1, null, 0));
            // The M2P has no entry for a frame past the end of RAM.
            request.Ptr = (BadAddress.FrameBeyondRam << 12) | MmuUpdateCommand.MachphysUpdate;
            request.Val = 0;
            suite.Errno("mmu_update_machphys_frame_beyond_ram", XenErrno.EINVAL, Hypercalls.MmuUpdate(&request, 1, null));
        }

        private static void GdtArguments(TestSuite suite)
        {
            ulong* frames = stackalloc ulong[1];
            frames[0] = s_scratchMfn;
            // FIRST_RESERVED_GDT_ENTRY (7168) is the limit: the rest is the hypervisor's.
            suite.Errno("set_gdt_too_many_entries", XenErrno.EINVAL, Hypercalls.Raw(HypercallNumber.SetGdt, (ulong)frames, 7169, 0));
            // A frame mapped writable cannot hold descriptors.
            suite.Errno("set_gdt_writable_frame", XenErrno.EINVAL, Hypercalls.Raw(HypercallNumber.SetGdt, (ulong)frames, 512, 0));
            frames[0] = BadAddress.FrameBeyondRam;
            suite.Errno("set_gdt_frame_beyond_ram", XenErrno.EINVAL, Hypercalls.Raw(HypercallNumber.SetGdt, (ulong)frames, 512, 0));
        }

        private static void DescriptorArguments(TestSuite suite)
        {
            suite.Errno("update_descriptor_misaligned", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.UpdateDescriptor, ScratchMa + 4, 0, 0));
            suite.Errno("update_descriptor_frame_beyond_ram", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.UpdateDescriptor, BadAddress.FrameBeyondRam << 12, 0, 0));
            // Slot 0 of the L4 (nothing mapped there): a page table cannot take a descriptor.
            ulong l4 = MachineFrames.MachineAddressOf(StartOfDay.StartInfo->PtBase);
            suite.Errno("update_descriptor_page_table_frame", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.UpdateDescriptor, l4, 0, 0));
            // A present 64-bit TSS descriptor: only code, data and call gates may be written.
            const ulong tss = 0x0000890000000000UL;
            suite.Errno("update_descriptor_system_descriptor", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.UpdateDescriptor, ScratchMa, tss, 0));
            // A call gate to the flat kernel CS is taken, but not with its reserved low bits set.
            const ulong gate = ((0x8000UL | (3UL << 13) | (0xCUL << 8) | 0x1F) << 32) | ((ulong)FlatSelector.KernelCs << 16);
            suite.Errno("update_descriptor_call_gate_reserved_bits", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.UpdateDescriptor, ScratchMa, gate, 0));
        }

        private static void MemoryOpsArguments(TestSuite suite)
        {
            // DOMID_IO owns frames but is no domain with a reservation.
            XenMemoryDomain io = default;
            io.DomId = DomainId.Io;
            suite.Errno("memory_op_current_reservation_domid_io", XenErrno.ESRCH,
                Hypercalls.MemoryOp(MemoryOp.CurrentReservation, &io));
            const ulong startExtent = 1UL << MemoryOp.ExtentShift;
            XenMemoryDomain domain = default;
            domain.DomId = DomainId.Self;
            suite.Errno("memory_op_maximum_reservation_with_start_extent", XenErrno.EINVAL,
                Hypercalls.Raw(HypercallNumber.MemoryOp, startExtent | MemoryOp.MaximumReservation, (ulong)&domain, 0));
            XenMachphysMapping mapping = default;
            suite.Errno("memory_op_machphys_mapping_with_start_extent", XenErrno.ENOSYS,
                Hypercalls.Raw(HypercallNumber.MemoryOp, startExtent | MemoryOp.MachphysMapping, (ulong)&mapping, 0));
            XenMachphysMfnList list = default;
            list.MaxExtents = 1;
            list.ExtentStart = (ulong)s_scratch;
            suite.Errno("memory_op_machphys_compat_mfn_list", XenErrno.EOPNOTSUPP,
                Hypercalls.MemoryOp(MemoryOp.MachphysCompatMfnList, &list));
            // No extents asked for: the extent pointer is never used.
            list.MaxExtents = 0;
            list.ExtentStart = BadAddress.Unmapped;
            suite.Returns("memory_op_machphys_mfn_list_no_extents_pointer_unused", 0,
                Hypercalls.MemoryOp(MemoryOp.MachphysMfnList, &list));
        }

        private static void XenVersionArguments(TestSuite suite)
        {
            // The buffer is read before the build id is looked for: a zero length is refused whether or
            // not the hypervisor has one.
            XenBuildId* buildId = (XenBuildId*)GuestMemory.Allocate(64);
            buildId->Len = 0;
            suite.Errno("xen_version_build_id_zero_length", XenErrno.EINVAL, Hypercalls.XenVersion(XenVersionCommand.BuildId, buildId));
        }

        private static void VcpuOpsArguments(TestSuite suite)
        {
            // dom0 has a vCPU per CPU of the machine (the harness gives it two): 63 is beyond any.
            const uint missingVcpu = 63;
            suite.Errno("vcpu_op_is_up_missing_vcpu", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.IsUp, missingVcpu, null));
            VcpuRunstateInfo info;
            suite.Errno("vcpu_op_get_runstate_info_vcpu_all_ones", XenErrno.ENOENT,
                Hypercalls.VcpuOp(VcpuOp.GetRunstateInfo, 0xFFFFFFFFu, &info));
            suite.Errno("vcpu_op_unknown_command", XenErrno.ENOSYS, Hypercalls.VcpuOp(99, 0, null));
            suite.Errno("vcpu_op_unknown_command_missing_vcpu", XenErrno.ENOENT, Hypercalls.VcpuOp(99, missingVcpu, null));

            // A readable context for the vCPU that is running.
            byte* context = GuestMemory.Allocate((ulong)sizeof(VcpuGuestContext));
            suite.Errno("vcpu_op_initialise_running_vcpu", XenErrno.EEXIST, Hypercalls.VcpuOp(VcpuOp.Initialise, 0, context));

            VcpuRegisterVcpuInfo request = default;
            request.Mfn = BadAddress.FrameBeyondRam;
            request.Offset = 0;
            suite.Errno("vcpu_op_register_vcpu_info_frame_beyond_ram", XenErrno.EINVAL,
                Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 0, &request));
            request.Mfn = MachineFrames.Of(StartOfDay.StartInfo->PtBase);
            suite.Errno("vcpu_op_register_vcpu_info_page_table_frame", XenErrno.EINVAL,
                Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 0, &request));
            // Where the 64-byte vcpu_info cannot go: off the end of the page, or not 8-aligned.
            request.Mfn = s_scratchMfn;
            request.Offset = 4096 - 56;
            suite.Errno("vcpu_op_register_vcpu_info_past_page_end", XenErrno.ENXIO,
                Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 0, &request));
            request.Offset = 4;
            suite.Errno("vcpu_op_register_vcpu_info_misaligned", XenErrno.ENXIO,
                Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 0, &request));
        }

        private static long Ext(uint command, ulong arg1, ulong arg2) => Ext(command, arg1, arg2, DomainId.Self);

        private static long Ext(uint command, ulong arg1, ulong arg2, ushort foreignDomain)
        {
            MmuextOp op = default;
            op.Cmd = command;
            op.Mfn = arg1;
            op.SrcMfn = arg2;
            return Hypercalls.MmuextOp(&op, 1, null, foreignDomain);
        }

        private static void MmuextOpsArguments(TestSuite suite)
        {
            // Only pins, unpins, clear and copy act on a foreign owner's frames; the rest need DOMID_SELF.
            suite.Errno("mmuext_op_tlb_flush_local_foreign_owner", XenErrno.EPERM, Ext(MmuextCommand.TlbFlushLocal, 0, 0, DomainId.Io));
            suite.Errno("mmuext_op_foreign_domain_own_id", XenErrno.ESRCH, Ext(MmuextCommand.TlbFlushLocal, 0, 0, 0));
            suite.Errno("mmuext_op_unmark_super", XenErrno.EOPNOTSUPP, Ext(MmuextCommand.UnmarkSuper, s_scratchMfn, 0));
            suite.Errno("mmuext_op_set_ldt_too_many_entries", XenErrno.EINVAL, Ext(MmuextCommand.SetLdt, (ulong)s_scratch, 8193));
            suite.Errno("mmuext_op_set_ldt_hypervisor_area", XenErrno.EINVAL, Ext(MmuextCommand.SetLdt, BadAddress.HypervisorArea, 1));
            suite.Errno("mmuext_op_set_ldt_non_canonical", XenErrno.EINVAL, Ext(MmuextCommand.SetLdt, BadAddress.NonCanonical, 1));
            // With no entries the address is not looked at (the LDT is just dropped).
            suite.Returns("mmuext_op_set_ldt_no_entries_address_unused", 0, Ext(MmuextCommand.SetLdt, BadAddress.NonCanonical, 0));
            // An address that cannot be in the TLB is skipped, not refused.
            suite.Returns("mmuext_op_invlpg_local_non_canonical_ignored", 0, Ext(MmuextCommand.InvlpgLocal, BadAddress.NonCanonical, 0));
            suite.Returns("mmuext_op_invlpg_all_hypervisor_area_ignored", 0, Ext(MmuextCommand.InvlpgAll, BadAddress.HypervisorArea, 0));
            suite.Errno("mmuext_op_unpin_frame_beyond_ram", XenErrno.EINVAL, Ext(MmuextCommand.UnpinTable, BadAddress.FrameBeyondRam, 0));
            suite.Errno("mmuext_op_new_user_baseptr_data_page", XenErrno.EINVAL, Ext(MmuextCommand.NewUserBaseptr, s_scratchMfn, 0));
            suite.Errno("mmuext_op_clear_page_frame_beyond_ram", XenErrno.EINVAL, Ext(MmuextCommand.ClearPage, BadAddress.FrameBeyondRam, 0));
            suite.Errno("mmuext_op_copy_page_source_beyond_ram", XenErrno.EINVAL,
                Ext(MmuextCommand.CopyPage, s_scratchMfn, BadAddress.FrameBeyondRam));
            // A vCPU bitmap that cannot be read is an invalid argument here, not a fault.
            suite.Errno("mmuext_op_tlb_flush_multi_bitmap_unmapped", XenErrno.EINVAL, Ext(MmuextCommand.TlbFlushMulti, 0, BadAddress.Unmapped));
            suite.Errno("mmuext_op_invlpg_multi_bitmap_hypervisor_area", XenErrno.EINVAL,
                Ext(MmuextCommand.InvlpgMulti, (ulong)s_scratch, BadAddress.HypervisorArea));
        }

        private static void CallbacksArguments(TestSuite suite)
        {
            suite.Errno("callback_op_register_non_canonical", XenErrno.EINVAL,
                Hypercalls.RegisterCallback(CallbackType.Event, 0, BadAddress.NonCanonical));
            // 6 was never assigned; 3 is the old 32-bit sysenter, unknown to a 64-bit hypervisor.
            suite.Errno("callback_op_register_unassigned_type_6", XenErrno.ENOSYS, Hypercalls.RegisterCallback(6, 0, (ulong)s_scratch));
            suite.Errno("callback_op_register_deprecated_sysenter", XenErrno.ENOSYS,
                Hypercalls.RegisterCallback(CallbackType.SysenterDeprecated, 0, (ulong)s_scratch));
            suite.Errno("callback_op_unregister_event", XenErrno.EINVAL, Hypercalls.UnregisterCallback(CallbackType.Event));
            suite.Errno("callback_op_unregister_unknown_type", XenErrno.ENOSYS, Hypercalls.UnregisterCallback(99));
            CallbackRegister callback = default;
            suite.Errno("callback_op_unknown_command", XenErrno.ENOSYS, Hypercalls.CallbackOp(2, &callback));
            // The old form skips what it cannot take and always succeeds.
            suite.Returns("set_callbacks_non_canonical", 0,
                Hypercalls.SetCallbacks(BadAddress.NonCanonical, BadAddress.NonCanonical, BadAddress.NonCanonical));
        }

        private static long PhysdevCall(int command, void* argument)
            => Hypercalls.Raw(HypercallNumber.PhysdevOp, (ulong)(uint)command, (ulong)argument, 0);

        private static void PhysdevArguments(TestSuite suite)
        {
            PhysdevSetIopl iopl;
            iopl.Iopl = 4;
            suite.Errno("physdev_op_set_iopl_4", XenErrno.EINVAL, PhysdevCall(PhysdevOp.SetIopl, &iopl));
            PhysdevSetIobitmap bitmap = default;
            bitmap.Bitmap = BadAddress.HypervisorArea;
            bitmap.NrPorts = 16;
            suite.Errno("physdev_op_set_iobitmap_hypervisor_area", XenErrno.EINVAL, PhysdevCall(PhysdevOp.SetIobitmap, &bitmap));
            bitmap.Bitmap = (ulong)s_scratch;
            bitmap.NrPorts = 65537;
            suite.Errno("physdev_op_set_iobitmap_too_many_ports", XenErrno.EINVAL, PhysdevCall(PhysdevOp.SetIobitmap, &bitmap));
            suite.Errno("physdev_op_unknown_command", XenErrno.ENOSYS, PhysdevCall(99, s_scratch));
        }

        private static void VmAssistArguments(TestSuite suite)
        {
            suite.Errno("vm_assist_unknown_type", XenErrno.EINVAL, Hypercalls.VmAssist(VmAssistCommand.Enable, 6));
            suite.Errno("vm_assist_type_64", XenErrno.EINVAL, Hypercalls.VmAssist(VmAssistCommand.Enable, 64));
            suite.Errno("vm_assist_unknown_command", XenErrno.ENOSYS, Hypercalls.VmAssist(2, VmAssistType.WritablePagetables));
        }

        // The scratch page's own entry again, were the domain accepted.
        private static void OtherDomainMappingArguments(TestSuite suite)
        {
            ulong entry = Mmu.Entry(s_scratchMfn, true);
            suite.Errno("update_va_mapping_otherdomain_unknown_domain", XenErrno.ESRCH,
                Hypercalls.UpdateVaMappingOtherDomain((ulong)s_scratch, entry, PageFlags.UvmfInvlpg, 0x1234));
            // A domain may not name itself by number (only as DOMID_SELF).
            suite.Errno("update_va_mapping_otherdomain_own_id", XenErrno.ESRCH,
                Hypercalls.UpdateVaMappingOtherDomain((ulong)s_scratch, entry, PageFlags.UvmfInvlpg, 0));
        }
    }
}
