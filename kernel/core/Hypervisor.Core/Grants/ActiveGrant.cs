namespace Hypervisor.Core.Grants
{
    /// <summary>
    /// The hypervisor's own record of one grant entry while it is in use (Xen's active entry): how many
    /// mappings of each kind hold it (<see cref="Pin"/>: one byte per kind), and the grantee and frame
    /// it was checked for when the first of them pinned it. While pinned, further mappings and copies
    /// work from this record, not from the shared entry the granter may rewrite at any time.
    /// </summary>
    public struct ActiveGrant
    {
        public const uint HostRead = 1u << 0;
        public const uint HostWrite = 1u << 8;
        public const uint DeviceRead = 1u << 16;
        public const uint DeviceWrite = 1u << 24;

        /// <summary>The writable kinds' counts.</summary>
        public const uint WriterMask = 0xFF00FF00u;

        /// <summary>A count that reached 128: one more pin of that kind is refused (Xen's limit).</summary>
        public const uint OverflowMask = 0x80808080u;

        public uint Pin;
        public ushort Grantee;
        public ulong Frame;

        public bool HasWriters => (Pin & WriterMask) != 0;

        /// <summary>The pin one mapping of these kinds adds.</summary>
        public static uint Increment(bool host, bool device, bool readOnly)
        {
            uint pin = 0;
            if (device)
                pin += readOnly ? DeviceRead : DeviceWrite;
            if (host)
                pin += readOnly ? HostRead : HostWrite;
            return pin;
        }
    }
}
