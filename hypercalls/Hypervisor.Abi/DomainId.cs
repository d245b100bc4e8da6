namespace Hypervisor.Abi
{
    /// <summary>Domain ids (xen.h <c>domid_t</c>, 16 bits) and the reserved values at the top of the range.</summary>
    public static class DomainId
    {
        /// <summary><c>DOMID_FIRST_RESERVED</c>: ids from here on never name an ordinary domain.</summary>
        public const ushort FirstReserved = 0x7FF0;

        /// <summary><c>DOMID_SELF</c>: the caller.</summary>
        public const ushort Self = 0x7FF0;

        /// <summary><c>DOMID_IO</c>: as a foreign domain, allow only I/O (non-RAM) mappings.</summary>
        public const ushort Io = 0x7FF1;

        /// <summary><c>DOMID_XEN</c>: as a foreign domain, lets a privileged caller map Xen-owned frames
        /// such as the M2P.</summary>
        public const ushort Xen = 0x7FF2;

        /// <summary><c>DOMID_COW</c>: owner of shared (copy-on-write) pages.</summary>
        public const ushort Cow = 0x7FF3;

        /// <summary><c>DOMID_INVALID</c>: owner unknown, or no domain.</summary>
        public const ushort Invalid = 0x7FF4;

        /// <summary><c>DOMID_IDLE</c>: the idle domain.</summary>
        public const ushort Idle = 0x7FFF;

        /// <summary><c>DOMID_MASK</c>: bits of a valid id.</summary>
        public const ushort Mask = 0x7FFF;
    }
}
