using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Memory
{
    /// <summary>
    /// A small machine for PV memory tests: 512 frames of fake RAM, a frame table over them, and a
    /// 4-level hierarchy built the way a PV domain builder does (tables mapped read-only, data writable,
    /// the kernel at 0xFFFFFFFF80000000), with helpers to read and write entries.
    /// </summary>
    internal sealed class PvMemory
    {
        public const ushort Dom = 1;
        public const ushort Other = 2;
        public const int FrameCount = 512;

        public const ulong P = PageTableEntry.Present;
        public const ulong RW = PageTableEntry.Writable;
        public const ulong US = PageTableEntry.User;

        // The hierarchy BuildHierarchy makes.
        public const ulong L4 = 10, L3 = 11, L2 = 12, L1 = 13;
        public const ulong FirstData = 20;
        public const int DataFrames = 8;
        public const ulong KernelBase = 0xFFFF_FFFF_8000_0000UL;   // L4 511, L3 510, L2 0, L1 0..
        public const int L4Slot = 511, L3Slot = 510, L2Slot = 0;

        /// <summary>L1 slots mapping the four tables (read-only), after the data pages.</summary>
        public const int TableMappingSlot = DataFrames;

        public readonly FakeMemory Memory;
        public readonly FrameTable Frames;

        public PvMemory()
        {
            Memory = new FakeMemory().Map(0, FrameCount * 4096);
            Frames = new FrameTable(Memory, FrameCount);
        }

        public static ulong E(ulong mfn, ulong flags) => PageTableEntry.Make(mfn, flags);

        public static ulong Address(ulong tableMfn, int index) => tableMfn * 4096 + (ulong)index * 8;

        public void Set(ulong tableMfn, int index, ulong entry) => Memory.Write64(Address(tableMfn, index), entry);

        public ulong Get(ulong tableMfn, int index) => Memory.Read64(Address(tableMfn, index));

        public ulong Give(ulong mfn, ushort owner = Dom)
        {
            Assert.Equal(0, Frames.Assign(mfn, owner));
            return mfn;
        }

        /// <summary>Writes the tables (no hypercalls: plain memory, as the builder does before pinning).</summary>
        public void WriteHierarchy()
        {
            foreach (ulong t in new[] { L4, L3, L2, L1 })
            {
                Give(t);
            }

            for (ulong i = 0; i < DataFrames; i++)
            {
                Give(FirstData + i);
            }

            Set(L4, L4Slot, E(L3, P | RW | US));
            Set(L3, L3Slot, E(L2, P | RW | US));
            Set(L2, L2Slot, E(L1, P | RW | US));
            for (int i = 0; i < DataFrames; i++)
            {
                Set(L1, i, E(FirstData + (ulong)i, P | RW));          // USER left to the hypervisor
            }

            ulong[] tables = { L4, L3, L2, L1 };
            for (int i = 0; i < tables.Length; i++)
            {
                Set(L1, TableMappingSlot + i, E(tables[i], P | US)); // page tables: read-only
            }
        }

        /// <summary>Writes the hierarchy and pins its L4, as the builder does.</summary>
        public void BuildHierarchy()
        {
            WriteHierarchy();
            Assert.Equal(0, Frames.Pin(Dom, L4, 4));
        }

        /// <summary>Nothing of the domain holds a reference or a type any more.</summary>
        public void AssertNothingHeld()
        {
            for (ulong mfn = 0; mfn < FrameCount; mfn++)
            {
                if (Frames.IsSharedWithGuests(mfn))
                {
                    continue;
                }

                Assert.True(Frames.ReferencesOf(mfn) == 0, $"frame {mfn} still has {Frames.ReferencesOf(mfn)} references");
                Assert.True(Frames.TypeCountOf(mfn) == 0, $"frame {mfn} still has type {Frames.TypeOf(mfn)} x{Frames.TypeCountOf(mfn)}");
                Assert.False(Frames.IsPinned(mfn));
            }

            Assert.Equal(0UL, Frames.AccountingErrors);
        }
    }
}
