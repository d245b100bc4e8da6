using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;
using static Hypervisor.Core.Tests.Memory.PvMemory;

namespace Hypervisor.Core.Tests.Memory
{
    /// <summary>MMU_NORMAL_PT_UPDATE on the hierarchy of <see cref="PvMemory"/>: one case per rule.</summary>
    public class EntryUpdateTests
    {
        // Frames the cases point at, set up by Machine().
        private const ulong OwnFree = 30;        // the domain's, unused
        private const ulong Foreign = 31;        // another domain's
        private const ulong Unassigned = 32;     // nobody's
        private const ulong HvPrivate = 33;      // the hypervisor's, not shared
        private const ulong HvShared = 34;       // the hypervisor's, shared read-only
        private const ulong IoHole = 35;         // non-RAM inside the table
        private const ulong BadL1 = 36;          // the domain's, content invalid as an L1
        private const ulong Mmio = FrameCount + 100;

        private const int FreeSlot = 100;

        private static PvMemory Machine(IoMemoryAccess io = null)
        {
            var m = new PvMemory();
            m.BuildHierarchy();
            m.Give(OwnFree);
            m.Give(Foreign, Other);
            m.Give(HvPrivate, FrameOwner.Hypervisor);
            Assert.Equal(0, m.Frames.ShareWithGuests(HvShared));
            m.Give(IoHole, FrameOwner.Io);
            m.Give(BadL1);
            m.Set(BadL1, 7, E(Foreign, P));
            m.Frames.IoMemory = io;
            return m;
        }

        private static IoMemoryAccess Dom0Io()
        {
            var io = new Mock<IoMemoryAccess>();
            io.Setup(a => a.IsPermitted(Dom, It.IsAny<ulong>())).Returns(true);
            io.Setup(a => a.HasAny(Dom)).Returns(true);
            return io.Object;
        }

        public static TheoryData<string, ulong, int> L1Cases => new TheoryData<string, ulong, int>
        {
            { "not present: anything goes", 0xDEAD_BEEF_0000_0000UL & ~P, 0 },
            { "own frame read-only", E(OwnFree, P), 0 },
            { "own frame writable", E(OwnFree, P | RW), 0 },
            { "own frame, user, accessed, dirty, NX, software bits", E(OwnFree, P | RW | US | PageTableEntry.Accessed | PageTableEntry.Dirty | PageTableEntry.NoExecute | PageTableEntry.Available | (1UL << 52)), 0 },
            { "global is accepted in L1", E(OwnFree, P | PageTableEntry.Global), 0 },
            { "page table mapped read-only", E(L2, P), 0 },
            { "hypervisor frame shared read-only", E(HvShared, P), 0 },
            { "write-through refused", E(OwnFree, P | PageTableEntry.WriteThrough), -XenErrno.EINVAL },
            { "cache-disable refused", E(OwnFree, P | PageTableEntry.CacheDisable), -XenErrno.EINVAL },
            { "PAT refused", E(OwnFree, P | PageTableEntry.Pat), -XenErrno.EINVAL },
            { "grant marker (bit 62) refused", E(OwnFree, P | PageTableEntry.GrantMapping), -XenErrno.EINVAL },
            { "page table mapped writable", E(L2, P | RW), -XenErrno.EBUSY },
            { "another domain's frame", E(Foreign, P), -XenErrno.EBUSY },
            { "unassigned frame", E(Unassigned, P), -XenErrno.EBUSY },
            { "hypervisor private frame", E(HvPrivate, P), -XenErrno.EBUSY },
            { "shared hypervisor frame writable", E(HvShared, P | RW), -XenErrno.EBUSY },
            { "MMIO beyond RAM without I/O access", E(Mmio, P | RW), -XenErrno.EPERM },
            { "I/O hole without I/O access", E(IoHole, P), -XenErrno.EPERM },
        };

