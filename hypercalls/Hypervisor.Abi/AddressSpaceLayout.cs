namespace Hypervisor.Abi
{
    /// <summary>The hypervisor's fixed part of every 64-bit PV address space
    /// (arch-x86/xen-x86_64.h). The guest may not map anything in [HypervisorVirtStart,
    /// HypervisorVirtEnd); the read-only M2P table sits at its start.</summary>
    public static class AddressSpaceLayout
    {
        /// <summary><c>HYPERVISOR_VIRT_START</c>.</summary>
        public const ulong HypervisorVirtStart = 0xFFFF800000000000;

        /// <summary><c>HYPERVISOR_VIRT_END</c> (exclusive): 16 PML4 slots, 256..271.</summary>
        public const ulong HypervisorVirtEnd = 0xFFFF880000000000;

        /// <summary><c>MACH2PHYS_VIRT_START</c>: the machine-to-phys table (8 bytes per machine frame),
        /// readable by the guest.</summary>
        public const ulong MachToPhysVirtStart = 0xFFFF800000000000;

        /// <summary><c>MACH2PHYS_VIRT_END</c> (exclusive): 256 GiB of table.</summary>
        public const ulong MachToPhysVirtEnd = 0xFFFF804000000000;

        /// <summary><c>MACH2PHYS_NR_ENTRIES</c>: entries the M2P table can hold.</summary>
        public const ulong MachToPhysNrEntries = (MachToPhysVirtEnd - MachToPhysVirtStart) >> 3;

        /// <summary>A CR3 value for a page-table frame (<c>xen_pfn_to_cr3</c>).</summary>
        public static ulong PfnToCr3(ulong pfn) => pfn << 12;

        /// <summary>The frame of a CR3 value (<c>xen_cr3_to_pfn</c>).</summary>
        public static ulong Cr3ToPfn(ulong cr3) => cr3 >> 12;
    }
}
