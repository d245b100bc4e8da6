using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Commands of memory_op(cmd, arg) (memory.h XENMEM_*). Only the low
    /// <see cref="ExtentShift"/> bits of cmd are the command: Xen keeps the extent to resume from in the
    /// bits above when it preempts a long reservation call, so a guest passes plain numbers.</summary>
    public static class MemoryOp
    {
        /// <summary><c>XENMEM_increase_reservation</c>: arg <see cref="XenMemoryReservation"/>; returns
        /// extents done.</summary>
        public const int IncreaseReservation = 0;

        /// <summary><c>XENMEM_decrease_reservation</c>: arg <see cref="XenMemoryReservation"/>.</summary>
        public const int DecreaseReservation = 1;

        /// <summary><c>XENMEM_maximum_ram_page</c>: arg NULL; returns the highest RAM machine frame.</summary>
        public const int MaximumRamPage = 2;

        /// <summary><c>XENMEM_current_reservation</c>: arg <see cref="XenMemoryDomain"/>; returns pages.</summary>
        public const int CurrentReservation = 3;

        /// <summary><c>XENMEM_maximum_reservation</c>: arg <see cref="XenMemoryDomain"/>; returns pages.</summary>
        public const int MaximumReservation = 4;

        /// <summary><c>XENMEM_machphys_mfn_list</c>: arg <see cref="XenMachphysMfnList"/>.</summary>
        public const int MachphysMfnList = 5;

        /// <summary><c>XENMEM_populate_physmap</c>: arg <see cref="XenMemoryReservation"/>.</summary>
        public const int PopulatePhysmap = 6;

        /// <summary><c>XENMEM_add_to_physmap</c>: arg <see cref="XenAddToPhysmap"/> (translated guests).</summary>
        public const int AddToPhysmap = 7;

        // 8 (XENMEM_translate_gpfn_list) was removed.

        /// <summary><c>XENMEM_memory_map</c>: arg <see cref="XenMemoryMap"/>; the domain's own E820 map.</summary>
        public const int MemoryMap = 9;

        /// <summary><c>XENMEM_machine_memory_map</c>: arg <see cref="XenMemoryMap"/>; the host's map
        /// (privileged; a null buffer asks for the entry count).</summary>
        public const int MachineMemoryMap = 10;

        /// <summary><c>XENMEM_exchange</c>: arg <see cref="XenMemoryExchange"/> (PV only).</summary>
        public const int Exchange = 11;

        /// <summary><c>XENMEM_machphys_mapping</c>: arg <see cref="XenMachphysMapping"/>.</summary>
        public const int MachphysMapping = 12;

        /// <summary><c>XENMEM_set_memory_map</c>: arg <see cref="XenForeignMemoryMap"/> (toolstack).</summary>
        public const int SetMemoryMap = 13;

        /// <summary><c>XENMEM_maximum_gpfn</c>: arg <see cref="XenMemoryDomain"/>; returns the highest pfn.</summary>
        public const int MaximumGpfn = 14;

        /// <summary><c>XENMEM_remove_from_physmap</c>: arg <see cref="XenRemoveFromPhysmap"/>.</summary>
        public const int RemoveFromPhysmap = 15;

        /// <summary><c>XENMEM_set_pod_target</c>: arg <see cref="XenPodTarget"/>.</summary>
        public const int SetPodTarget = 16;

        /// <summary><c>XENMEM_get_pod_target</c>: arg <see cref="XenPodTarget"/>.</summary>
        public const int GetPodTarget = 17;

        /// <summary><c>XENMEM_get_sharing_freed_pages</c> (tools).</summary>
        public const int GetSharingFreedPages = 18;

        /// <summary><c>XENMEM_get_sharing_shared_pages</c> (tools).</summary>
        public const int GetSharingSharedPages = 19;

        /// <summary><c>XENMEM_paging_op</c> (tools).</summary>
        public const int PagingOp = 20;

        /// <summary><c>XENMEM_access_op</c> (tools).</summary>
        public const int AccessOp = 21;

        /// <summary><c>XENMEM_sharing_op</c> (tools).</summary>
        public const int SharingOp = 22;

        /// <summary><c>XENMEM_add_to_physmap_batch</c>: arg <see cref="XenAddToPhysmapBatch"/>.</summary>
        public const int AddToPhysmapBatch = 23;

        /// <summary><c>XENMEM_claim_pages</c>: arg <see cref="XenMemoryReservation"/> with no extents
        /// (privileged).</summary>
        public const int ClaimPages = 24;

        /// <summary><c>XENMEM_machphys_compat_mfn_list</c>: the 32-bit M2P's frames.</summary>
        public const int MachphysCompatMfnList = 25;

        /// <summary><c>XENMEM_get_vnumainfo</c>: arg <see cref="XenVnumaTopologyInfo"/>.</summary>
        public const int GetVnumaInfo = 26;

        /// <summary><c>XENMEM_reserved_device_memory_map</c> (tools).</summary>
        public const int ReservedDeviceMemoryMap = 27;

        /// <summary><c>XENMEM_acquire_resource</c>: arg <see cref="XenMemAcquireResource"/>.</summary>
        public const int AcquireResource = 28;

        /// <summary><c>MEMOP_EXTENT_SHIFT</c> (xen/hypercall.h, outside the public headers but part of the
        /// ABI in practice): cmd bits from here up hold the extent to restart at.</summary>
        public const int ExtentShift = 6;

        /// <summary><c>MEMOP_CMD_MASK</c>: the command bits of cmd.</summary>
        public const ulong CommandMask = (1ul << ExtentShift) - 1;

        /// <summary>The cmd value that resumes <paramref name="command"/> at extent <paramref name="startExtent"/>.</summary>
        public static ulong EncodeContinuation(int command, ulong startExtent) => (uint)command | (startExtent << ExtentShift);
    }

    /// <summary>Bits of <see cref="XenMemoryReservation.MemFlags"/> (memory.h XENMEMF_*).</summary>
    public static class XenMemoryFlags
    {
        /// <summary>Bits 7:0: the highest address bit the allocation may use (0: no limit),
        /// <c>XENMEMF_address_bits</c>.</summary>
        public const uint AddressBitsMask = 0xFF;

        /// <summary>Bits 15:8: NUMA node + 1 (<c>XENMEMF_node</c>); 0 means any node.</summary>
        public const int NodeShift = 8;

        /// <summary><c>XENMEMF_populate_on_demand</c>.</summary>
        public const uint PopulateOnDemand = 1u << 16;

        /// <summary><c>XENMEMF_exact_node_request</c>: only from the given node.</summary>
        public const uint ExactNodeRequest = 1u << 17;

        /// <summary><c>XENMEMF_vnode</c>: the node is a virtual node.</summary>
        public const uint Vnode = 1u << 18;

        /// <summary><c>XENMEMF_node(n)</c>.</summary>
        public static uint Node(uint node) => (node + 1) << NodeShift;
    }

    /// <summary>Mirrors memory.h <c>struct xen_memory_reservation</c> (32 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct XenMemoryReservation
    {
        /// <summary><c>extent_start</c>: guest handle to an array of frame numbers (in or out, per command).</summary>
        [FieldOffset(0)] public ulong ExtentStart;

        /// <summary><c>nr_extents</c>.</summary>
        [FieldOffset(8)] public ulong NrExtents;

        /// <summary><c>extent_order</c>: each extent is 2^order pages, aligned.</summary>
        [FieldOffset(16)] public uint ExtentOrder;

        /// <summary><c>mem_flags</c>: <see cref="XenMemoryFlags"/> (was address_bits before 0x00030209).</summary>
        [FieldOffset(20)] public uint MemFlags;

        /// <summary><c>domid</c>: DOMID_SELF unless privileged.</summary>
        [FieldOffset(24)] public ushort DomId;
    }

    /// <summary>Mirrors memory.h <c>struct xen_memory_exchange</c> (72 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct XenMemoryExchange
    {
        /// <summary><c>in</c>: extents to give up.</summary>
        [FieldOffset(0)] public XenMemoryReservation In;

        /// <summary><c>out</c>: extents wanted in exchange (same total size).</summary>
        [FieldOffset(32)] public XenMemoryReservation Out;

        /// <summary><c>nr_exchanged</c>: input extents done; the caller must zero it.</summary>
        [FieldOffset(64)] public ulong NrExchanged;
    }

    /// <summary>Mirrors memory.h <c>struct xen_memory_domain</c> (2 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2)]
    public struct XenMemoryDomain
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;
    }

    /// <summary>Mirrors memory.h <c>struct xen_machphys_mfn_list</c> (24 bytes on x86-64): the frames
    /// (one per 2 MiB) backing the M2P table.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct XenMachphysMfnList
    {
        /// <summary><c>max_extents</c>: room in the array.</summary>
        [FieldOffset(0)] public uint MaxExtents;

        /// <summary><c>extent_start</c>: guest handle to the array.</summary>
        [FieldOffset(8)] public ulong ExtentStart;

        /// <summary><c>nr_extents</c>: entries written.</summary>
        [FieldOffset(16)] public uint NrExtents;
    }

    /// <summary>Mirrors memory.h <c>struct xen_machphys_mapping</c> (24 bytes on x86-64): where the M2P is
    /// mapped in the guest.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct XenMachphysMapping
    {
        /// <summary><c>v_start</c>.</summary>
        [FieldOffset(0)] public ulong VStart;

        /// <summary><c>v_end</c>.</summary>
        [FieldOffset(8)] public ulong VEnd;

        /// <summary><c>max_mfn</c>: highest machine frame it covers.</summary>
        [FieldOffset(16)] public ulong MaxMfn;
    }

    /// <summary>Spaces a frame can be taken from by add_to_physmap (memory.h XENMAPSPACE_*).</summary>
    public static class XenMapSpace
    {
        /// <summary><c>XENMAPSPACE_shared_info</c>.</summary>
        public const uint SharedInfo = 0;

        /// <summary><c>XENMAPSPACE_grant_table</c>: idx is the frame (ORed with <see cref="GrantTableStatusIndex"/>
        /// for a v2 status frame).</summary>
        public const uint GrantTable = 1;

        /// <summary><c>XENMAPSPACE_gmfn</c>.</summary>
        public const uint Gmfn = 2;

        /// <summary><c>XENMAPSPACE_gmfn_range</c>: add_to_physmap only.</summary>
        public const uint GmfnRange = 3;

        /// <summary><c>XENMAPSPACE_gmfn_foreign</c>: another domain's frame; batch only.</summary>
        public const uint GmfnForeign = 4;

        /// <summary><c>XENMAPSPACE_dev_mmio</c>: device MMIO (Arm only).</summary>
        public const uint DevMmio = 5;

        /// <summary><c>XENMAPIDX_grant_table_status</c>.</summary>
        public const ulong GrantTableStatusIndex = 0x80000000;
    }

    /// <summary>Mirrors memory.h <c>struct xen_add_to_physmap</c> (24 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct XenAddToPhysmap
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>size</c>: pages, for <see cref="XenMapSpace.GmfnRange"/>.</summary>
        [FieldOffset(2)] public ushort Size;

        /// <summary><c>space</c>: a <see cref="XenMapSpace"/>.</summary>
        [FieldOffset(4)] public uint Space;

        /// <summary><c>idx</c>: index in that space.</summary>
        [FieldOffset(8)] public ulong Idx;

        /// <summary><c>gpfn</c>: where the page should appear.</summary>
        [FieldOffset(16)] public ulong Gpfn;
    }

    /// <summary>Mirrors memory.h <c>struct xen_add_to_physmap_batch</c> (32 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct XenAddToPhysmapBatch
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>space</c>: a <see cref="XenMapSpace"/>.</summary>
        [FieldOffset(2)] public ushort Space;

        /// <summary><c>size</c>: entries.</summary>
        [FieldOffset(4)] public ushort Size;

        /// <summary><c>u.foreign_domid</c> (gmfn_foreign; 0 for other spaces).</summary>
        [FieldOffset(6)] public ushort ForeignDomId;

        /// <summary><c>idxs</c>: guest handle to the indexes.</summary>
        [FieldOffset(8)] public ulong Idxs;

        /// <summary><c>gpfns</c>: guest handle to the target frames.</summary>
        [FieldOffset(16)] public ulong Gpfns;

        /// <summary><c>errs</c>: guest handle to per-entry errors (out).</summary>
        [FieldOffset(24)] public ulong Errs;
    }

    /// <summary>Mirrors memory.h <c>struct xen_remove_from_physmap</c> (16 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct XenRemoveFromPhysmap
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>gpfn</c>.</summary>
        [FieldOffset(8)] public ulong Gpfn;
    }

    /// <summary>Mirrors memory.h <c>struct xen_memory_map</c> (16 bytes on x86-64); the buffer holds
    /// <see cref="E820Entry"/>s.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct XenMemoryMap
    {
        /// <summary><c>nr_entries</c>: room on the way in, entries written on the way out.</summary>
        [FieldOffset(0)] public uint NrEntries;

        /// <summary><c>buffer</c>: guest handle to the entries.</summary>
        [FieldOffset(8)] public ulong Buffer;
    }

    /// <summary>Mirrors memory.h <c>struct xen_foreign_memory_map</c> (24 bytes on x86-64), for
    /// <see cref="MemoryOp.SetMemoryMap"/>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct XenForeignMemoryMap
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>map</c>.</summary>
        [FieldOffset(8)] public XenMemoryMap Map;
    }

    /// <summary>One entry of a memory map in the BIOS INT 15h E820 format (20 bytes, packed, so
    /// consecutive entries are not 8-byte aligned). Xen's public headers only say "E820 format";
    /// the layout and types are the BIOS's.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 20, Pack = 1)]
    public struct E820Entry
    {
        public const uint TypeRam = 1;
        public const uint TypeReserved = 2;
        public const uint TypeAcpi = 3;
        public const uint TypeNvs = 4;
        public const uint TypeUnusable = 5;

        /// <summary><c>addr</c>: first byte (guest-physical for the domain's map).</summary>
        [FieldOffset(0)] public ulong Addr;

        /// <summary><c>size</c>: bytes.</summary>
        [FieldOffset(8)] public ulong Size;

        /// <summary><c>type</c>: one of the Type* values.</summary>
        [FieldOffset(16)] public uint Type;
    }

    /// <summary>Mirrors memory.h <c>struct xen_pod_target</c> (40 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct XenPodTarget
    {
        /// <summary><c>target_pages</c> (in).</summary>
        [FieldOffset(0)] public ulong TargetPages;

        /// <summary><c>tot_pages</c> (out).</summary>
        [FieldOffset(8)] public ulong TotPages;

        /// <summary><c>pod_cache_pages</c> (out).</summary>
        [FieldOffset(16)] public ulong PodCachePages;

        /// <summary><c>pod_entries</c> (out).</summary>
        [FieldOffset(24)] public ulong PodEntries;

        /// <summary><c>domid</c> (in).</summary>
        [FieldOffset(32)] public ushort DomId;
    }

    /// <summary>Mirrors memory.h <c>struct xen_mem_acquire_resource</c> (32 bytes on x86-64): map a
    /// domain's resource (grant table, ioreq pages...) directly.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct XenMemAcquireResource
    {
        /// <summary><c>XENMEM_resource_ioreq_server</c>.</summary>
        public const ushort TypeIoreqServer = 0;

        /// <summary><c>XENMEM_resource_grant_table</c>; <see cref="Id"/> 0 shared frames, 1 status frames.</summary>
        public const ushort TypeGrantTable = 1;

        /// <summary><c>XENMEM_resource_vmtrace_buf</c>.</summary>
        public const ushort TypeVmtraceBuf = 2;

        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>type</c>.</summary>
        [FieldOffset(2)] public ushort Type;

        /// <summary><c>id</c>: type-specific.</summary>
        [FieldOffset(4)] public uint Id;

        /// <summary><c>nr_frames</c>: frames to map; 0 with a null list asks for the size.</summary>
        [FieldOffset(8)] public uint NrFrames;

        /// <summary><c>pad</c>.</summary>
        [FieldOffset(12)] public uint Pad;

        /// <summary><c>frame</c>: first frame index.</summary>
        [FieldOffset(16)] public ulong Frame;

        /// <summary><c>frame_list</c>: guest handle; for a PV caller filled with the MFNs.</summary>
        [FieldOffset(24)] public ulong FrameList;
    }

    /// <summary>Mirrors memory.h <c>struct xen_vmemrange</c> (24 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct XenVmemrange
    {
        /// <summary><c>start</c>.</summary>
        [FieldOffset(0)] public ulong Start;

        /// <summary><c>end</c>.</summary>
        [FieldOffset(8)] public ulong End;

        /// <summary><c>flags</c>.</summary>
        [FieldOffset(16)] public uint Flags;

        /// <summary><c>nid</c>: virtual node.</summary>
        [FieldOffset(20)] public uint Nid;
    }

    /// <summary>Mirrors memory.h <c>struct xen_vnuma_topology_info</c> (40 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct XenVnumaTopologyInfo
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>pad</c>.</summary>
        [FieldOffset(2)] public ushort Pad;

        /// <summary><c>nr_vnodes</c>.</summary>
        [FieldOffset(4)] public uint NrVnodes;

        /// <summary><c>nr_vcpus</c>.</summary>
        [FieldOffset(8)] public uint NrVcpus;

        /// <summary><c>nr_vmemranges</c>.</summary>
        [FieldOffset(12)] public uint NrVmemranges;

        /// <summary><c>vdistance</c>: guest handle.</summary>
        [FieldOffset(16)] public ulong Vdistance;

        /// <summary><c>vcpu_to_vnode</c>: guest handle.</summary>
        [FieldOffset(24)] public ulong VcpuToVnode;

        /// <summary><c>vmemrange</c>: guest handle to <see cref="XenVmemrange"/>s.</summary>
        [FieldOffset(32)] public ulong Vmemrange;
    }
}
