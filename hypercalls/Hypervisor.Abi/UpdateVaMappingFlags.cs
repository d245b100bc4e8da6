namespace Hypervisor.Abi
{
    /// <summary>TLB-flush flags of update_va_mapping(va, val, flags) and its _otherdomain form
    /// (xen.h UVMF_*). One flush type ORed with one scope; for <see cref="Multi"/> the flags also carry
    /// the address of a vCPU bitmap (its low bits being free because it is aligned).</summary>
    public static class UpdateVaMappingFlags
    {
        /// <summary><c>UVMF_NONE</c>: no flush.</summary>
        public const ulong None = 0;

        /// <summary><c>UVMF_TLB_FLUSH</c>: flush whole TLBs.</summary>
        public const ulong TlbFlush = 1;

        /// <summary><c>UVMF_INVLPG</c>: flush only the changed address.</summary>
        public const ulong Invlpg = 2;

        /// <summary><c>UVMF_FLUSHTYPE_MASK</c>.</summary>
        public const ulong FlushTypeMask = 3;

        /// <summary><c>UVMF_MULTI</c>: flush the vCPUs in the bitmap whose address is ORed in.</summary>
        public const ulong Multi = 0;

        /// <summary><c>UVMF_LOCAL</c>: this vCPU only (Multi with a null bitmap).</summary>
        public const ulong Local = 0;

        /// <summary><c>UVMF_ALL</c>: every vCPU of the domain.</summary>
        public const ulong All = 1ul << 2;
    }
}
