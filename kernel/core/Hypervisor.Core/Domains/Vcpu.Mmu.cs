namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// The vCPU state behind the memory hypercalls that the rest of the core does not need to see.
    /// The GDT itself is in <see cref="GdtFrames"/>, <see cref="GdtFrameCount"/> and
    /// <see cref="GdtEntries"/> (the entry count set_gdt was given).
    /// </summary>
    public sealed partial class Vcpu
    {
        /// <summary>The LDT of MMUEXT_SET_LDT: page-aligned guest-virtual address and entry count (0: none).
        /// Recorded only: the hypervisor loads no LDT yet, so an LDT selector faults in the guest.</summary>
        public ulong LdtBase;
        public uint LdtEntries;

        /// <summary>
        /// The kernel top-level table the CPU may still run on after MMUEXT_NEW_BASEPTR replaced
        /// <see cref="KernelTableFrame"/> (0: none). The arch layer loads the new base only when it
        /// resumes the vCPU, and the hypervisor runs on the guest's tables (its own mappings live in the
        /// hypervisor slots of every L4), so the old L4 keeps its reference and its L4 type until the guest
        /// has run again; see <see cref="Hypercalls.Handlers.MmuextOpHypercall.ReleaseRetiredKernelBase"/>.
        /// Otherwise a batch could switch away from the live L4 and then clear or rewrite it while the CPU
        /// still translates the hypervisor's own addresses through it (Xen switches CR3 at once instead).
        /// </summary>
        public ulong RetiredKernelTableFrame;
    }
}
