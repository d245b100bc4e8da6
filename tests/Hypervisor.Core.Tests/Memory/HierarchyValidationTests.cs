using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Xunit;
using static Hypervisor.Core.Tests.Memory.PvMemory;

namespace Hypervisor.Core.Tests.Memory
{
    /// <summary>A whole 4-level hierarchy built as a PV domain builder does, pinned, used, torn down.</summary>
    public class HierarchyValidationTests
    {
        private const ulong Template = 3;   // the hypervisor's own L4

        [Fact]
        public void PinningTheL4_ValidatesEveryLevel()
        {
            var m = new PvMemory();
            m.BuildHierarchy();

            Assert.True(m.Frames.IsPinned(PvMemory.L4));
            Assert.Equal(PageType.L4, m.Frames.TypeOf(PvMemory.L4));
            Assert.Equal(PageType.L3, m.Frames.TypeOf(PvMemory.L3));
            Assert.Equal(PageType.L2, m.Frames.TypeOf(PvMemory.L2));
            Assert.Equal(PageType.L1, m.Frames.TypeOf(PvMemory.L1));
            foreach (ulong t in new[] { PvMemory.L4, PvMemory.L3, PvMemory.L2, PvMemory.L1 })
            {
                Assert.True(m.Frames.IsValidated(t));
                Assert.Equal(1u, m.Frames.TypeCountOf(t));      // linked once (the L4: pinned)
                Assert.Equal(2u, m.Frames.ReferencesOf(t));     // link or pin + read-only mapping
            }

            for (ulong i = 0; i < DataFrames; i++)
            {
                Assert.Equal(PageType.Writable, m.Frames.TypeOf(FirstData + i));
                Assert.Equal(1u, m.Frames.TypeCountOf(FirstData + i));
                Assert.Equal(1u, m.Frames.ReferencesOf(FirstData + i));
            }

            // Every present guest entry now carries USER (ring-3 kernel), nothing else changed.
            Assert.Equal(E(FirstData, P | RW | US), m.Get(PvMemory.L1, 0));
            Assert.Equal(E(PvMemory.L3, P | RW | US), m.Get(PvMemory.L4, L4Slot));
            Assert.False(m.Frames.TlbFlushPending);
        }

        [Fact]
        public void Unpin_ReleasesTheWholeHierarchy_NothingLeaks()
        {
            var m = new PvMemory();
            m.BuildHierarchy();
            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            m.AssertNothingHeld();

            // Pinning again validates again, from scratch, and unpinning again leaves nothing.
            Assert.Equal(0, m.Frames.Pin(Dom, PvMemory.L4, 4));
            Assert.Equal(1u, m.Frames.TypeCountOf(FirstData));
            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            m.AssertNothingHeld();

            // And every frame can be given back.
            foreach (ulong t in new[] { PvMemory.L4, PvMemory.L3, PvMemory.L2, PvMemory.L1 })
            {
                Assert.Equal(0, m.Frames.Release(t));
            }
        }

        [Fact]
        public void BuilderMistake_TableMappedWritable_FailsAndTakesNothing()
        {
            var m = new PvMemory();
            m.WriteHierarchy();
            m.Set(PvMemory.L1, TableMappingSlot + 3, E(PvMemory.L1, P | RW));   // the L1 maps itself writable
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Pin(Dom, PvMemory.L4, 4));
            m.AssertNothingHeld();
            Assert.Equal(PageType.None, m.Frames.TypeOf(PvMemory.L4));
        }