        [Theory]
        [MemberData(nameof(L1Cases))]
        public void L1Entry(string rule, ulong value, int expected)
        {
            var m = Machine();
            Assert.True(expected == m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), value), rule);
            if (expected == 0)
            {
                ulong stored = m.Get(L1, FreeSlot);
                if ((value & P) != 0)
                {
                    Assert.True((stored & US) != 0, "USER forced for ring 3");
                    Assert.True((stored & PageTableEntry.Global) == 0, "global cleared");
                    Assert.Equal(value & PageTableEntry.AddressMask, stored & PageTableEntry.AddressMask);
                }
                else
                {
                    Assert.Equal(value, stored);
                }
            }
            else
            {
                Assert.Equal(0UL, m.Get(L1, FreeSlot));
            }

            // Whatever happened, taking the entry away and tearing down leaves nothing behind.
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), 0));
            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            m.AssertNothingHeld();
        }

        [Fact]
        public void L1Entry_ReferencesFollowTheMapping()
        {
            var m = Machine();
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), E(OwnFree, P | RW)));
            Assert.Equal(1u, m.Frames.ReferencesOf(OwnFree));
            Assert.Equal(PageType.Writable, m.Frames.TypeOf(OwnFree));
            Assert.Equal(1u, m.Frames.TypeCountOf(OwnFree));

            // Writable -> read-only: the type reference goes, the general one stays.
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), E(OwnFree, P)));
            Assert.Equal(1u, m.Frames.ReferencesOf(OwnFree));
            Assert.Equal(0u, m.Frames.TypeCountOf(OwnFree));

            // Retarget: the old frame is released.
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), E(HvShared, P)));
            Assert.Equal(0u, m.Frames.ReferencesOf(OwnFree));
            Assert.Equal(1u, m.Frames.ReferencesOf(HvShared));

            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), 0));
            Assert.Equal(0u, m.Frames.ReferencesOf(HvShared));
        }

        [Fact]
        public void L1Entry_FastPath_HarmlessFlagChangesTakeNoNewReferences()
        {
            var m = Machine();
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), E(OwnFree, P | RW)));
            ulong changed = E(OwnFree, P | RW | PageTableEntry.Accessed | PageTableEntry.Dirty | PageTableEntry.NoExecute);
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), changed));
            Assert.Equal(changed | US, m.Get(L1, FreeSlot));
            Assert.Equal(1u, m.Frames.ReferencesOf(OwnFree));
            Assert.Equal(1u, m.Frames.TypeCountOf(OwnFree));

            // Still checked: a refused flag is refused on the fast path too.
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), changed | PageTableEntry.CacheDisable));
        }

        [Fact]
        public void L1Entry_WithIoAccess_MapsDeviceMemoryUncachedWithoutReference()
        {
            var m = Machine(Dom0Io());
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), E(Mmio, P | RW)));
            ulong stored = m.Get(L1, FreeSlot);
            Assert.Equal(PageTableEntry.WriteThrough | PageTableEntry.CacheDisable, stored & PageTableEntry.CacheAttributes);

            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot + 1), E(IoHole, P | PageTableEntry.CacheDisable)));
            Assert.Equal(PageTableEntry.CacheDisable, m.Get(L1, FreeSlot + 1) & PageTableEntry.CacheAttributes);  // UC- kept
            Assert.Equal(0u, m.Frames.ReferencesOf(IoHole));

            // Cache attributes on RAM are the domain's choice once it drives devices.
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot + 2), E(OwnFree, P | PageTableEntry.WriteThrough)));

            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            Assert.Equal(0u, m.Frames.ReferencesOf(OwnFree));
        }

        [Fact]
        public void L1Entry_IoAccessOfOneDomainDoesNotExtendToAnother()
        {
            var m = Machine(Dom0Io());
            m.Give(50, Other);
            m.Set(50, 0, E(Mmio, P));
            Assert.Equal(-XenErrno.EPERM, m.Frames.Pin(Other, 50, 1));
            m.Set(50, 0, E(OwnFree, P | PageTableEntry.CacheDisable));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Other, 50, 1));
        }

        [Fact]
        public void L1Entry_ForeignMappingForAPrivilegedCaller()
        {
            var m = Machine();
            // dom0-style: map another domain's frame, named explicitly (mmu_update's foreigndom).
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Other, Address(L1, FreeSlot), E(Foreign, P | RW)));
            Assert.Equal(PageType.Writable, m.Frames.TypeOf(Foreign));
            Assert.Equal(1u, m.Frames.ReferencesOf(Foreign));
            // ...but never the caller's own frames under another name.
            Assert.Equal(-XenErrno.EBUSY, m.Frames.UpdateEntry(Dom, Other, Address(L1, FreeSlot + 1), E(OwnFree, P)));
            // ...and never at upper levels.
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateEntry(Dom, Other, Address(PvMemory.L2, 5), 0));

            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(L1, FreeSlot), 0));
            Assert.Equal(0u, m.Frames.ReferencesOf(Foreign));
            Assert.Equal(0u, m.Frames.TypeCountOf(Foreign));
        }

        public static TheoryData<string, int, ulong, int> UpperLevelCases => new TheoryData<string, int, ulong, int>
        {
            { "L2 -> fresh frame becomes an L1", 2, E(OwnFree, P | RW), 0 },
            { "L2 not present", 2, 0x1234_5000UL, 0 },
            { "L2 superpage refused", 2, E(OwnFree, P | RW | PageTableEntry.LargePage), -XenErrno.EINVAL },
            { "L2 global refused", 2, E(OwnFree, P | PageTableEntry.Global), -XenErrno.EINVAL },
            { "L2 cache-disable refused", 2, E(OwnFree, P | PageTableEntry.CacheDisable), -XenErrno.EINVAL },
            { "L2 write-through refused", 2, E(OwnFree, P | PageTableEntry.WriteThrough), -XenErrno.EINVAL },
            { "L2 -> frame mapped writable", 2, E(FirstData, P | RW), -XenErrno.EINVAL },
            { "L2 -> another domain's frame", 2, E(Foreign, P), -XenErrno.EINVAL },
            { "L2 -> shared hypervisor frame", 2, E(HvShared, P), -XenErrno.EINVAL },
            { "L2 -> MMIO", 2, E(Mmio, P), -XenErrno.EINVAL },
            { "L2 -> itself (linear page table)", 2, E(PvMemory.L2, P), -XenErrno.EINVAL },
            { "L2 -> an L3", 2, E(PvMemory.L3, P), -XenErrno.EINVAL },
            { "L2 -> L1 whose content is refused (error propagates)", 2, E(BadL1, P), -XenErrno.EBUSY },
            { "L3 -> fresh frame becomes an L2", 3, E(OwnFree, P | RW), 0 },
            { "L3 1 GiB page refused", 3, E(OwnFree, P | PageTableEntry.LargePage), -XenErrno.EINVAL },
            { "L3 -> an L1", 3, E(PvMemory.L1, P), -XenErrno.EINVAL },
            { "L4 -> fresh frame becomes an L3", 4, E(OwnFree, P | RW), 0 },
            { "L4 -> itself (linear page table)", 4, E(PvMemory.L4, P), -XenErrno.EINVAL },
            { "L4 -> L2", 4, E(PvMemory.L2, P), -XenErrno.EINVAL },
        };

        [Theory]
        [MemberData(nameof(UpperLevelCases))]
        public void UpperLevelEntry(string rule, int level, ulong value, int expected)
        {
            var m = Machine();
            ulong table = level == 2 ? PvMemory.L2 : level == 3 ? PvMemory.L3 : PvMemory.L4;
            const int slot = 5;
            Assert.True(expected == m.Frames.UpdateEntry(Dom, Address(table, slot), value), rule);
            if (expected == 0 && (value & P) != 0)
            {
                Assert.Equal(value | US, m.Get(table, slot));
                Assert.Equal((PageType)(level - 1), m.Frames.TypeOf(OwnFree));
                Assert.True(m.Frames.IsValidated(OwnFree));
            }
            else if (expected != 0)
            {
                Assert.Equal(0UL, m.Get(table, slot));
            }

            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(table, slot), 0));
            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            Assert.Equal(0u, m.Frames.TypeCountOf(OwnFree));
            Assert.Equal(0u, m.Frames.ReferencesOf(OwnFree));
            Assert.Equal(0UL, m.Frames.AccountingErrors);
        }

        [Theory]
        [InlineData(256)]
        [InlineData(262)]
        [InlineData(271)]
        public void L4HypervisorSlots_NeverGuestWritable(int slot)
        {
            var m = Machine();
            ulong before = m.Get(PvMemory.L4, slot);
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateEntry(Dom, Address(PvMemory.L4, slot), 0));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateEntry(Dom, Address(PvMemory.L4, slot), E(OwnFree, P)));
            Assert.Equal(before, m.Get(PvMemory.L4, slot));
        }

        [Theory]
        [InlineData(255)]
        [InlineData(272)]
        public void L4SlotsAroundTheHypervisor_AreTheGuests(int slot)
        {
            var m = Machine();
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(PvMemory.L4, slot), E(OwnFree, P | RW)));
            Assert.Equal(PageType.L3, m.Frames.TypeOf(OwnFree));
        }

        [Fact]
        public void NewReferencesAreTakenBeforeOldOnesAreDropped()
        {
            var m = Machine();
            // The L2 entry is the only user of the L1: rewriting it to the same L1 with different
            // (non-fast-path) flags must not let the L1's count touch 0, which would devalidate it.
            int readsBefore = m.Memory.Reads;
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(PvMemory.L2, L2Slot), E(PvMemory.L1, P | US)));
            Assert.True(m.Memory.Reads - readsBefore < 64, "no revalidation of the L1's 512 entries");
            Assert.True(m.Frames.IsValidated(PvMemory.L1));
            Assert.Equal(1u, m.Frames.TypeCountOf(PvMemory.L1));
            Assert.Equal(1u, m.Frames.TypeCountOf(FirstData));
        }

        [Fact]
        public void UnlinkingATable_ReleasesEverythingBelowIt()
        {
            var m = Machine();
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(PvMemory.L3, L3Slot), 0));
            Assert.False(m.Frames.IsValidated(PvMemory.L2));
            Assert.False(m.Frames.IsValidated(PvMemory.L1));
            for (ulong i = 0; i < DataFrames; i++)
            {
                Assert.Equal(0u, m.Frames.TypeCountOf(FirstData + i));
                Assert.Equal(0u, m.Frames.ReferencesOf(FirstData + i));
            }

            // The L1 can now be written as plain memory (it is no longer a page table).
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(PvMemory.L1, 0), 0x1234));
            Assert.Equal(0x1234UL, m.Get(PvMemory.L1, 0));
            Assert.True(m.Frames.TlbFlushPending);
        }

        public static TheoryData<string, ulong, int> PlainWriteCases => new TheoryData<string, ulong, int>
        {
            { "own unused frame", Address(OwnFree, 3), 0 },
            { "own frame mapped writable", Address(FirstData, 3), 0 },
            { "own frame, unaligned", Address(OwnFree, 3) + 4, -XenErrno.EINVAL },
            { "another domain's frame", Address(Foreign, 3), -XenErrno.EINVAL },
            { "shared hypervisor frame", Address(HvShared, 3), -XenErrno.EINVAL },
            { "beyond RAM", Address(Mmio, 3), -XenErrno.EINVAL },
        };

        [Theory]
        [MemberData(nameof(PlainWriteCases))]
        public void PlainWrite(string rule, ulong address, int expected)
        {
            var m = Machine();
            Assert.True(expected == m.Frames.UpdateEntry(Dom, address, 0x5555_0000_0000_0001UL), rule);
            if (expected == 0)
            {
                Assert.Equal(0x5555_0000_0000_0001UL, m.Memory.Read64(address));
                Assert.Equal(0u, m.Frames.TypeCountOf(OwnFree));
            }
        }

        [Fact]
        public void UpdateL1Entry_RequiresAValidatedL1OfTheDomain()
        {
            var m = Machine();
            Assert.Equal(0, m.Frames.UpdateL1Entry(Dom, Address(PvMemory.L1, FreeSlot), E(OwnFree, P)));
            Assert.Equal(1u, m.Frames.ReferencesOf(OwnFree));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateL1Entry(Dom, Address(PvMemory.L2, 3), 0));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateL1Entry(Dom, Address(OwnFree, 3), 0));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateL1Entry(Other, Address(PvMemory.L1, FreeSlot), 0));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.UpdateL1Entry(Dom, Address(PvMemory.L1, FreeSlot), E(Foreign, P)));
        }
    }
}
