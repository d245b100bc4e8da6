using Hypervisor.Abi;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// The machine-to-phys table (M2P): for every machine frame, the guest frame number its owner
    /// uses for it, 8 bytes per entry, in hypervisor memory at a machine address chosen at boot.
    /// Guests read it directly at 0xFFFF800000000000 (L4 slot 256, read-only); they change their own
    /// entries with MMU_MACHPHYS_UPDATE. Entries nobody set read <see cref="Invalid"/>.
    /// </summary>
    public sealed class MachineToPhys
    {
        public const ulong Invalid = ~0UL;

        /// <summary>Where guests see the table (MACH2PHYS_VIRT_START).</summary>
        public const ulong GuestVirtualBase = Hypervisor.Abi.AddressSpaceLayout.MachToPhysVirtStart;

        /// <summary>The guest window is 256 GiB (MACH2PHYS_VIRT_END - START): 2^35 entries at most.</summary>
        public const ulong MaximumEntries = 1UL << 35;

        private const ulong LargePageSize = 2UL << 20;

        private readonly PhysicalMemory memory;
        private readonly ulong baseAddress;
        private readonly ulong entryCount;

        /// <summary>The table occupies [<paramref name="baseAddress"/>, + 8 * <paramref name="entryCount"/>)
        /// (page-aligned; at most <see cref="MaximumEntries"/>). Call <see cref="InvalidateAll"/> once
        /// before use.</summary>
        public MachineToPhys(PhysicalMemory memory, ulong baseAddress, ulong entryCount)
        {
            this.memory = memory;
            this.baseAddress = baseAddress;
            this.entryCount = entryCount > MaximumEntries ? MaximumEntries : entryCount;
        }

        public ulong BaseAddress
        {
            get { return baseAddress; }
        }

        public ulong EntryCount
        {
            get { return entryCount; }
        }

        /// <summary>Bytes of table, rounded up to whole frames (what must be allocated and mapped).</summary>
        public ulong SizeInBytes
        {
            get { return (entryCount * 8 + FrameAllocator.FrameSize - 1) & ~(FrameAllocator.FrameSize - 1); }
        }

        /// <summary>Every entry (and the padding up to the frame end) becomes <see cref="Invalid"/>.</summary>
        public void InvalidateAll()
        {
            memory.Fill(baseAddress, SizeInBytes, 0xFF);
        }

        /// <summary>Records that machine frame <paramref name="mfn"/> is guest frame <paramref name="pfn"/>
        /// (the hypervisor's own use: domain builder, memory_op). False when beyond the table.</summary>
        public bool Set(ulong mfn, ulong pfn)
        {
            if (mfn >= entryCount)
            {
                return false;
            }

            memory.Write64(baseAddress + mfn * 8, pfn);
            return true;
        }

        /// <summary>The guest frame recorded for <paramref name="mfn"/>; <see cref="Invalid"/> beyond the table.</summary>
        public ulong Get(ulong mfn)
        {
            return mfn < entryCount ? memory.Read64(baseAddress + mfn * 8) : Invalid;
        }

        /// <summary>
        /// MMU_MACHPHYS_UPDATE (mfn = request ptr >> 12, pfn = request val): only for a frame owned by
        /// <paramref name="domain"/> (the caller, or the foreign domain a privileged caller names);
        /// -EINVAL otherwise. The value itself is the guest's business and is not checked.
        /// </summary>
        public int GuestUpdate(FrameTable frames, ushort domain, ulong mfn, ulong pfn)
        {
            if (!FrameOwner.IsDomain(domain) || frames.OwnerOf(mfn) != domain || mfn >= entryCount)
            {
                return -XenErrno.EINVAL;
            }

            memory.Write64(baseAddress + mfn * 8, pfn);
            return 0;
        }

        /// <summary>
        /// Builds the page tables that show the table to guests read-only at <see cref="GuestVirtualBase"/>
        /// and returns the L4 entry for slot 256 (give it to <see cref="FrameTable.SetHypervisorSlots"/>).
        /// Present + USER + no RW at every level, NX on the leaves; 2 MiB pages where both the table
        /// offset and the machine address are 2 MiB-aligned and the whole page is table, 4 KiB pages
        /// elsewhere, so nothing beyond the table is ever exposed. Table frames come from
        /// <paramref name="allocator"/> (set-up time only); false when it runs out.
        /// </summary>
        public bool TryBuildGuestMapping(FrameAllocator allocator, out ulong l4Entry)
        {
            l4Entry = 0;
            const ulong tableFlags = PageTableEntry.Present | PageTableEntry.User;
            const ulong leafFlags = PageTableEntry.Present | PageTableEntry.User | PageTableEntry.NoExecute;
            if ((baseAddress & (FrameAllocator.FrameSize - 1)) != 0 || !TryNewTable(allocator, out ulong l3))
            {
                return false;
            }

            ulong size = SizeInBytes;
            ulong offset = 0;
            while (offset < size)
            {
                if (!TryNextTable(allocator, l3, (offset >> 30) & 511, tableFlags, out ulong l2))
                {
                    return false;
                }

                ulong machine = baseAddress + offset;
                ulong l2Slot = l2 + ((offset >> 21) & 511) * 8;
                if ((offset & (LargePageSize - 1)) == 0 && (machine & (LargePageSize - 1)) == 0 && size - offset >= LargePageSize)
                {
                    memory.Write64(l2Slot, machine | leafFlags | PageTableEntry.LargePage);
                    offset += LargePageSize;
                    continue;
                }

                if (!TryNextTable(allocator, l2, (offset >> 21) & 511, tableFlags, out ulong l1))
                {
                    return false;
                }

                memory.Write64(l1 + ((offset >> 12) & 511) * 8, machine | leafFlags);
                offset += FrameAllocator.FrameSize;
            }

            l4Entry = l3 | tableFlags;
            return true;
        }

        // The table the entry at `index` of `table` points to, created (zeroed) when missing.
        private bool TryNextTable(FrameAllocator allocator, ulong table, ulong index, ulong flags, out ulong next)
        {
            ulong slot = table + index * 8;
            ulong entry = memory.Read64(slot);
            if ((entry & PageTableEntry.Present) != 0)
            {
                next = entry & PageTableEntry.AddressMask;
                return true;
            }

            if (!TryNewTable(allocator, out next))
            {
                return false;
            }

            memory.Write64(slot, next | flags);
            return true;
        }

        private bool TryNewTable(FrameAllocator allocator, out ulong address)
        {
            return allocator.TryAllocate(out address);   // zeroed: an empty table
        }
    }
}
