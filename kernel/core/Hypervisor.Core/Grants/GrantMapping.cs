namespace Hypervisor.Core.Grants
{
    /// <summary>One mapping a domain made of another's grant (its maptrack entry); the index is the
    /// grant handle map_grant_ref returns.</summary>
    public struct GrantMapping
    {
        public bool InUse;
        public ushort Granter;
        public uint Ref;
        public ulong Frame;
        public bool ReadOnly;
        /// <summary>A page-table mapping at <see cref="HostAddress"/> (GNTMAP_host_map) is still in place.</summary>
        public bool HostMap;
        public ulong HostAddress;
        /// <summary>A device (bus address) mapping is still held: its references are the mapping's own.</summary>
        public bool DeviceMap;
    }
}
