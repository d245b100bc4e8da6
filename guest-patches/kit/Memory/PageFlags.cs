namespace Hypervisor.Guest
{
    /// <summary>
    /// x86-64 page-table entry bits and update_va_mapping flags (xen.h UVMF_*) the kit uses.
    /// Kept here until the ABI project describes the MMU interface.
    /// </summary>
    public static class PageFlags
    {
        public const ulong Present = 1UL << 0;
        public const ulong Writable = 1UL << 1;
        public const ulong User = 1UL << 2;
        public const ulong Accessed = 1UL << 5;
        public const ulong Dirty = 1UL << 6;
        public const ulong NoExecute = 1UL << 63;

        /// <summary>The frame part of an entry (bits 12-51).</summary>
        public const ulong FrameMask = 0x000FFFFFFFFFF000UL;

        /// <summary><c>UVMF_NONE</c>: no TLB flush.</summary>
        public const ulong UvmfNone = 0;

        /// <summary><c>UVMF_TLB_FLUSH</c>: flush the whole TLB.</summary>
        public const ulong UvmfTlbFlush = 1;

        /// <summary><c>UVMF_INVLPG</c>: flush the one entry.</summary>
        public const ulong UvmfInvlpg = 2;

        /// <summary><c>UVMF_ALL</c>: on every vCPU (default: this one, <c>UVMF_LOCAL</c>).</summary>
        public const ulong UvmfAll = 4;

        public const ulong PageSize = 4096;
    }
}
