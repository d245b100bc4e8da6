using Hypervisor.Core.Memory;

namespace Hypervisor.Arch.X86_64
{
    // The hypervisor's own 4-level page tables. Everything lives in the PML4 slots that Xen's
    // x86-64 PV ABI reserves for the hypervisor (256-271): the direct map of physical memory at
    // 0xFFFF830000000000 and the image at 0xFFFF82D080000000. The lower half and the rest of the
    // upper half stay empty: that space belongs to guests.
    internal static unsafe class HypervisorPageTables
    {
        public const ulong Present = 1UL << 0;
        public const ulong Writable = 1UL << 1;
        public const ulong User = 1UL << 2;
        public const ulong WriteThrough = 1UL << 3;
        public const ulong CacheDisable = 1UL << 4;
        public const ulong LargePage = 1UL << 7;
        public const ulong Global = 1UL << 8;
        public const ulong NoExecute = 1UL << 63;
        public const ulong AddressMask = 0x000FFFFFFFFFF000UL;
        public const ulong LargePageSize = 2UL << 20;

        public static ulong RootPhysical { get; private set; }
        public static ulong DirectMapLimit { get; private set; }
        public static ulong TableFrames { get; private set; }

        private static FrameAllocator s_frames;

        // Builds the tables and switches to them. Returns false (and stays on the boot tables)
        // when frames for the tables cannot be had below the boot identity map's 4 GiB.
        public static bool Build(FrameAllocator frames, ulong physicalTop, in ImageLayout image)
        {
            s_frames = frames;
            if (!TryNewTable(out ulong root))
                return false;

            // Direct map: all of physical memory up to the top of RAM, and at least the low 4 GiB
            // (firmware tables and the local APIC live there), in 2 MiB pages.
            ulong limit = physicalTop < PhysicalWindow.IdentityLimit ? PhysicalWindow.IdentityLimit : physicalTop;
            limit = (limit + LargePageSize - 1) & ~(LargePageSize - 1);
            for (ulong physical = 0; physical < limit; physical += LargePageSize)
            {
                ulong flags = Present | Writable | Global | NoExecute;
                // The top of the low 4 GiB holds device registers: uncached.
                if (physical >= 0xFE000000UL && physical < PhysicalWindow.IdentityLimit)
                    flags |= CacheDisable | WriteThrough;
                if (!MapLarge(root, PhysicalWindow.DirectMapBase + physical, physical, flags))
                    return false;
            }

            // The image in 4 KiB pages: code read-only and executable, read-only data not
            // executable, data and .bss writable and not executable.
            for (ulong virt = image.ImageStart; virt < image.ImageEnd; virt += FrameAllocator.FrameSize)
            {
                ulong flags = Present | Global;
                if (virt >= image.TextEnd)
                    flags |= NoExecute;
                if (virt >= image.ReadOnlyEnd)
                    flags |= Writable;
                if (!MapSmall(root, virt, virt - image.VirtualOffset, flags))
                    return false;
            }

            Cpu.WriteCr4(Cpu.ReadCr4() | (1UL << 7));   // global pages survive guest CR3 switches
            Cpu.WriteCr3(root);
            RootPhysical = root;
            DirectMapLimit = limit;
            PhysicalWindow.SwitchToDirectMap();
            return true;
        }

        private static bool TryNewTable(out ulong physical)
        {
            if (!s_frames.TryAllocate(out physical) || physical + FrameAllocator.FrameSize > PhysicalWindow.IdentityLimit)
                return false;
            ulong* table = (ulong*)PhysicalWindow.ToVirtual(physical);
            for (int i = 0; i < 512; i++)
                table[i] = 0;
            TableFrames++;
            return true;
        }

        // The table one level down from `table` for `virt`, created when missing.
        private static ulong* Next(ulong tablePhysical, ulong virt, int shift)
        {
            ulong* table = (ulong*)PhysicalWindow.ToVirtual(tablePhysical);
            ulong index = (virt >> shift) & 511;
            if ((table[index] & Present) == 0)
            {
                if (!TryNewTable(out ulong next))
                    return null;
                table[index] = next | Present | Writable;
            }
            return (ulong*)(table[index] & AddressMask);
        }

        private static bool MapLarge(ulong root, ulong virt, ulong physical, ulong flags)
        {
            ulong* pdpt = Next(root, virt, 39);
            if (pdpt == null) return false;
            ulong* pd = Next((ulong)pdpt, virt, 30);
            if (pd == null) return false;
            ((ulong*)PhysicalWindow.ToVirtual((ulong)pd))[(virt >> 21) & 511] = physical | flags | LargePage;
            return true;
        }

        private static bool MapSmall(ulong root, ulong virt, ulong physical, ulong flags)
        {
            ulong* pdpt = Next(root, virt, 39);
            if (pdpt == null) return false;
            ulong* pd = Next((ulong)pdpt, virt, 30);
            if (pd == null) return false;
            ulong* pt = Next((ulong)pd, virt, 21);
            if (pt == null) return false;
            ((ulong*)PhysicalWindow.ToVirtual((ulong)pt))[(virt >> 12) & 511] = physical | flags;
            return true;
        }

        // Whether `virt` is mapped, walking the live tables (for the panic screen's stack dump).
        public static bool IsMapped(ulong virt)
        {
            ulong table = Cpu.ReadCr3() & AddressMask;
            for (int shift = 39; shift >= 12; shift -= 9)
            {
                ulong entry = ((ulong*)PhysicalWindow.ToVirtual(table))[(virt >> shift) & 511];
                if ((entry & Present) == 0)
                    return false;
                if (shift > 12 && shift < 39 && (entry & LargePage) != 0)
                    return true;
                table = entry & AddressMask;
            }
            return true;
        }
    }
}