        [Fact]
        public void BuilderMistake_UpperTableMappedWritableBeforeItIsReached_Fails()
        {
            var m = new PvMemory();
            m.WriteHierarchy();
            // The L1 (validated first, depth first) maps the L4 writable: the L4 is already an L4 in
            // validation, so the writable type cannot be had.
            m.Set(PvMemory.L1, TableMappingSlot, E(PvMemory.L4, P | RW));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Pin(Dom, PvMemory.L4, 4));
            m.AssertNothingHeld();
        }

        [Fact]
        public void SharedLowerTables_AreValidatedOnceAndCounted()
        {
            var m = new PvMemory();
            m.WriteHierarchy();
            m.Set(PvMemory.L2, 1, E(PvMemory.L1, P | RW));   // the same L1 under two L2 slots
            Assert.Equal(0, m.Frames.Pin(Dom, PvMemory.L4, 4));
            Assert.Equal(2u, m.Frames.TypeCountOf(PvMemory.L1));
            Assert.Equal(1u, m.Frames.TypeCountOf(FirstData));
            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            m.AssertNothingHeld();
        }

        [Fact]
        public void ValidatedL4_GetsTheHypervisorSlots_AndGuestJunkThereIsIgnored()
        {
            var m = new PvMemory();
            m.Give(Template, FrameOwner.Hypervisor);
            m.Set(Template, 261, E(100, P | RW));                 // image
            m.Set(Template, 262, E(101, P | RW | US));            // direct map (USER would be a disaster)
            m.Set(Template, 300, E(102, P | RW));                 // not a hypervisor slot: not copied
            m.Frames.SetHypervisorSlots(Template * 4096, E(103, P | RW | US));

            m.WriteHierarchy();
            m.Set(PvMemory.L4, 260, E(FirstData, P | RW | US));   // guest junk in a hypervisor slot
            m.Set(PvMemory.L4, 271, E(PvMemory.L4, P | RW | US));
            Assert.Equal(0, m.Frames.Pin(Dom, PvMemory.L4, 4));

            Assert.Equal(E(103, P | US), m.Get(PvMemory.L4, 256));  // M2P: read-only, user-readable
            Assert.Equal(E(100, P | RW), m.Get(PvMemory.L4, 261));
            Assert.Equal(E(101, P | RW), m.Get(PvMemory.L4, 262));
            Assert.Equal(0UL, m.Get(PvMemory.L4, 260));
            Assert.Equal(0UL, m.Get(PvMemory.L4, 271));
            Assert.Equal(0UL, m.Get(PvMemory.L4, 300));
            Assert.Equal(E(103, P | US), m.Frames.HypervisorSlot(256));
            Assert.Equal(0UL, m.Frames.HypervisorSlot(255));

            // The junk took no references, and nothing leaks when the hypervisor slots are there.
            Assert.Equal(1u, m.Frames.TypeCountOf(FirstData));
            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            m.AssertNothingHeld();
        }

        [Fact]
        public void WithoutATemplate_HypervisorSlotsAreCleared()
        {
            var m = new PvMemory();
            m.WriteHierarchy();
            m.Set(PvMemory.L4, 256, E(FirstData, P | RW | US));
            Assert.Equal(0, m.Frames.Pin(Dom, PvMemory.L4, 4));
            Assert.Equal(0UL, m.Get(PvMemory.L4, 256));
        }

        [Fact]
        public void BasePointerAndPin_TogetherThenApart()
        {
            // The builder's sequence: pin the L4, take the vCPU's base-pointer reference; a guest later
            // switches to another L4 and unpins the first one.
            var m = new PvMemory();
            m.BuildHierarchy();
            Assert.Equal(0, m.Frames.GetPageAndType(PvMemory.L4, PageType.L4, Dom));

            m.Give(60);
            m.Set(60, L4Slot, E(PvMemory.L3, P | RW | US));   // a second L4 sharing the L3
            Assert.Equal(0, m.Frames.Pin(Dom, 60, 4));
            Assert.Equal(2u, m.Frames.TypeCountOf(PvMemory.L3));
            Assert.Equal(0, m.Frames.GetPageAndType(60, PageType.L4, Dom));
            m.Frames.PutPageAndType(PvMemory.L4);
            Assert.Equal(0, m.Frames.Unpin(Dom, PvMemory.L4));
            Assert.False(m.Frames.IsValidated(PvMemory.L4));
            Assert.True(m.Frames.IsValidated(PvMemory.L3));

            m.Frames.PutPageAndType(60);
            Assert.Equal(0, m.Frames.Unpin(Dom, 60));
            m.AssertNothingHeld();
        }
    }
}
