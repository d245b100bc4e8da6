using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Xunit;
using static Hypervisor.Core.Tests.Memory.PvMemory;

namespace Hypervisor.Core.Tests.Memory
{
    public class FrameTableOwnershipTests
    {
        [Fact]
        public void NewTable_EveryFrameFreeAndUntyped_BeyondIsIo()
        {
            var m = new PvMemory();
            Assert.Equal((ulong)FrameCount, m.Frames.FrameCount);
            Assert.Equal(FrameOwner.Free, m.Frames.OwnerOf(0));
            Assert.Equal(FrameOwner.Free, m.Frames.OwnerOf(FrameCount - 1));
            Assert.Equal(PageType.None, m.Frames.TypeOf(7));
            Assert.True(m.Frames.IsIo(FrameCount));
            Assert.False(m.Frames.IsIo(FrameCount - 1));
        }

        [Fact]
        public void Assign_OnlyFreeFrames_OnlyRealOwners()
        {
            var m = new PvMemory();
            Assert.Equal(0, m.Frames.Assign(5, Dom));
            Assert.Equal(Dom, m.Frames.OwnerOf(5));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Assign(5, Other));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Assign(6, FrameOwner.Free));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Assign(FrameCount, Dom));
        }

        [Fact]
        public void Release_RefusedWhileReferencedTypedOrPinned()
        {
            var m = new PvMemory();
            m.Give(5);
            Assert.Equal(0, m.Frames.GetPage(5, Dom));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Release(5));
            Assert.Equal(0, m.Frames.GetPageType(5, PageType.Writable));
            m.Frames.PutPage(5);
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Release(5));   // typed, no general reference
            m.Frames.PutPageType(5);

            Assert.Equal(0, m.Frames.Pin(Dom, 5, 1));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Release(5));
            Assert.Equal(0, m.Frames.Unpin(Dom, 5));

            Assert.Equal(0, m.Frames.Release(5));
            Assert.Equal(FrameOwner.Free, m.Frames.OwnerOf(5));
            Assert.Equal(PageType.None, m.Frames.TypeOf(5));
            Assert.True(m.Frames.TlbFlushPending);                 // stale translations may remain
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Release(5));   // already free
            m.AssertNothingHeld();
        }

        [Fact]
        public void GetPage_OwnFramesAndSharedHypervisorFramesOnly()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Give(6, Other);
            m.Give(7, FrameOwner.Hypervisor);
            Assert.Equal(0, m.Frames.ShareWithGuests(8));
            Assert.Equal(0, m.Frames.Assign(9, FrameOwner.Io));

            Assert.Equal(0, m.Frames.GetPage(5, Dom));
            Assert.Equal(0, m.Frames.GetPage(8, Dom));
            Assert.Equal(0, m.Frames.GetPage(8, Other));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPage(6, Dom));    // another domain's
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPage(7, Dom));    // private to the hypervisor
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPage(9, Dom));    // I/O
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPage(10, Dom));   // free
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPage(10, FrameOwner.Free));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPage(FrameCount + 3, Dom));

            Assert.Equal(1u, m.Frames.ReferencesOf(5));
            Assert.Equal(2u, m.Frames.ReferencesOf(8));
            m.Frames.PutPage(5);
            m.Frames.PutPage(8);
            m.Frames.PutPage(8);
            Assert.Equal(0UL, m.Frames.AccountingErrors);
        }

        [Fact]
        public void PutPage_WithoutReference_CountedNotWrapped()
        {
            var m = new PvMemory();
            m.Give(5);
            m.Frames.PutPage(5);
            m.Frames.PutPageType(5);
            Assert.Equal(0u, m.Frames.ReferencesOf(5));
            Assert.Equal(2UL, m.Frames.AccountingErrors);
        }

        [Fact]
        public void SharedFrame_NeverWritableNorPageTable_AndReleasableOnceUnmapped()
        {
            var m = new PvMemory();
            m.Give(8, FrameOwner.Hypervisor);
            Assert.Equal(0, m.Frames.ShareWithGuests(8));
            Assert.True(m.Frames.IsSharedWithGuests(8));
            Assert.Equal(FrameOwner.Hypervisor, m.Frames.OwnerOf(8));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageType(8, PageType.Writable));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.GetPageType(8, PageType.L1));
            Assert.Equal(-XenErrno.EINVAL, m.Frames.Pin(Dom, 8, 1));

            m.Give(9);
            Assert.Equal(-XenErrno.EBUSY, m.Frames.ShareWithGuests(9));  // a domain's frame

            Assert.Equal(0, m.Frames.GetPage(8, Dom));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Release(8));
            m.Frames.PutPage(8);
            Assert.Equal(0, m.Frames.Release(8));
            Assert.False(m.Frames.IsSharedWithGuests(8));
        }

        [Fact]
        public void AssignIoFrames_MarksHolesBelowTopOfRamOnly()
        {
            var m = new PvMemory();
            Assert.Equal(MemoryMapStatus.Ok, MemoryMap.Build(new[]
            {
                new MemoryRegion(0, 0x9F000, MemoryKind.Usable),            // frames 0..0x9E
                new MemoryRegion(0x100800, 0x100000, MemoryKind.Usable),    // frames 0x101..0x1FF whole
            }, null, out var map));
            m.Give(0xA0);   // already given: left alone

            ulong marked = m.Frames.AssignIoFrames(map);

            Assert.Equal(FrameOwner.Free, m.Frames.OwnerOf(0x9E));
            Assert.Equal(FrameOwner.Io, m.Frames.OwnerOf(0x9F));
            Assert.Equal(Dom, m.Frames.OwnerOf(0xA0));
            Assert.Equal(FrameOwner.Io, m.Frames.OwnerOf(0x100));   // partial frame at 0x100000-0x100800
            Assert.Equal(FrameOwner.Free, m.Frames.OwnerOf(0x101));
            Assert.Equal(FrameOwner.Free, m.Frames.OwnerOf(0x1FF));
            Assert.Equal((ulong)(0x101 - 0x9F - 1), marked);
            Assert.Equal(-XenErrno.EPERM, m.Frames.Release(0x9F));
        }

        [Fact]
        public void EachDomainsFramesAreCounted_WithARangeHoldingThemAll()
        {
            var m = new PvMemory();
            Assert.Equal(0UL, m.Frames.FramesOwnedBy(Dom));
            Assert.False(m.Frames.OwnedRange(Dom, out _, out _));
            Assert.Equal(0, m.Frames.Assign(40, Dom));
            Assert.Equal(0, m.Frames.Assign(7, Dom));
            Assert.Equal(0, m.Frames.Assign(300, Dom));
            Assert.Equal(0, m.Frames.Assign(8, Other));
            Assert.Equal(0, m.Frames.Assign(9, FrameOwner.Hypervisor));   // not a domain: not counted

            Assert.Equal(3UL, m.Frames.FramesOwnedBy(Dom));
            Assert.Equal(1UL, m.Frames.FramesOwnedBy(Other));
            Assert.True(m.Frames.OwnedRange(Dom, out ulong first, out ulong end));
            Assert.Equal(7UL, first);
            Assert.Equal(301UL, end);

            // A refused release changes nothing; the others count down, and the next frame starts anew.
            Assert.Equal(0, m.Frames.GetPage(40, Dom));
            Assert.Equal(-XenErrno.EBUSY, m.Frames.Release(40));
            Assert.Equal(3UL, m.Frames.FramesOwnedBy(Dom));
            m.Frames.PutPage(40);
            Assert.Equal(0, m.Frames.Release(40));
            Assert.Equal(0, m.Frames.Release(7));
            Assert.Equal(0, m.Frames.Release(300));
            Assert.Equal(0UL, m.Frames.FramesOwnedBy(Dom));
            Assert.False(m.Frames.OwnedRange(Dom, out _, out _));
            Assert.Equal(0, m.Frames.Assign(100, Dom));
            Assert.True(m.Frames.OwnedRange(Dom, out first, out end));
            Assert.Equal(100UL, first);
            Assert.Equal(101UL, end);
            Assert.Equal(1UL, m.Frames.FramesOwnedBy(Other));
        }
    }
}
