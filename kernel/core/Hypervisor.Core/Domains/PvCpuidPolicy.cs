using Hypervisor.Core.Hypercalls.Handlers;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// What CPUID tells a PV guest: the host's answers with the features a ring-3 kernel cannot use
    /// (or that this hypervisor does not virtualize) hidden, the hypervisor bit set, and Xen's
    /// leaves at 0x40000000 (signature "XenVMMXenVMM", version, hypercall-page information) so the
    /// guest can tell it runs on a Xen-ABI hypervisor.
    /// </summary>
    public static class PvCpuidPolicy
    {
        public const uint XenLeafBase = 0x40000000;
        private const uint XenLeafLast = 0x40000002;

        // Leaf 1 ECX: MONITOR, DS-CPL, VMX, SMX, EST, TM2, SDBG, DCA, x2APIC, TSC-deadline, OSXSAVE
        // (the guest cannot set CR4).
        private const uint HiddenLeaf1Ecx = (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8)
                                           | (1u << 11) | (1u << 18) | (1u << 21) | (1u << 24) | (1u << 27);
        private const uint HypervisorBit = 1u << 31;
        // Leaf 1 EDX: VME, DE, PSE, MCE, MTRR, PGE, MCA, PSE36, DS, ACPI, TM, PBE.
        private const uint HiddenLeaf1Edx = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 7) | (1u << 12) | (1u << 13)
                                           | (1u << 14) | (1u << 17) | (1u << 21) | (1u << 22) | (1u << 29) | (1u << 31);
        // Leaf 7 EBX: FSGSBASE (the guest cannot set CR4.FSGSBASE here: the core does not load a
        // guest's CR4 bits, so RDFSBASE and friends would fault), TSC_ADJUST, SMEP, INVPCID, SMAP
        // (supervisor-only features); ECX: UMIP, PKU.
        private const uint HiddenLeaf7Ebx = (1u << 0) | (1u << 1) | (1u << 7) | (1u << 10) | (1u << 20);
        private const uint HiddenLeaf7Ecx = (1u << 2) | (1u << 3) | (1u << 4);
        // Leaf 0x80000001 EDX: the copies of leaf 1's hidden bits that AMD keeps there (VME, DE, PSE,
        // MCE, MTRR, PGE, MCA, PSE36), and 1 GiB pages, which a PV guest cannot map (Xen offers them to
        // HVM guests only; Linux would otherwise set up hugetlb for them).
        private const uint HiddenExtendedEdx = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 7) | (1u << 12) | (1u << 13)
                                              | (1u << 14) | (1u << 17) | (1u << 26);
        // Leaf 0x80000001 ECX: what Xen gives no PV guest: SVM, extended APIC space, CR8 in 32-bit mode,
        // OS-visible workarounds, IBS, SKINIT, the watchdog, LWP, the node-id MSR, topology extensions,
        // the core, northbridge and last-level-cache performance counters, MONITORX.
        private const uint HiddenExtendedEcx = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 9) | (1u << 10) | (1u << 12)
                                              | (1u << 13) | (1u << 15) | (1u << 19) | (1u << 22) | (1u << 23) | (1u << 24)
                                              | (1u << 28) | (1u << 29);

        public static void Execute(Vcpu vcpu, uint leaf, uint subleaf, out uint eax, out uint ebx, out uint ecx, out uint edx)
        {
            if (leaf >= XenLeafBase && leaf <= XenLeafBase + 0xFF)
            {
                XenLeaf(leaf, out eax, out ebx, out ecx, out edx);
                return;
            }
            vcpu.Domain.Host.Platform.Cpuid(leaf, subleaf, out eax, out ebx, out ecx, out edx);
            switch (leaf)
            {
                case 1:
                    ecx = (ecx & ~HiddenLeaf1Ecx) | HypervisorBit;
                    edx &= ~HiddenLeaf1Edx;
                    ebx &= 0x0000FFFF | 0x00FF0000;   // no initial APIC ID: the vCPU has none
                    break;
                case 7:
                    if (subleaf == 0)
                    {
                        ebx &= ~HiddenLeaf7Ebx;
                        ecx &= ~HiddenLeaf7Ecx;
                    }
                    break;
                case 0x80000001:
                    ecx &= ~HiddenExtendedEcx;
                    edx &= ~HiddenExtendedEdx;
                    break;
            }
        }

        private static void XenLeaf(uint leaf, out uint eax, out uint ebx, out uint ecx, out uint edx)
        {
            eax = ebx = ecx = edx = 0;
            switch (leaf - XenLeafBase)
            {
                case 0:
                    eax = XenLeafLast;
                    ebx = 0x566E6558;   // "XenV"
                    ecx = 0x65584D4D;   // "MMXe"
                    edx = 0x4D4D566E;   // "nVMM"
                    break;
                case 1:
                    eax = (XenVersionHypercall.Major << 16) | XenVersionHypercall.Minor;
                    break;
                case 2:
                    eax = 1;            // hypercall pages
                    ebx = XenLeafBase;  // MSR that would place them (not offered to PV guests, which use the ELF note)
                    break;
            }
        }
    }
}
