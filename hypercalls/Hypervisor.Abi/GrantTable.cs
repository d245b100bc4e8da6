using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Commands of grant_table_op(cmd, args, count) (grant_table.h GNTTABOP_*); args is an array
    /// of count structs of the command's type. Grant references are 32-bit (<c>grant_ref_t</c>), mapping
    /// handles too (<c>grant_handle_t</c>).</summary>
    public static class GrantTableOp
    {
        /// <summary><c>GNTTABOP_map_grant_ref</c>: <see cref="GnttabMapGrantRef"/>.</summary>
        public const int MapGrantRef = 0;

        /// <summary><c>GNTTABOP_unmap_grant_ref</c>: <see cref="GnttabUnmapGrantRef"/>.</summary>
        public const int UnmapGrantRef = 1;

        /// <summary><c>GNTTABOP_setup_table</c>: <see cref="GnttabSetupTable"/>.</summary>
        public const int SetupTable = 2;

        /// <summary><c>GNTTABOP_dump_table</c>: <see cref="GnttabDumpTable"/> (debugging).</summary>
        public const int DumpTable = 3;

        /// <summary><c>GNTTABOP_transfer</c>: <see cref="GnttabTransfer"/> (PV only).</summary>
        public const int Transfer = 4;

        /// <summary><c>GNTTABOP_copy</c>: <see cref="GnttabCopy"/>.</summary>
        public const int Copy = 5;

        /// <summary><c>GNTTABOP_query_size</c>: <see cref="GnttabQuerySize"/>.</summary>
        public const int QuerySize = 6;

        /// <summary><c>GNTTABOP_unmap_and_replace</c>: <see cref="GnttabUnmapAndReplace"/>.</summary>
        public const int UnmapAndReplace = 7;

        /// <summary><c>GNTTABOP_set_version</c>: <see cref="GnttabSetVersion"/>.</summary>
        public const int SetVersion = 8;

        /// <summary><c>GNTTABOP_get_status_frames</c>: <see cref="GnttabGetStatusFrames"/>.</summary>
        public const int GetStatusFrames = 9;

        /// <summary><c>GNTTABOP_get_version</c>: <see cref="GnttabGetVersion"/>.</summary>
        public const int GetVersion = 10;

        /// <summary><c>GNTTABOP_swap_grant_ref</c>: <see cref="GnttabSwapGrantRef"/>.</summary>
        public const int SwapGrantRef = 11;

        /// <summary><c>GNTTABOP_cache_flush</c>: <see cref="GnttabCacheFlush"/>.</summary>
        public const int CacheFlush = 12;
    }

    /// <summary>Grant references with a fixed use (grant_table.h GNTTAB_RESERVED_*): the toolstack may
    /// fill them before the guest starts, and they survive a table version change.</summary>
    public static class GrantRef
    {
        /// <summary><c>GNTTAB_NR_RESERVED_ENTRIES</c>: references below this are not for general use.</summary>
        public const uint NrReservedEntries = 8;

        /// <summary><c>GNTTAB_RESERVED_CONSOLE</c>: the console ring.</summary>
        public const uint Console = 0;

        /// <summary><c>GNTTAB_RESERVED_XENSTORE</c>: the XenStore ring.</summary>
        public const uint Xenstore = 1;
    }

    /// <summary>Bits of <see cref="GrantEntryV1.Flags"/> (grant_table.h GTF_*). The low two bits are the
    /// type; the others are meaningful per type.</summary>
    public static class GrantFlags
    {
        /// <summary><c>GTF_invalid</c>: grants nothing.</summary>
        public const ushort Invalid = 0;

        /// <summary><c>GTF_permit_access</c>: domid may map or copy frame.</summary>
        public const ushort PermitAccess = 1;

        /// <summary><c>GTF_accept_transfer</c>: domid may transfer a page to us; Xen writes its frame.</summary>
        public const ushort AcceptTransfer = 2;

        /// <summary><c>GTF_transitive</c>: domid may use a grant we hold from a third domain (v2, copy only).</summary>
        public const ushort Transitive = 3;

        /// <summary><c>GTF_type_mask</c>.</summary>
        public const ushort TypeMask = 3;

        /// <summary><c>GTF_readonly</c> (guest-set): read-only access only.</summary>
        public const ushort ReadOnly = 1 << 2;

        /// <summary><c>GTF_reading</c> (Xen-set): currently mapped or copied for reading.</summary>
        public const ushort Reading = 1 << 3;

        /// <summary><c>GTF_writing</c> (Xen-set): currently mapped for writing.</summary>
        public const ushort Writing = 1 << 4;

        /// <summary><c>GTF_PWT</c>: cache attribute for mappings (x86).</summary>
        public const ushort Pwt = 1 << 5;

        /// <summary><c>GTF_PCD</c>.</summary>
        public const ushort Pcd = 1 << 6;

        /// <summary><c>GTF_PAT</c>.</summary>
        public const ushort Pat = 1 << 7;

        /// <summary><c>GTF_sub_page</c>: grant only a byte range (v2; copy only).</summary>
        public const ushort SubPage = 1 << 8;

        /// <summary><c>GTF_transfer_committed</c> (Xen-set): a transfer is under way; leave the entry alone.</summary>
        public const ushort TransferCommitted = 1 << 2;

        /// <summary><c>GTF_transfer_completed</c> (Xen-set): frame now holds the transferred MFN.</summary>
        public const ushort TransferCompleted = 1 << 3;
    }

    /// <summary>Mirrors grant_table.h <c>struct grant_entry_v1</c> (8 bytes). To publish: write
    /// <see cref="DomId"/> and <see cref="Frame"/>, a write barrier, then <see cref="Flags"/>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct GrantEntryV1
    {
        /// <summary><c>flags</c>: <see cref="GrantFlags"/>; written by both sides.</summary>
        [FieldOffset(0)] public ushort Flags;

        /// <summary><c>domid</c>: the domain granted access.</summary>
        [FieldOffset(2)] public ushort DomId;

        /// <summary><c>frame</c>: the frame granted (the MFN for a PV granter).</summary>
        [FieldOffset(4)] public uint Frame;
    }

    /// <summary>Mirrors grant_table.h <c>union grant_entry_v2</c> (16 bytes): the v1 header, then a
    /// type-dependent body. Status bits live in separate <c>grant_status_t</c> (u16) frames.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GrantEntryV2
    {
        /// <summary><c>hdr.flags</c>.</summary>
        [FieldOffset(0)] public ushort Flags;

        /// <summary><c>hdr.domid</c>.</summary>
        [FieldOffset(2)] public ushort DomId;

        /// <summary><c>full_page.frame</c> and <c>sub_page.frame</c>.</summary>
        [FieldOffset(8)] public ulong Frame;

        /// <summary><c>sub_page.page_off</c>.</summary>
        [FieldOffset(4)] public ushort PageOff;

        /// <summary><c>sub_page.length</c>.</summary>
        [FieldOffset(6)] public ushort Length;

        /// <summary><c>transitive.trans_domid</c>.</summary>
        [FieldOffset(4)] public ushort TransDomId;

        /// <summary><c>transitive.gref</c>.</summary>
        [FieldOffset(8)] public uint TransGref;
    }

    /// <summary>Flags of <see cref="GnttabMapGrantRef.Flags"/> (grant_table.h GNTMAP_*).</summary>
    public static class GrantMapFlags
    {
        /// <summary><c>GNTMAP_device_map</c>: map for device DMA (returns dev_bus_addr).</summary>
        public const uint DeviceMap = 1u << 0;

        /// <summary><c>GNTMAP_host_map</c>: map for the CPU at host_addr.</summary>
        public const uint HostMap = 1u << 1;

        /// <summary><c>GNTMAP_readonly</c>.</summary>
        public const uint ReadOnly = 1u << 2;

        /// <summary><c>GNTMAP_application_map</c>: the host mapping is user-accessible too.</summary>
        public const uint ApplicationMap = 1u << 3;

        /// <summary><c>GNTMAP_contains_pte</c>: host_addr is the machine address of a PTE, not a virtual address.</summary>
        public const uint ContainsPte = 1u << 4;

        /// <summary><c>_GNTMAP_guest_avail0</c>: bits from here up go into the PTE's available bits
        /// (<see cref="XenFeature.GnttabMapAvailBits"/>).</summary>
        public const int GuestAvailShift = 16;

        /// <summary><c>GNTMAP_guest_avail_mask</c>.</summary>
        public const uint GuestAvailMask = 0xFFFF0000;
    }

    /// <summary>Flags of <see cref="GnttabCopy.Flags"/> (grant_table.h GNTCOPY_*).</summary>
    public static class GrantCopyFlags
    {
        /// <summary><c>GNTCOPY_source_gref</c>: the source is a grant reference, not a frame.</summary>
        public const ushort SourceGref = 1 << 0;

        /// <summary><c>GNTCOPY_dest_gref</c>: the destination is a grant reference, not a frame.</summary>
        public const ushort DestGref = 1 << 1;
    }

    /// <summary>Per-operation status codes (grant_table.h GNTST_*), in each op's <c>status</c>.</summary>
    public static class GrantStatus
    {
        public const short Okay = 0;
        public const short GeneralError = -1;
        public const short BadDomain = -2;
        public const short BadGntref = -3;
        public const short BadHandle = -4;
        public const short BadVirtAddr = -5;
        public const short BadDevAddr = -6;
        public const short NoDeviceSpace = -7;
        public const short PermissionDenied = -8;
        public const short BadPage = -9;
        public const short BadCopyArg = -10;
        public const short AddressTooBig = -11;
        public const short Eagain = -12;

        /// <summary><c>GNTST_no_space</c>: out of handles or memory (newer than most copies of the header).</summary>
        public const short NoSpace = -13;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_map_grant_ref</c> (32 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct GnttabMapGrantRef
    {
        /// <summary><c>host_addr</c>: virtual address, or PTE machine address with ContainsPte.</summary>
        [FieldOffset(0)] public ulong HostAddr;

        /// <summary><c>flags</c>: <see cref="GrantMapFlags"/>.</summary>
        [FieldOffset(8)] public uint Flags;

        /// <summary><c>ref</c>.</summary>
        [FieldOffset(12)] public uint Ref;

        /// <summary><c>dom</c>: the granting domain.</summary>
        [FieldOffset(16)] public ushort Dom;

        /// <summary><c>status</c> (out): a <see cref="GrantStatus"/>.</summary>
        [FieldOffset(18)] public short Status;

        /// <summary><c>handle</c> (out): needed to unmap.</summary>
        [FieldOffset(20)] public uint Handle;

        /// <summary><c>dev_bus_addr</c> (out).</summary>
        [FieldOffset(24)] public ulong DevBusAddr;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_unmap_grant_ref</c> (24 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct GnttabUnmapGrantRef
    {
        /// <summary><c>host_addr</c> (0: none).</summary>
        [FieldOffset(0)] public ulong HostAddr;

        /// <summary><c>dev_bus_addr</c> (0: none).</summary>
        [FieldOffset(8)] public ulong DevBusAddr;

        /// <summary><c>handle</c>.</summary>
        [FieldOffset(16)] public uint Handle;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(20)] public short Status;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_setup_table</c> (24 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct GnttabSetupTable
    {
        /// <summary><c>dom</c>.</summary>
        [FieldOffset(0)] public ushort Dom;

        /// <summary><c>nr_frames</c>: frames wanted.</summary>
        [FieldOffset(4)] public uint NrFrames;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(8)] public short Status;

        /// <summary><c>frame_list</c>: guest handle to <c>xen_pfn_t</c>s, filled with the table's frames.</summary>
        [FieldOffset(16)] public ulong FrameList;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_dump_table</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct GnttabDumpTable
    {
        /// <summary><c>dom</c>.</summary>
        [FieldOffset(0)] public ushort Dom;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(2)] public short Status;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_transfer</c> (24 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct GnttabTransfer
    {
        /// <summary><c>mfn</c>: the page given away.</summary>
        [FieldOffset(0)] public ulong Mfn;

        /// <summary><c>domid</c>: the receiver.</summary>
        [FieldOffset(8)] public ushort DomId;

        /// <summary><c>ref</c>: the receiver's accept-transfer grant.</summary>
        [FieldOffset(12)] public uint Ref;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(16)] public short Status;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_copy_ptr</c> (16 bytes on x86-64): one end of a
    /// grant copy.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabCopyPtr
    {
        /// <summary><c>u.ref</c>: a grant reference (with the matching GrantCopyFlags bit).</summary>
        [FieldOffset(0)] public uint Ref;

        /// <summary><c>u.gmfn</c>: a frame of the caller.</summary>
        [FieldOffset(0)] public ulong Gmfn;

        /// <summary><c>domid</c>.</summary>
        [FieldOffset(8)] public ushort DomId;

        /// <summary><c>offset</c>: byte offset in the page.</summary>
        [FieldOffset(10)] public ushort Offset;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_copy</c> (40 bytes on x86-64). Neither end may cross
    /// a page boundary.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct GnttabCopy
    {
        /// <summary><c>source</c>.</summary>
        [FieldOffset(0)] public GnttabCopyPtr Source;

        /// <summary><c>dest</c>.</summary>
        [FieldOffset(16)] public GnttabCopyPtr Dest;

        /// <summary><c>len</c>: bytes.</summary>
        [FieldOffset(32)] public ushort Len;

        /// <summary><c>flags</c>: <see cref="GrantCopyFlags"/>.</summary>
        [FieldOffset(34)] public ushort Flags;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(36)] public short Status;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_query_size</c> (16 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabQuerySize
    {
        /// <summary><c>dom</c>.</summary>
        [FieldOffset(0)] public ushort Dom;

        /// <summary><c>nr_frames</c> (out): current size.</summary>
        [FieldOffset(4)] public uint NrFrames;

        /// <summary><c>max_nr_frames</c> (out).</summary>
        [FieldOffset(8)] public uint MaxNrFrames;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(12)] public short Status;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_unmap_and_replace</c> (24 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct GnttabUnmapAndReplace
    {
        /// <summary><c>host_addr</c>.</summary>
        [FieldOffset(0)] public ulong HostAddr;

        /// <summary><c>new_addr</c>: its mapping moves to host_addr; new_addr is left unmapped.</summary>
        [FieldOffset(8)] public ulong NewAddr;

        /// <summary><c>handle</c>.</summary>
        [FieldOffset(16)] public uint Handle;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(20)] public short Status;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_set_version</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct GnttabSetVersion
    {
        /// <summary><c>version</c>: 1 or 2 in; the version in force out.</summary>
        [FieldOffset(0)] public uint Version;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_get_status_frames</c> (16 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabGetStatusFrames
    {
        /// <summary><c>nr_frames</c>.</summary>
        [FieldOffset(0)] public uint NrFrames;

        /// <summary><c>dom</c>.</summary>
        [FieldOffset(4)] public ushort Dom;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(6)] public short Status;

        /// <summary><c>frame_list</c>: guest handle to u64 frames.</summary>
        [FieldOffset(8)] public ulong FrameList;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_get_version</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct GnttabGetVersion
    {
        /// <summary><c>dom</c>.</summary>
        [FieldOffset(0)] public ushort Dom;

        /// <summary><c>pad</c>.</summary>
        [FieldOffset(2)] public ushort Pad;

        /// <summary><c>version</c> (out).</summary>
        [FieldOffset(4)] public uint Version;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_swap_grant_ref</c> (12 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct GnttabSwapGrantRef
    {
        /// <summary><c>ref_a</c>.</summary>
        [FieldOffset(0)] public uint RefA;

        /// <summary><c>ref_b</c>.</summary>
        [FieldOffset(4)] public uint RefB;

        /// <summary><c>status</c> (out).</summary>
        [FieldOffset(8)] public short Status;
    }

    /// <summary>Mirrors grant_table.h <c>struct gnttab_cache_flush</c> (16 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct GnttabCacheFlush
    {
        /// <summary><c>GNTTAB_CACHE_CLEAN</c>.</summary>
        public const uint OpClean = 1u << 0;

        /// <summary><c>GNTTAB_CACHE_INVAL</c>.</summary>
        public const uint OpInvalidate = 1u << 1;

        /// <summary><c>GNTTAB_CACHE_SOURCE_GREF</c>: <see cref="Ref"/> is used, not the bus address.</summary>
        public const uint OpSourceGref = 1u << 31;

        /// <summary><c>a.dev_bus_addr</c>.</summary>
        [FieldOffset(0)] public ulong DevBusAddr;

        /// <summary><c>a.ref</c>.</summary>
        [FieldOffset(0)] public uint Ref;

        /// <summary><c>offset</c>.</summary>
        [FieldOffset(8)] public ushort Offset;

        /// <summary><c>length</c>.</summary>
        [FieldOffset(10)] public ushort Length;

        /// <summary><c>op</c>.</summary>
        [FieldOffset(12)] public uint Op;
    }
}
