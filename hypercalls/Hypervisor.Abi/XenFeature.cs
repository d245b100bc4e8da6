namespace Hypervisor.Abi
{
    /// <summary>Feature bit numbers (features.h XENFEAT_*), reported by
    /// <see cref="XenVersionCommand.GetFeatures"/> 32 to a submap and claimed by a kernel through its
    /// features ELF notes.</summary>
    public static class XenFeature
    {
        /// <summary><c>XENFEAT_writable_page_tables</c>: the guest may write its page tables directly
        /// instead of keeping them read-only.</summary>
        public const int WritablePageTables = 0;

        /// <summary><c>XENFEAT_writable_descriptor_tables</c>: likewise for GDT and LDT pages.</summary>
        public const int WritableDescriptorTables = 1;

        /// <summary><c>XENFEAT_auto_translated_physmap</c>: Xen translates guest-physical to machine
        /// addresses itself (HVM/PVH); a PV guest does not have it.</summary>
        public const int AutoTranslatedPhysmap = 2;

        /// <summary><c>XENFEAT_supervisor_mode_kernel</c>: the kernel runs in ring 0.</summary>
        public const int SupervisorModeKernel = 3;

        /// <summary><c>XENFEAT_pae_pgdir_above_4gb</c>: PAE page directories may live above 4 GiB.</summary>
        public const int PaePgdirAbove4gb = 4;

        /// <summary><c>XENFEAT_mmu_pt_update_preserve_ad</c>: MMU_PT_UPDATE_PRESERVE_AD is available.</summary>
        public const int MmuPtUpdatePreserveAd = 5;

        /// <summary><c>XENFEAT_highmem_assist</c>: MMUEXT_CLEAR_PAGE and MMUEXT_COPY_PAGE are available.</summary>
        public const int HighmemAssist = 6;

        /// <summary><c>XENFEAT_gnttab_map_avail_bits</c>: grant mappings honour the GNTMAP "available
        /// bits" for guest use.</summary>
        public const int GnttabMapAvailBits = 7;

        /// <summary><c>XENFEAT_hvm_callback_vector</c>: HVM guests may take events on an IDT vector.</summary>
        public const int HvmCallbackVector = 8;

        /// <summary><c>XENFEAT_hvm_safe_pvclock</c>: the PV clock is safe to use in HVM guests.</summary>
        public const int HvmSafePvclock = 9;

        /// <summary><c>XENFEAT_hvm_pirqs</c>: HVM guests may use PIRQs.</summary>
        public const int HvmPirqs = 10;

        /// <summary><c>XENFEAT_dom0</c>: the kernel can run as the initial domain (required in the
        /// bitmap note to be booted as dom0).</summary>
        public const int Dom0 = 11;

        /// <summary><c>XENFEAT_grant_map_identity</c>: deprecated (commented out in the header); the
        /// number stays taken.</summary>
        public const int GrantMapIdentity = 12;

        /// <summary><c>XENFEAT_memory_op_vnode_supported</c>: memory_op accepts a virtual NUMA node.</summary>
        public const int MemoryOpVnodeSupported = 13;

        /// <summary><c>XENFEAT_ARM_SMCCC_supported</c>: Arm only.</summary>
        public const int ArmSmcccSupported = 14;

        /// <summary><c>XENFEAT_linux_rsdp_unrestricted</c>: PVH only; the ACPI RSDP may be anywhere.</summary>
        public const int LinuxRsdpUnrestricted = 15;

        /// <summary><c>XENFEAT_not_direct_mapped</c>: the domain's gfn differ from its mfn.</summary>
        public const int NotDirectMapped = 16;

        /// <summary><c>XENFEAT_direct_mapped</c>: the domain's gfn equal its mfn (a PV guest's frame
        /// numbers are machine frames, so Xen 4.17 reports this bit for PV).</summary>
        public const int DirectMapped = 17;

        /// <summary><c>XENFEAT_NR_SUBMAPS</c>: number of 32-bit submaps.</summary>
        public const int NrSubmaps = 1;
    }
}
