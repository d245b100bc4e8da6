using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of memory.h, and the BIOS E820 entry its memory maps carry.</summary>
    public class MemoryLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "xen_memory_reservation", typeof(XenMemoryReservation), 32 },
            { "xen_memory_exchange", typeof(XenMemoryExchange), 72 },
            { "xen_memory_domain", typeof(XenMemoryDomain), 2 },
            { "xen_machphys_mfn_list", typeof(XenMachphysMfnList), 24 },
            { "xen_machphys_mapping", typeof(XenMachphysMapping), 24 },
            { "xen_add_to_physmap", typeof(XenAddToPhysmap), 24 },
            { "xen_add_to_physmap_batch", typeof(XenAddToPhysmapBatch), 32 },
            { "xen_remove_from_physmap", typeof(XenRemoveFromPhysmap), 16 },
            { "xen_memory_map", typeof(XenMemoryMap), 16 },
            { "xen_foreign_memory_map", typeof(XenForeignMemoryMap), 24 },
            { "e820entry (packed)", typeof(E820Entry), 20 },
            { "xen_pod_target", typeof(XenPodTarget), 40 },
            { "xen_mem_acquire_resource", typeof(XenMemAcquireResource), 32 },
            { "xen_vmemrange", typeof(XenVmemrange), 24 },
            { "xen_vnuma_topology_info", typeof(XenVnumaTopologyInfo), 40 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "xen_memory_reservation.extent_start", typeof(XenMemoryReservation), nameof(XenMemoryReservation.ExtentStart), 0 },
            { "xen_memory_reservation.nr_extents", typeof(XenMemoryReservation), nameof(XenMemoryReservation.NrExtents), 8 },
            { "xen_memory_reservation.extent_order", typeof(XenMemoryReservation), nameof(XenMemoryReservation.ExtentOrder), 16 },
            { "xen_memory_reservation.mem_flags", typeof(XenMemoryReservation), nameof(XenMemoryReservation.MemFlags), 20 },
            { "xen_memory_reservation.domid", typeof(XenMemoryReservation), nameof(XenMemoryReservation.DomId), 24 },

            { "xen_memory_exchange.in", typeof(XenMemoryExchange), nameof(XenMemoryExchange.In), 0 },
            { "xen_memory_exchange.out", typeof(XenMemoryExchange), nameof(XenMemoryExchange.Out), 32 },
            { "xen_memory_exchange.nr_exchanged", typeof(XenMemoryExchange), nameof(XenMemoryExchange.NrExchanged), 64 },

            { "xen_memory_domain.domid", typeof(XenMemoryDomain), nameof(XenMemoryDomain.DomId), 0 },

            { "xen_machphys_mfn_list.max_extents", typeof(XenMachphysMfnList), nameof(XenMachphysMfnList.MaxExtents), 0 },
            { "xen_machphys_mfn_list.extent_start", typeof(XenMachphysMfnList), nameof(XenMachphysMfnList.ExtentStart), 8 },
            { "xen_machphys_mfn_list.nr_extents", typeof(XenMachphysMfnList), nameof(XenMachphysMfnList.NrExtents), 16 },

            { "xen_machphys_mapping.v_start", typeof(XenMachphysMapping), nameof(XenMachphysMapping.VStart), 0 },
            { "xen_machphys_mapping.v_end", typeof(XenMachphysMapping), nameof(XenMachphysMapping.VEnd), 8 },
            { "xen_machphys_mapping.max_mfn", typeof(XenMachphysMapping), nameof(XenMachphysMapping.MaxMfn), 16 },

            { "xen_add_to_physmap.domid", typeof(XenAddToPhysmap), nameof(XenAddToPhysmap.DomId), 0 },
            { "xen_add_to_physmap.size", typeof(XenAddToPhysmap), nameof(XenAddToPhysmap.Size), 2 },
            { "xen_add_to_physmap.space", typeof(XenAddToPhysmap), nameof(XenAddToPhysmap.Space), 4 },
            { "xen_add_to_physmap.idx", typeof(XenAddToPhysmap), nameof(XenAddToPhysmap.Idx), 8 },
            { "xen_add_to_physmap.gpfn", typeof(XenAddToPhysmap), nameof(XenAddToPhysmap.Gpfn), 16 },

            { "xen_add_to_physmap_batch.domid", typeof(XenAddToPhysmapBatch), nameof(XenAddToPhysmapBatch.DomId), 0 },
            { "xen_add_to_physmap_batch.space", typeof(XenAddToPhysmapBatch), nameof(XenAddToPhysmapBatch.Space), 2 },
            { "xen_add_to_physmap_batch.size", typeof(XenAddToPhysmapBatch), nameof(XenAddToPhysmapBatch.Size), 4 },
            { "xen_add_to_physmap_batch.u.foreign_domid", typeof(XenAddToPhysmapBatch), nameof(XenAddToPhysmapBatch.ForeignDomId), 6 },
            { "xen_add_to_physmap_batch.idxs", typeof(XenAddToPhysmapBatch), nameof(XenAddToPhysmapBatch.Idxs), 8 },
            { "xen_add_to_physmap_batch.gpfns", typeof(XenAddToPhysmapBatch), nameof(XenAddToPhysmapBatch.Gpfns), 16 },
            { "xen_add_to_physmap_batch.errs", typeof(XenAddToPhysmapBatch), nameof(XenAddToPhysmapBatch.Errs), 24 },

            { "xen_remove_from_physmap.domid", typeof(XenRemoveFromPhysmap), nameof(XenRemoveFromPhysmap.DomId), 0 },
            { "xen_remove_from_physmap.gpfn", typeof(XenRemoveFromPhysmap), nameof(XenRemoveFromPhysmap.Gpfn), 8 },

            { "xen_memory_map.nr_entries", typeof(XenMemoryMap), nameof(XenMemoryMap.NrEntries), 0 },
            { "xen_memory_map.buffer", typeof(XenMemoryMap), nameof(XenMemoryMap.Buffer), 8 },

            { "xen_foreign_memory_map.domid", typeof(XenForeignMemoryMap), nameof(XenForeignMemoryMap.DomId), 0 },
            { "xen_foreign_memory_map.map", typeof(XenForeignMemoryMap), nameof(XenForeignMemoryMap.Map), 8 },

            { "e820entry.addr", typeof(E820Entry), nameof(E820Entry.Addr), 0 },
            { "e820entry.size", typeof(E820Entry), nameof(E820Entry.Size), 8 },
            { "e820entry.type", typeof(E820Entry), nameof(E820Entry.Type), 16 },

            { "xen_pod_target.target_pages", typeof(XenPodTarget), nameof(XenPodTarget.TargetPages), 0 },
            { "xen_pod_target.tot_pages", typeof(XenPodTarget), nameof(XenPodTarget.TotPages), 8 },
            { "xen_pod_target.pod_cache_pages", typeof(XenPodTarget), nameof(XenPodTarget.PodCachePages), 16 },
            { "xen_pod_target.pod_entries", typeof(XenPodTarget), nameof(XenPodTarget.PodEntries), 24 },
            { "xen_pod_target.domid", typeof(XenPodTarget), nameof(XenPodTarget.DomId), 32 },

            { "xen_mem_acquire_resource.domid", typeof(XenMemAcquireResource), nameof(XenMemAcquireResource.DomId), 0 },
            { "xen_mem_acquire_resource.type", typeof(XenMemAcquireResource), nameof(XenMemAcquireResource.Type), 2 },
            { "xen_mem_acquire_resource.id", typeof(XenMemAcquireResource), nameof(XenMemAcquireResource.Id), 4 },
            { "xen_mem_acquire_resource.nr_frames", typeof(XenMemAcquireResource), nameof(XenMemAcquireResource.NrFrames), 8 },
            { "xen_mem_acquire_resource.pad", typeof(XenMemAcquireResource), nameof(XenMemAcquireResource.Pad), 12 },
            { "xen_mem_acquire_resource.frame", typeof(XenMemAcquireResource), nameof(XenMemAcquireResource.Frame), 16 },
            { "xen_mem_acquire_resource.frame_list", typeof(XenMemAcquireResource), nameof(XenMemAcquireResource.FrameList), 24 },

            { "xen_vmemrange.start", typeof(XenVmemrange), nameof(XenVmemrange.Start), 0 },
            { "xen_vmemrange.end", typeof(XenVmemrange), nameof(XenVmemrange.End), 8 },
            { "xen_vmemrange.flags", typeof(XenVmemrange), nameof(XenVmemrange.Flags), 16 },
            { "xen_vmemrange.nid", typeof(XenVmemrange), nameof(XenVmemrange.Nid), 20 },

            { "xen_vnuma_topology_info.domid", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.DomId), 0 },
            { "xen_vnuma_topology_info.pad", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.Pad), 2 },
            { "xen_vnuma_topology_info.nr_vnodes", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.NrVnodes), 4 },
            { "xen_vnuma_topology_info.nr_vcpus", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.NrVcpus), 8 },
            { "xen_vnuma_topology_info.nr_vmemranges", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.NrVmemranges), 12 },
            { "xen_vnuma_topology_info.vdistance", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.Vdistance), 16 },
            { "xen_vnuma_topology_info.vcpu_to_vnode", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.VcpuToVnode), 24 },
            { "xen_vnuma_topology_info.vmemrange", typeof(XenVnumaTopologyInfo), nameof(XenVnumaTopologyInfo.Vmemrange), 32 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
