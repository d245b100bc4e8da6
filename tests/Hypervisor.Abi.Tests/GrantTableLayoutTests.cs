using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of grant_table.h.</summary>
    public class GrantTableLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "grant_entry_v1", typeof(GrantEntryV1), 8 },
            { "grant_entry_v2", typeof(GrantEntryV2), 16 },
            { "gnttab_map_grant_ref", typeof(GnttabMapGrantRef), 32 },
            { "gnttab_unmap_grant_ref", typeof(GnttabUnmapGrantRef), 24 },
            { "gnttab_setup_table", typeof(GnttabSetupTable), 24 },
            { "gnttab_dump_table", typeof(GnttabDumpTable), 4 },
            { "gnttab_transfer", typeof(GnttabTransfer), 24 },
            { "gnttab_copy_ptr", typeof(GnttabCopyPtr), 16 },
            { "gnttab_copy", typeof(GnttabCopy), 40 },
            { "gnttab_query_size", typeof(GnttabQuerySize), 16 },
            { "gnttab_unmap_and_replace", typeof(GnttabUnmapAndReplace), 24 },
            { "gnttab_set_version", typeof(GnttabSetVersion), 4 },
            { "gnttab_get_status_frames", typeof(GnttabGetStatusFrames), 16 },
            { "gnttab_get_version", typeof(GnttabGetVersion), 8 },
            { "gnttab_swap_grant_ref", typeof(GnttabSwapGrantRef), 12 },
            { "gnttab_cache_flush", typeof(GnttabCacheFlush), 16 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "grant_entry_v1.flags", typeof(GrantEntryV1), nameof(GrantEntryV1.Flags), 0 },
            { "grant_entry_v1.domid", typeof(GrantEntryV1), nameof(GrantEntryV1.DomId), 2 },
            { "grant_entry_v1.frame", typeof(GrantEntryV1), nameof(GrantEntryV1.Frame), 4 },

            { "grant_entry_v2.hdr.flags", typeof(GrantEntryV2), nameof(GrantEntryV2.Flags), 0 },
            { "grant_entry_v2.hdr.domid", typeof(GrantEntryV2), nameof(GrantEntryV2.DomId), 2 },
            { "grant_entry_v2.full_page.frame", typeof(GrantEntryV2), nameof(GrantEntryV2.Frame), 8 },
            { "grant_entry_v2.sub_page.page_off", typeof(GrantEntryV2), nameof(GrantEntryV2.PageOff), 4 },
            { "grant_entry_v2.sub_page.length", typeof(GrantEntryV2), nameof(GrantEntryV2.Length), 6 },
            { "grant_entry_v2.transitive.trans_domid", typeof(GrantEntryV2), nameof(GrantEntryV2.TransDomId), 4 },
            { "grant_entry_v2.transitive.gref", typeof(GrantEntryV2), nameof(GrantEntryV2.TransGref), 8 },

            { "gnttab_map_grant_ref.host_addr", typeof(GnttabMapGrantRef), nameof(GnttabMapGrantRef.HostAddr), 0 },
            { "gnttab_map_grant_ref.flags", typeof(GnttabMapGrantRef), nameof(GnttabMapGrantRef.Flags), 8 },
            { "gnttab_map_grant_ref.ref", typeof(GnttabMapGrantRef), nameof(GnttabMapGrantRef.Ref), 12 },
            { "gnttab_map_grant_ref.dom", typeof(GnttabMapGrantRef), nameof(GnttabMapGrantRef.Dom), 16 },
            { "gnttab_map_grant_ref.status", typeof(GnttabMapGrantRef), nameof(GnttabMapGrantRef.Status), 18 },
            { "gnttab_map_grant_ref.handle", typeof(GnttabMapGrantRef), nameof(GnttabMapGrantRef.Handle), 20 },
            { "gnttab_map_grant_ref.dev_bus_addr", typeof(GnttabMapGrantRef), nameof(GnttabMapGrantRef.DevBusAddr), 24 },

            { "gnttab_unmap_grant_ref.host_addr", typeof(GnttabUnmapGrantRef), nameof(GnttabUnmapGrantRef.HostAddr), 0 },
            { "gnttab_unmap_grant_ref.dev_bus_addr", typeof(GnttabUnmapGrantRef), nameof(GnttabUnmapGrantRef.DevBusAddr), 8 },
            { "gnttab_unmap_grant_ref.handle", typeof(GnttabUnmapGrantRef), nameof(GnttabUnmapGrantRef.Handle), 16 },
            { "gnttab_unmap_grant_ref.status", typeof(GnttabUnmapGrantRef), nameof(GnttabUnmapGrantRef.Status), 20 },

            { "gnttab_setup_table.dom", typeof(GnttabSetupTable), nameof(GnttabSetupTable.Dom), 0 },
            { "gnttab_setup_table.nr_frames", typeof(GnttabSetupTable), nameof(GnttabSetupTable.NrFrames), 4 },
            { "gnttab_setup_table.status", typeof(GnttabSetupTable), nameof(GnttabSetupTable.Status), 8 },
            { "gnttab_setup_table.frame_list", typeof(GnttabSetupTable), nameof(GnttabSetupTable.FrameList), 16 },

            { "gnttab_dump_table.dom", typeof(GnttabDumpTable), nameof(GnttabDumpTable.Dom), 0 },
            { "gnttab_dump_table.status", typeof(GnttabDumpTable), nameof(GnttabDumpTable.Status), 2 },

            { "gnttab_transfer.mfn", typeof(GnttabTransfer), nameof(GnttabTransfer.Mfn), 0 },
            { "gnttab_transfer.domid", typeof(GnttabTransfer), nameof(GnttabTransfer.DomId), 8 },
            { "gnttab_transfer.ref", typeof(GnttabTransfer), nameof(GnttabTransfer.Ref), 12 },
            { "gnttab_transfer.status", typeof(GnttabTransfer), nameof(GnttabTransfer.Status), 16 },

            { "gnttab_copy_ptr.u.ref", typeof(GnttabCopyPtr), nameof(GnttabCopyPtr.Ref), 0 },
            { "gnttab_copy_ptr.u.gmfn", typeof(GnttabCopyPtr), nameof(GnttabCopyPtr.Gmfn), 0 },
            { "gnttab_copy_ptr.domid", typeof(GnttabCopyPtr), nameof(GnttabCopyPtr.DomId), 8 },
            { "gnttab_copy_ptr.offset", typeof(GnttabCopyPtr), nameof(GnttabCopyPtr.Offset), 10 },

            { "gnttab_copy.source", typeof(GnttabCopy), nameof(GnttabCopy.Source), 0 },
            { "gnttab_copy.dest", typeof(GnttabCopy), nameof(GnttabCopy.Dest), 16 },
            { "gnttab_copy.len", typeof(GnttabCopy), nameof(GnttabCopy.Len), 32 },
            { "gnttab_copy.flags", typeof(GnttabCopy), nameof(GnttabCopy.Flags), 34 },
            { "gnttab_copy.status", typeof(GnttabCopy), nameof(GnttabCopy.Status), 36 },

            { "gnttab_query_size.dom", typeof(GnttabQuerySize), nameof(GnttabQuerySize.Dom), 0 },
            { "gnttab_query_size.nr_frames", typeof(GnttabQuerySize), nameof(GnttabQuerySize.NrFrames), 4 },
            { "gnttab_query_size.max_nr_frames", typeof(GnttabQuerySize), nameof(GnttabQuerySize.MaxNrFrames), 8 },
            { "gnttab_query_size.status", typeof(GnttabQuerySize), nameof(GnttabQuerySize.Status), 12 },

            { "gnttab_unmap_and_replace.host_addr", typeof(GnttabUnmapAndReplace), nameof(GnttabUnmapAndReplace.HostAddr), 0 },
            { "gnttab_unmap_and_replace.new_addr", typeof(GnttabUnmapAndReplace), nameof(GnttabUnmapAndReplace.NewAddr), 8 },
            { "gnttab_unmap_and_replace.handle", typeof(GnttabUnmapAndReplace), nameof(GnttabUnmapAndReplace.Handle), 16 },
            { "gnttab_unmap_and_replace.status", typeof(GnttabUnmapAndReplace), nameof(GnttabUnmapAndReplace.Status), 20 },

            { "gnttab_set_version.version", typeof(GnttabSetVersion), nameof(GnttabSetVersion.Version), 0 },

            { "gnttab_get_status_frames.nr_frames", typeof(GnttabGetStatusFrames), nameof(GnttabGetStatusFrames.NrFrames), 0 },
            { "gnttab_get_status_frames.dom", typeof(GnttabGetStatusFrames), nameof(GnttabGetStatusFrames.Dom), 4 },
            { "gnttab_get_status_frames.status", typeof(GnttabGetStatusFrames), nameof(GnttabGetStatusFrames.Status), 6 },
            { "gnttab_get_status_frames.frame_list", typeof(GnttabGetStatusFrames), nameof(GnttabGetStatusFrames.FrameList), 8 },

            { "gnttab_get_version.dom", typeof(GnttabGetVersion), nameof(GnttabGetVersion.Dom), 0 },
            { "gnttab_get_version.pad", typeof(GnttabGetVersion), nameof(GnttabGetVersion.Pad), 2 },
            { "gnttab_get_version.version", typeof(GnttabGetVersion), nameof(GnttabGetVersion.Version), 4 },

            { "gnttab_swap_grant_ref.ref_a", typeof(GnttabSwapGrantRef), nameof(GnttabSwapGrantRef.RefA), 0 },
            { "gnttab_swap_grant_ref.ref_b", typeof(GnttabSwapGrantRef), nameof(GnttabSwapGrantRef.RefB), 4 },
            { "gnttab_swap_grant_ref.status", typeof(GnttabSwapGrantRef), nameof(GnttabSwapGrantRef.Status), 8 },

            { "gnttab_cache_flush.a.dev_bus_addr", typeof(GnttabCacheFlush), nameof(GnttabCacheFlush.DevBusAddr), 0 },
            { "gnttab_cache_flush.a.ref", typeof(GnttabCacheFlush), nameof(GnttabCacheFlush.Ref), 0 },
            { "gnttab_cache_flush.offset", typeof(GnttabCacheFlush), nameof(GnttabCacheFlush.Offset), 8 },
            { "gnttab_cache_flush.length", typeof(GnttabCacheFlush), nameof(GnttabCacheFlush.Length), 10 },
            { "gnttab_cache_flush.op", typeof(GnttabCacheFlush), nameof(GnttabCacheFlush.Op), 12 },
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
