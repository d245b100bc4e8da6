namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>Why a domain could not be built (besides a bad kernel image, which
    /// <see cref="KernelImageProblem"/> describes).</summary>
    public enum BuildProblem
    {
        None,
        BadKernelImage,
        /// <summary>The memory asked for does not hold the kernel and its start-of-day data.</summary>
        MemoryTooSmall,
        /// <summary>The hypervisor has fewer free frames than the domain was given.</summary>
        OutOfMemory,
        /// <summary>The bootstrap region would cross into the hypervisor's range or wrap, or the P2M list
        /// at the kernel's INIT_P2M address would (or would overlap the region, which Xen refuses too).</summary>
        LayoutOutOfRange,
        /// <summary>The frame table refused the bootstrap page tables (a builder bug).</summary>
        PageTablesRefused,
        /// <summary>A domain with the requested id exists already, or the id is beyond the list (the value is the id).</summary>
        DomainIdInUse,
    }
}
