using System.Runtime.InteropServices;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;

namespace Hypervisor.Arch.X86_64
{
    // The page below 1 MiB where application processors start (asm/trampoline.asm): chosen while
    // the memory map is read, filled before each CPU's SIPI. The frame allocator never hands out
    // anything below 1 MiB (StartOfDay reserves it all first), so the page stays free as long as it
    // is RAM and holds none of the boot loader's data.
    internal static unsafe class StartupTrampoline
    {
        // A SIPI's vector is the page number: below 1 MiB, and above the real-mode interrupt table
        // and BIOS data area in page 0. Stop below the EBDA and video memory.
        private const ulong Lowest = 0x1000;
        private const ulong Limit = 0x9F000;

        /// <summary>Physical address of the page (0: none found).</summary>
        public static ulong Page { get; private set; }

        /// <summary>Picks the highest free RAM page below the EBDA that holds no boot information or
        /// module (high, as Linux does, so that it stays clear of what firmware leaves at the bottom).</summary>
        public static ulong Choose(MemoryMap map, BootInfo info)
        {
            for (ulong page = Limit - FrameAllocator.FrameSize; page >= Lowest; page -= FrameAllocator.FrameSize)
            {
                if (!map.IsUsable(page, FrameAllocator.FrameSize) || Overlaps(page, info.InfoAddress, info.InfoLength))
                    continue;
                bool free = true;
                for (int i = 0; i < info.Modules.Length; i++)
                {
                    if (Overlaps(page, info.Modules[i].Start, info.Modules[i].Length))
                        free = false;
                }
                if (free)
                {
                    Page = page;
                    return page;
                }
            }
            return 0;
        }

        private static bool Overlaps(ulong page, ulong start, ulong length) =>
            length != 0 && start < page + FrameAllocator.FrameSize && page < start + length;

        /// <summary>Copies the template into the page; false when it does not fit or there is no page.</summary>
        public static bool Install(ulong bootTables, ulong hypervisorTables)
        {
            ApTrampolineImage image;
            Cpu.GetApTrampoline(&image);
            if (Page == 0 || image.Length > FrameAllocator.FrameSize || bootTables >= PhysicalWindow.IdentityLimit)
                return false;
            byte* page = PhysicalWindow.ToVirtual(Page);
            byte* template = (byte*)image.Start;
            for (ulong i = 0; i < image.Length; i++)
                page[i] = template[i];
            s_data = (ApStartData*)(page + image.DataOffset);
            s_data->BootTables = bootTables;
            s_data->HypervisorTables = hypervisorTables;
            return true;
        }

        private static ApStartData* s_data;

        /// <summary>The SIPI vector that starts a CPU in the page.</summary>
        public static byte Vector => (byte)(Page >> 12);

        /// <summary>Sets what the next CPU to start reads; clears the started flag.</summary>
        public static void Prepare(int cpuIndex, ulong stackTop)
        {
            s_data->StackTop = stackTop;
            s_data->CpuIndex = (ulong)cpuIndex;
            Cpu.AtomicStore((int*)&s_data->Started, 0);
        }

        /// <summary>True once the CPU has read its data and is in the image.</summary>
        public static bool Started => Cpu.AtomicLoad((int*)&s_data->Started) != 0;
    }

    // What asm/trampoline.asm's hv_ap_trampoline reports.
    internal struct ApTrampolineImage
    {
        public ulong Start;        // virtual address of the template in the image
        public ulong Length;
        public ulong DataOffset;   // where ApStartData lies in it
    }

    // The template's data block (DATA_* in asm/trampoline.asm).
    [StructLayout(LayoutKind.Sequential)]
    internal struct ApStartData
    {
        public ulong BootTables;        // physical, below 4 GiB: CR3 while the CPU enters long mode
        public ulong HighEntry;         // set by the template itself
        public ulong HypervisorTables;  // physical: CR3 once in the image
        public ulong StackTop;
        public ulong CpuIndex;
        public ulong Started;           // written by the starting CPU
    }
}
