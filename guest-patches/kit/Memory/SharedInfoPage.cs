using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The shared-info page (vCPU info, event channel bitmaps, wall clock). start_info gives its machine
    /// address; the kit maps it with update_va_mapping over a page of its own image set aside for it,
    /// on first use.
    /// </summary>
    public static unsafe class SharedInfoPage
    {
        [RuntimeImport("kit_shared_info_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern byte* ReservedPage();

        private static SharedInfo* s_page;
        private static long s_mapResult = 1;
        private static bool s_tried;

        /// <summary>What update_va_mapping returned (1: not tried yet).</summary>
        public static long MapResult => s_mapResult;

        /// <summary>The mapped page, or null when mapping failed.</summary>
        public static SharedInfo* Get()
        {
            if (!s_tried)
                Map();
            return s_page;
        }

        /// <summary>Maps (again) the page; returns update_va_mapping's result.</summary>
        public static long Map()
        {
            s_tried = true;
            StartInfo* start = StartOfDay.StartInfo;
            if (start == null)
                return s_mapResult;
            byte* va = ReservedPage();
            ulong entry = (start->SharedInfo & PageFlags.FrameMask) | PageFlags.Present | PageFlags.Writable
                        | PageFlags.Accessed | PageFlags.Dirty;
            s_mapResult = Hypercalls.UpdateVaMapping((ulong)va, entry, PageFlags.UvmfInvlpg);
            s_page = s_mapResult == 0 ? (SharedInfo*)va : null;
            return s_mapResult;
        }

        /// <summary>The address of the last page fault of vCPU 0 (arch.cr2), or 0 when the page is not mapped.</summary>
        public static ulong ReadFaultAddress()
        {
            SharedInfo* shared = Get();
            return shared == null ? 0 : SharedInfo.VcpuInfoOf(shared, 0)->Arch.Cr2;
        }
    }
}
