using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// -EFAULT for a pointer the hypervisor cannot use, one line per hypercall or sub-op that takes one
    /// (what other suites already cover is left to them: console_io writes, xen_version's extraversion,
    /// capabilities, platform_parameters and get_features, multicall's unmapped and non-canonical lists,
    /// memory_op's current_reservation, memory_map, machphys_mapping and machphys_mfn_list at 0x1000).
    /// The top-level pointers are tried with all three kinds of <see cref="BadAddress"/>, sub-ops with one.
    /// An unwritable done_out of mmu_update or mmuext_op is not an error: Xen ignores that copy.
    /// </summary>
    internal static unsafe class PointerTests
    {
        public static void Run(TestSuite suite)
        {
            Three(suite, "set_trap_table_unmapped", "set_trap_table_non_canonical", "set_trap_table_hypervisor_area", &SetTrapTableAt);
            Three(suite, "mmu_update_unmapped", "mmu_update_non_canonical", "mmu_update_hypervisor_area", &MmuUpdateAt);
            Three(suite, "set_gdt_unmapped", "set_gdt_non_canonical", "set_gdt_hypervisor_area", &SetGdtAt);
            Three(suite, "mmuext_op_unmapped", "mmuext_op_non_canonical", "mmuext_op_hypervisor_area", &MmuextOpAt);
            DoneOut(suite);
            MemoryOpPointers(suite);
            MulticallPointers(suite);
            XenVersionPointers(suite);
            suite.Errno("console_io_write_hypervisor_area", XenErrno.EFAULT, Hypercalls.ConsoleWrite((byte*)BadAddress.HypervisorArea, 16));
            VcpuOpPointers(suite);
            CallbackOpPointers(suite);
            PhysdevOpPointers(suite);
            UpdateVaMappingPointers(suite);
        }

        /// <summary>sched_op shutdown and shutdown_code: run last, since a shutdown that went through
        /// would end the run.</summary>
        public static void RunShutdown(TestSuite suite)
        {
            suite.Errno("sched_op_shutdown_unmapped", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.Shutdown, (void*)BadAddress.Unmapped));
            suite.Errno("sched_op_shutdown_hypervisor_area", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.Shutdown, (void*)BadAddress.HypervisorArea));
            suite.Errno("sched_op_shutdown_code_non_canonical", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.ShutdownCode, (void*)BadAddress.NonCanonical));
        }

        private static void Three(TestSuite suite, string unmapped, string nonCanonical, string hypervisorArea, delegate*<ulong, long> call)
        {
            suite.Errno(unmapped, XenErrno.EFAULT, call(BadAddress.Unmapped));
            suite.Errno(nonCanonical, XenErrno.EFAULT, call(BadAddress.NonCanonical));
            suite.Errno(hypervisorArea, XenErrno.EFAULT, call(BadAddress.HypervisorArea));
        }

        private static long SetTrapTableAt(ulong table) => Hypercalls.SetTrapTable((TrapInfo*)table);

        private static long MmuUpdateAt(ulong requests) => Hypercalls.MmuUpdate((MmuUpdate*)requests, 1, null);

        // 512 entries: one frame number to read.
        private static long SetGdtAt(ulong frames) => Hypercalls.Raw(HypercallNumber.SetGdt, frames, 512, 0);

        private static long MmuextOpAt(ulong ops) => Hypercalls.MmuextOp((MmuextOp*)ops, 1, null);

        private static void DoneOut(TestSuite suite)
        {
            MmuUpdate request = default;
            suite.Returns("mmu_update_done_unwritable_ignored", 0,
                Hypercalls.MmuUpdate(&request, 0, (uint*)BadAddress.Unmapped));
            MmuextOp op = default;
            suite.Returns("mmuext_op_done_unwritable_ignored", 0,
                Hypercalls.MmuextOp(&op, 0, (uint*)BadAddress.HypervisorArea));
        }

        private static void MemoryOpPointers(TestSuite suite)
        {
            suite.Errno("memory_op_current_reservation_non_canonical", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.CurrentReservation, (void*)BadAddress.NonCanonical));
            suite.Errno("memory_op_maximum_reservation_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.MaximumReservation, (void*)BadAddress.HypervisorArea));
            suite.Errno("memory_op_memory_map_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.MemoryMap, (void*)BadAddress.HypervisorArea));
            suite.Errno("memory_op_machine_memory_map_unmapped", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.MachineMemoryMap, (void*)BadAddress.Unmapped));

            // Room for every entry, in memory that cannot take them.
            XenMemoryMap map = default;
            map.NrEntries = 128;
            map.Buffer = BadAddress.Unmapped;
            suite.Errno("memory_op_machine_memory_map_buffer_unmapped", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.MachineMemoryMap, &map));
            map.NrEntries = 128;
            map.Buffer = BadAddress.HypervisorArea;
            suite.Errno("memory_op_machine_memory_map_buffer_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.MachineMemoryMap, &map));

            // The M2P is readable by the guest, never writable.
            suite.Errno("memory_op_machphys_mapping_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.MachphysMapping, (void*)BadAddress.HypervisorArea));

            XenMachphysMfnList list = default;
            list.MaxExtents = 1;
            list.ExtentStart = BadAddress.Unmapped;
            suite.Errno("memory_op_machphys_mfn_list_extents_unmapped", XenErrno.EFAULT,
                Hypercalls.MemoryOp(MemoryOp.MachphysMfnList, &list));
        }

        private static void MulticallPointers(TestSuite suite)
        {
            suite.Errno("multicall_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.Multicall((MulticallEntry*)BadAddress.HypervisorArea, 1));

            // An entry that can be read but whose result cannot be written back fails the batch.
            MulticallEntry* entry = (MulticallEntry*)GuestMemory.AllocatePages(1);
            entry->Op = HypercallNumber.XenVersion;
            entry->Args[0] = XenVersionCommand.Version;
            entry->Result = 0x5A5A;
            long rc = Mmu.Protect((ulong)entry, false);
            if (rc != 0)
            {
                suite.Skip("multicall_result_unwritable", "the entry's page could not be made read-only");
                return;
            }
            rc = Hypercalls.Multicall(entry, 1);
            ulong result = entry->Result;
            Mmu.Protect((ulong)entry, true);
            suite.Result("multicall_result_unwritable", rc == -XenErrno.EFAULT && result == 0x5A5A)
                .Text(" returned ").Result(rc).Text(", the entry's result ").Text(result == 0x5A5A ? "untouched" : "changed")
                .Text(" (expected -14 (EFAULT), untouched)").End();
        }

        private static void XenVersionPointers(TestSuite suite)
        {
            suite.Errno("xen_version_compile_info_unmapped", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.CompileInfo, (void*)BadAddress.Unmapped));
            suite.Errno("xen_version_changeset_non_canonical", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.Changeset, (void*)BadAddress.NonCanonical));
            suite.Errno("xen_version_guest_handle_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.GuestHandle, (void*)BadAddress.HypervisorArea));
            suite.Errno("xen_version_commandline_unmapped", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.Commandline, (void*)BadAddress.Unmapped));
            suite.Errno("xen_version_get_features_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.GetFeatures, (void*)BadAddress.HypervisorArea));
            suite.Errno("xen_version_build_id_unmapped", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.BuildId, (void*)BadAddress.Unmapped));
        }

        private static void VcpuOpPointers(TestSuite suite)
        {
            suite.Errno("vcpu_op_initialise_unmapped", XenErrno.EFAULT,
                Hypercalls.VcpuOp(VcpuOp.Initialise, 0, (void*)BadAddress.Unmapped));
            suite.Errno("vcpu_op_get_runstate_info_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.VcpuOp(VcpuOp.GetRunstateInfo, 0, (void*)BadAddress.HypervisorArea));
            suite.Errno("vcpu_op_register_runstate_memory_area_non_canonical", XenErrno.EFAULT,
                Hypercalls.VcpuOp(VcpuOp.RegisterRunstateMemoryArea, 0, (void*)BadAddress.NonCanonical));
            // A readable request naming an area in the hypervisor's range.
            VcpuRegisterRunstateMemoryArea area = default;
            area.Addr = BadAddress.HypervisorArea;
            suite.Errno("vcpu_op_register_runstate_memory_area_area_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.VcpuOp(VcpuOp.RegisterRunstateMemoryArea, 0, &area));
            suite.Errno("vcpu_op_register_vcpu_info_unmapped", XenErrno.EFAULT,
                Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 0, (void*)BadAddress.Unmapped));
        }

        private static void CallbackOpPointers(TestSuite suite)
        {
            suite.Errno("callback_op_register_unmapped", XenErrno.EFAULT,
                Hypercalls.CallbackOp(CallbackOp.Register, (void*)BadAddress.Unmapped));
            suite.Errno("callback_op_unregister_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.CallbackOp(CallbackOp.Unregister, (void*)BadAddress.HypervisorArea));
        }

        private static void PhysdevOpPointers(TestSuite suite)
        {
            suite.Errno("physdev_op_set_iopl_unmapped", XenErrno.EFAULT,
                Hypercalls.Raw(HypercallNumber.PhysdevOp, (ulong)PhysdevOp.SetIopl, BadAddress.Unmapped, 0));
            suite.Errno("physdev_op_set_iobitmap_non_canonical", XenErrno.EFAULT,
                Hypercalls.Raw(HypercallNumber.PhysdevOp, (ulong)PhysdevOp.SetIobitmap, BadAddress.NonCanonical, 0));
        }

        // UVMF_MULTI: the address of a vCPU bitmap in the flags. The update itself is a no-op (the page's
        // own entry again); the bitmap is read after it.
        private static void UpdateVaMappingPointers(TestSuite suite)
        {
            byte* page = GuestMemory.AllocatePages(1);
            ulong entry = Mmu.Entry(MachineFrames.Of(page), true);
            suite.Errno("update_va_mapping_multi_bitmap_unmapped", XenErrno.EFAULT,
                Hypercalls.UpdateVaMapping((ulong)page, entry, BadAddress.Unmapped | PageFlags.UvmfTlbFlush));
        }
    }
}
