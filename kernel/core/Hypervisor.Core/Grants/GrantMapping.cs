using Hypervisor.Abi;

namespace Hypervisor.Core.Grants
{
    /// <summary>One mapping a domain made of another's grant (its maptrack entry); the index is the
    /// grant handle map_grant_ref returns. <see cref="Flags"/> keeps the GNTMAP_* flags of the map
    /// request, less the halves (host, device) already unmapped.</summary>
    public struct GrantMapping
    {
        public bool InUse;
        public ushort Granter;
        public uint Ref;
        public ulong Frame;
        public uint Flags;

        public bool ReadOnly => (Flags & GrantMapFlags.ReadOnly) != 0;
        /// <summary>A page-table mapping (GNTMAP_host_map) is still in place.</summary>
        public bool HostMap => (Flags & GrantMapFlags.HostMap) != 0;
        /// <summary>The host mapping's address is the machine address of its L1 entry.</summary>
        public bool ContainsPte => (Flags & GrantMapFlags.ContainsPte) != 0;
        /// <summary>A device (bus address) mapping is still held: its references are the mapping's own.</summary>
        public bool DeviceMap => (Flags & GrantMapFlags.DeviceMap) != 0;
    }
}
