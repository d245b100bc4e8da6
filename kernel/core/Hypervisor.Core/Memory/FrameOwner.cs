namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Owners a frame can have besides a guest domain. The values are Xen's reserved domain ids
    /// (public/xen.h), so they can never collide with a real domain (ids below 0x7FF0).
    /// </summary>
    public static class FrameOwner
    {
        /// <summary>Highest id a real domain can have, plus one (<c>DOMID_FIRST_RESERVED</c>).</summary>
        public const ushort FirstReserved = 0x7FF0;

        /// <summary><c>DOMID_IO</c>: memory-mapped I/O and other non-RAM frames. Mapping them needs
        /// I/O-memory permission and takes no reference (there is nothing to free).</summary>
        public const ushort Io = 0x7FF1;

        /// <summary><c>DOMID_XEN</c>: the hypervisor's own frames. Guests may reference only those
        /// shared with them (read-only), such as the machine-to-phys table.</summary>
        public const ushort Hypervisor = 0x7FF2;

        /// <summary><c>DOMID_INVALID</c>: nobody; the frame is not given to any domain.</summary>
        public const ushort Free = 0x7FF4;

        /// <summary>True for ids that name a guest domain.</summary>
        public static bool IsDomain(ushort owner)
        {
            return owner < FirstReserved;
        }
    }
}
