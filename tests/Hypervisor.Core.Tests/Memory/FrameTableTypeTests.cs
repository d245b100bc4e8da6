using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;
using static Hypervisor.Core.Tests.Memory.PvMemory;

namespace Hypervisor.Core.Tests.Memory
{
    public class FrameTableTypeTests
    {
        [Fact]
        public void TypeChangesOnlyAtCountZero()
        {
            var m = new PvMemory();
            m.Give(5);
            Assert.Equal(0, m.Frames.GetPageType(5, PageType.Writable));
            Assert.Equal(0, m.Frames.GetPageType(5, PageType.Writable));
            Assert.Equal(2u, m.Frames.TypeCountOf(5));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageType(5, PageType.L1));

            m.Frames.PutPageType(5);
            m.Frames.PutPageType(5);
            Assert.Equal(PageType.Writable, m.Frames.TypeOf(5));   // the type stays until someone wants another
            Assert.False(m.Frames.TlbFlushPending);

            Assert.Equal(0, m.Frames.GetPageType(5, PageType.L1));
            Assert.Equal(PageType.L1, m.Frames.TypeOf(5));
            Assert.True(m.Frames.IsValidated(5));
            Assert.True(m.Frames.TlbFlushPending);                 // a stale writable translation must go
            m.Frames.ClearTlbFlushPending();
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageType(5, PageType.Writable));
            m.Frames.PutPageType(5);
            Assert.False(m.Frames.IsValidated(5));                 // page tables are devalidated at 0
        }

        [Fact]
        public void FirstUseOfAFreshFrame_NeedsNoFlush()
        {
            var m = new PvMemory();
            m.Give(5);
            Assert.Equal(0, m.Frames.GetPageType(5, PageType.L2));
            Assert.False(m.Frames.TlbFlushPending);
            m.Frames.PutPageType(5);
        }

        [Theory]
        [InlineData(PageType.None)]
        [InlineData((PageType)7)]
        public void GetPageType_RefusesTypesThatCannotBeRequested(PageType type)
        {
            var m = new PvMemory();
            m.Give(5);
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageType(5, type));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageType(FrameCount, PageType.Writable));
        }

        [Fact]
        public void ValidationFailure_LeavesFrameUntypedAndReleasesPartialWork()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Give(6);
            m.Give(7, Other);
            m.Set(5, 0, E(6, P | RW));
            m.Set(5, 1, E(7, P));          // another domain's frame

            Assert.Equal(-XenErrno.EBUSY, m.Frames.GetPageType(5, PageType.L1));
            Assert.Equal(PageType.None, m.Frames.TypeOf(5));
            Assert.Equal(0u, m.Frames.TypeCountOf(5));
            Assert.False(m.Frames.IsValidated(5));
            m.AssertNothingHeld();      // frame 6's writable reference was given back
        }

        [Fact]
        public void SegmentDescriptorType_NeedsTheCheck_AndIsNeverWritable()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Give(13);
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageAndType(5, PageType.SegmentDescriptor, Dom));

            var check = new Mock<DescriptorPageCheck>();
            check.Setup(c => c.Validate(Dom, 5 * 4096UL)).Returns(0);
            check.Setup(c => c.Validate(Dom, 6 * 4096UL)).Returns(-XenErrno.EINVAL);
            m.Frames.DescriptorCheck = check.Object;
            Assert.Equal(0, m.Frames.GetPageAndType(5, PageType.SegmentDescriptor, Dom));
            m.Give(6);
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageAndType(6, PageType.SegmentDescriptor, Dom));

            Assert.Equal(0, m.Frames.Pin(Dom, 13, 1));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.UpdateEntry(Dom, Address(13, 0), E(5, P | RW)));
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(13, 0), E(5, P)));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.UpdateEntry(Dom, Address(5, 0), 0x00CF9A000000FFFFUL)); // plain write refused

            Assert.Equal(0, m.Frames.Unpin(Dom, 13));
            m.Frames.PutPageAndType(5);
            m.AssertNothingHeld();
        }

        [Fact]
        public void Pin_ValidatesHoldsAndUnpinReleases()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Give(6);
            m.Set(5, 3, E(6, P | RW));
            Assert.Equal(0, m.Frames.Pin(Dom, 5, 1));
            Assert.True(m.Frames.IsPinned(5));
            Assert.Equal(PageType.L1, m.Frames.TypeOf(5));
            Assert.Equal(1u, m.Frames.TypeCountOf(5));
            Assert.Equal(1u, m.Frames.ReferencesOf(5));
            Assert.Equal(PageType.Writable, m.Frames.TypeOf(6));
            Assert.Equal(1u, m.Frames.ReferencesOf(6));

            Assert.Equal(0, m.Frames.Unpin(Dom, 5));
            Assert.False(m.Frames.IsPinned(5));
            m.AssertNothingHeld();
        }

        [Fact]
        public void PinErrors_AsXen()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Give(6, Other);
            Assert.Equal(0, m.Frames.Pin(Dom, 5, 2));

            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 5, 2));            // already pinned
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 5, 1));            // it is an L2
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 6, 1));            // not ours
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 7, 1));            // free
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, FrameCount, 1));   // beyond RAM
            m.Give(8);
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 8, 0));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 8, 5));
            Assert.Equal(1u, m.Frames.TypeCountOf(5));                          // failed pins took nothing
            Assert.Equal(1u, m.Frames.ReferencesOf(5));

            Assert.Equal(-XenErrno.EINVAL, m.Frames.Unpin(Dom, 8));             // not pinned
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Unpin(Other, 5));           // not theirs
            Assert.Equal(0, m.Frames.Unpin(Dom, 5));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Unpin(Dom, 5));
            m.AssertNothingHeld();
        }

        [Fact]
        public void Pin_OfAFrameMappedWritable_Fails()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Give(6);
            Assert.Equal(0, m.Frames.Pin(Dom, 5, 1));
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(5, 0), E(6, P | RW)));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 6, 1));
            Assert.Equal(0, m.Frames.UpdateEntry(Dom, Address(5, 0), E(6, P)));   // now read-only
            Assert.Equal(0, m.Frames.Pin(Dom, 6, 1));
            Assert.Equal(0, m.Frames.Unpin(Dom, 6));
            Assert.Equal(0, m.Frames.Unpin(Dom, 5));
            m.AssertNothingHeld();
        }

        [Fact]
        public void Pin_PropagatesValidationErrors()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Set(5, 0, E(FrameCount + 10, P));          // MMIO without permission
            Assert.Equal(-XenErrno.EPERM, m.Frames.Pin(Dom, 5, 1));
            m.Set(5, 0, E(6, P | PageTableEntry.LargePage)); // an L2 with a superpage
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 5, 2));
            m.AssertNothingHeld();
        }

        [Fact]
        public void UnpinAll_ReleasesEveryPinOfTheDomainOnly()
        {
            var m = new PvMemory();
            m.BuildHierarchy();
            m.Give(40);
            m.Give(41, Other);
            Assert.Equal(0, m.Frames.Pin(Dom, 40, 1));
            Assert.Equal(0, m.Frames.Pin(Other, 41, 1));

            Assert.Equal(2UL, m.Frames.UnpinAll(Dom));
            Assert.True(m.Frames.IsPinned(41));
            Assert.Equal(0, m.Frames.Unpin(Other, 41));
            m.AssertNothingHeld();
        }

        [Fact]
        public void GetPageAndType_BothOrNeither()
        {
            var m = new PvMemory();
            m.BuildHierarchy();
            Assert.Equal(0, m.Frames.GetPageAndType(L4, PageType.L4, Dom));   // a vCPU's base pointer
            Assert.Equal(2u, m.Frames.TypeCountOf(L4));
            uint references = m.Frames.ReferencesOf(FirstData);
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageAndType(FirstData, PageType.L1, Dom));
            Assert.Equal(references, m.Frames.ReferencesOf(FirstData));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageAndType(L4, PageType.L4, Other));

            Assert.Equal(0, m.Frames.Unpin(Dom, L4));
            Assert.True(m.Frames.IsValidated(L4));        // the base pointer still holds it
            m.Frames.PutPageAndType(L4);
            m.AssertNothingHeld();
        }
    }
}
