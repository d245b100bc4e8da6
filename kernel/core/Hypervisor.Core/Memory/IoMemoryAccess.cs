namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Which domains may map which I/O-memory frames (Xen's iomem capability ranges). The frame
    /// table asks only when a guest maps a frame beyond RAM or owned by <see cref="FrameOwner.Io"/>,
    /// so the virtual call stays off the common path. Without one, nobody may map I/O memory.
    /// </summary>
    public abstract class IoMemoryAccess
    {
        /// <summary>True when <paramref name="domain"/> may map machine frame <paramref name="mfn"/>.</summary>
        public abstract bool IsPermitted(ushort domain, ulong mfn);

        /// <summary>True when the domain has any I/O-memory access at all. Such domains may choose
        /// cache attributes (PWT/PCD/PAT) in their L1 entries, as drivers need for device memory.</summary>
        public abstract bool HasAny(ushort domain);
    }
}
