using System.Runtime.InteropServices;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the peer (the second domain) writes into its report page for dom0 to read through a foreign
    /// mapping: a value per <see cref="PeerCheck"/>, then the count, then the magic last; and a counter of
    /// the wake-ups it handled (each ends with an event to dom0).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 4096)]
    internal unsafe struct PeerReport
    {
        /// <summary>"PEERDONE" as a little-endian number.</summary>
        public const ulong MagicValue = 0x454E4F4452454550UL;
        public const int MaxValues = 64;

        [FieldOffset(0)] public ulong Magic;
        [FieldOffset(8)] public uint Count;
        /// <summary>Wake-ups handled after the report (each ran for a while, then sent an event).</summary>
        [FieldOffset(12)] public uint Acks;
        [FieldOffset(16)] public fixed long Values[MaxValues];
    }

    /// <summary>The peer's checks, by index into <see cref="PeerReport.Values"/>.</summary>
    internal static class PeerCheck
    {
        /// <summary>bind_interdomain to dom0's port: the local port or an errno.</summary>
        public const int LocalPort = 0;
        public const int NrPages = 1;
        public const int StartFlags = 2;
        public const int EntryRsp = 3;
        public const int EntryRsi = 4;
        public const int EntryCs = 5;
        public const int EntrySs = 6;
        /// <summary>XENMEM_current_reservation of DOMID_SELF.</summary>
        public const int CurrentReservation = 7;
        /// <summary>domctl getdomaininfo of dom0.</summary>
        public const int DomctlGetInfo = 8;
        /// <summary>sysctl physinfo.</summary>
        public const int SysctlPhysinfo = 9;
        /// <summary>update_va_mapping_otherdomain of dom0's frame with foreigndom 0.</summary>
        public const int UpdateVaMappingOtherDomain = 10;
        /// <summary>mmu_update of the peer's own L1 entry to dom0's frame with foreigndom 0.</summary>
        public const int MmuUpdateForeign = 11;
        /// <summary>update_va_mapping of dom0's frame as if it were the peer's own.</summary>
        public const int MapFrameAsOwn = 12;
        /// <summary>populate_physmap for dom0: extents done.</summary>
        public const int PopulateForDom0 = 13;
        /// <summary>EVTCHNOP_send / close of a port the peer does not have.</summary>
        public const int SendNotOwnPort = 14;
        public const int CloseNotOwnPort = 15;
        /// <summary>GNTTABOP_copy from dom0's frame by frame number: the call's result and the op's status.</summary>
        public const int GrantCopyByFrame = 16;
        public const int GrantCopyByFrameStatus = 17;
        /// <summary>GNTTABOP_copy from a grant reference dom0 never granted.</summary>
        public const int GrantCopyByRef = 18;
        public const int GrantCopyByRefStatus = 19;
        /// <summary>console_io write.</summary>
        public const int ConsoleWrite = 20;
        /// <summary>The machine address of the L1 entry the mmu_update named (0: the walk failed).</summary>
        public const int L1EntryAddress = 21;
        /// <summary>1 when the scratch page still holds the peer's own pattern after every refused mapping.</summary>
        public const int ScratchIntact = 22;

        public const int Count = 23;
    }
}
