namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// The bits of an x86-64 page-table entry (any level) and the masks the PV rules are made of.
    /// Only 4 KiB frames are involved: 64-bit PV guests get no superpages.
    /// </summary>
    public static class PageTableEntry
    {
        public const ulong Present = 1UL << 0;
        public const ulong Writable = 1UL << 1;
        public const ulong User = 1UL << 2;
        public const ulong WriteThrough = 1UL << 3;
        public const ulong CacheDisable = 1UL << 4;
        public const ulong Accessed = 1UL << 5;
        public const ulong Dirty = 1UL << 6;

        /// <summary>Bit 7: PAT in an L1 entry, "large page" (PSE) in an L2 or L3 entry.</summary>
        public const ulong LargePage = 1UL << 7;
        public const ulong Pat = 1UL << 7;
        public const ulong Global = 1UL << 8;

        /// <summary>Bits 9-11, free for software.</summary>
        public const ulong Available = 0x7UL << 9;

        /// <summary>Bits 52-62, free for software (and protection keys, which PV guests do not get).</summary>
        public const ulong AvailableHigh = 0x7FFUL << 52;

        /// <summary>Bit 62: Xen's marker for grant mappings; a guest may not set it in an L1 entry, so
        /// that only the grant-table code can make such mappings.</summary>
        public const ulong GrantMapping = 1UL << 62;
        public const ulong NoExecute = 1UL << 63;

        /// <summary>The machine address bits (12-51).</summary>
        public const ulong AddressMask = 0x000F_FFFF_FFFF_F000UL;

        public const ulong CacheAttributes = WriteThrough | CacheDisable | Pat;

        /// <summary>Bits any guest entry may carry, at every level (Xen's base_disallow_mask inverted).
        /// Everything else (cache control, PSE, global) changes what the hardware does with the entry
        /// and is refused with -EINVAL unless a level allows more.</summary>
        public const ulong GuestFlags = Present | Writable | User | Accessed | Dirty | Available | AvailableHigh | NoExecute;

        /// <summary>L1 adds the global bit (user mappings may use it), takes the grant marker away,
        /// and adds cache attributes for domains with I/O-memory access.</summary>
        public const ulong GuestL1Flags = (GuestFlags | Global) & ~GrantMapping;
        public const ulong GuestL1FlagsWithIo = GuestL1Flags | CacheAttributes;

        /// <summary>Flags a guest may change without the entry being revalidated (Xen's fast path):
        /// none of them changes the target, its writability or its caching.</summary>
        public const ulong FastPathFlags = NoExecute | AvailableHigh | Available | Global | Dirty | Accessed | User;

        public const int EntriesPerTable = 512;
        public const int EntrySize = 8;

        /// <summary>L4 slots 256..271 (0xFFFF800000000000..0xFFFF87FFFFFFFFFF) belong to the hypervisor
        /// in every 64-bit PV address space.</summary>
        public const int FirstHypervisorSlot = 256;
        public const int LastHypervisorSlot = 271;
        public const int HypervisorSlotCount = LastHypervisorSlot - FirstHypervisorSlot + 1;

        /// <summary>Slot 256 holds the read-only machine-to-phys table.</summary>
        public const int MachToPhysSlot = 256;

        public static bool IsPresent(ulong entry)
        {
            return (entry & Present) != 0;
        }

        /// <summary>The machine frame number an entry points at.</summary>
        public static ulong FrameOf(ulong entry)
        {
            return (entry & AddressMask) >> FrameAllocator.FrameShift;
        }

        /// <summary>An entry pointing at <paramref name="mfn"/> with <paramref name="flags"/>.</summary>
        public static ulong Make(ulong mfn, ulong flags)
        {
            return ((mfn << FrameAllocator.FrameShift) & AddressMask) | flags;
        }

        public static bool IsHypervisorSlot(int l4Slot)
        {
            return l4Slot >= FirstHypervisorSlot && l4Slot <= LastHypervisorSlot;
        }
    }
}
