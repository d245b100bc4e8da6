using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;
using static Hypervisor.Core.Tests.Hypercalls.Memory.MmuKit;
using F = Hypervisor.Abi.UpdateVaMappingFlags;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    public class UpdateVaMappingTests
    {
        private static long Map(MmuKit k, ulong va, ulong entry, ulong flags) =>
            k.Call(HypercallNumber.UpdateVaMapping, va, entry, flags);

        private static long MapOther(MmuKit k, ulong va, ulong entry, ulong flags, ushort domid) =>
            k.Call(HypercallNumber.UpdateVaMappingOtherdomain, va, entry, flags, domid);

        [Fact]
        public void RemapsAPageThroughTheCurrentTablesAndInvalidatesIt()
        {
            var k = new MmuKit();
            ulong va = k.SparePage(0);
            ulong original = k.Ram.Read64(k.L1EntryAddress(va));
            ulong frame = k.FreeFrame(0);
            k.Ram.Write64((frame << 12) + 0x10, 0xC0FFEE);
            var before = k.Snapshot();
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();

            Assert.Equal(0, Map(k, va + 0x123, PageTableEntry.Make(frame, P | RW), F.Invlpg | F.Local));
            Assert.Equal(0xC0FFEEUL, k.T.Read64(va + 0x10));
            k.Platform.Verify(p => p.InvalidatePage(va + 0x123), Times.Once());
            k.Platform.Verify(p => p.FlushTlb(), Times.Never());

            Assert.Equal(0, Map(k, va, original, F.None));
            k.AssertSameAs(before);
        }

        [Theory]
        [InlineData(F.TlbFlush | F.Local, true, false)]
        [InlineData(F.TlbFlush | F.All, true, false)]
        [InlineData(F.Invlpg | F.All, false, true)]
        [InlineData(F.None, false, false)]
        [InlineData(F.None | F.All, false, false)]
        [InlineData(F.FlushTypeMask, false, false)]   // both types at once: Xen flushes nothing
        public void FlushesAsTheFlagsSay(ulong flags, bool flush, bool invalidate)
        {
            var k = new MmuKit();
            ulong va = k.SparePage(0);
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();
            Assert.Equal(0, Map(k, va, PageTableEntry.Make(k.FreeFrame(0), P), flags));
            k.Platform.Verify(p => p.FlushTlb(), flush ? Times.Once() : Times.Never());
            k.Platform.Verify(p => p.InvalidatePage(va), invalidate ? Times.Once() : Times.Never());
        }

        [Fact]
        public void AMultiBitmapFlushesOnlyWhenItSelectsAVcpu()
        {
            var k = new MmuKit();
            ulong va = k.SparePage(0);
            ulong bitmap = k.Args(2);
            k.Frames.ClearTlbFlushPending();

            k.T.Write64(bitmap, 1);
            k.ClearPlatformCalls();
            Assert.Equal(0, Map(k, va, PageTableEntry.Make(k.FreeFrame(0), P), F.TlbFlush | bitmap));
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());

            k.T.Write64(bitmap, 0);
            k.ClearPlatformCalls();
            Assert.Equal(0, Map(k, va, PageTableEntry.Make(k.FreeFrame(1), P), F.Invlpg | bitmap));
            k.Platform.Verify(p => p.InvalidatePage(It.IsAny<ulong>()), Times.Never());
            Assert.Equal(k.FreeFrame(1), k.FrameMappedAt(va));
        }

        [Fact]
        public void AnUnreadableBitmapIsEfaultAfterTheUpdate()
        {
            var k = new MmuKit();
            ulong va = k.SparePage(0);
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();
            Assert.Equal(-XenErrno.EFAULT, Map(k, va, PageTableEntry.Make(k.FreeFrame(0), P), F.TlbFlush | Support.TestDomain.UnmappedAddress));
            Assert.Equal(k.FreeFrame(0), k.FrameMappedAt(va));
            k.Platform.Verify(p => p.FlushTlb(), Times.Never());
        }

        [Theory]
        [InlineData(0xFFFF_8000_0000_1000UL)]   // the hypervisor's range
        [InlineData(0x0000_8000_0000_0000UL)]   // not canonical
        [InlineData(Support.TestDomain.UnmappedAddress)]   // no L2 maps it
        public void AnAddressWithoutAGuestL1IsEinval(ulong va)
        {
            var k = new MmuKit();
            k.ClearPlatformCalls();
            Assert.Equal(-XenErrno.EINVAL, Map(k, va, 0, F.Invlpg));
            k.Platform.Verify(p => p.InvalidatePage(It.IsAny<ulong>()), Times.Never());
        }

        [Fact]
        public void TheNewEntryIsCheckedByTheFrameTable()
        {
            var k = new MmuKit();
            ulong va = k.SparePage(0);
            ulong before = k.Ram.Read64(k.L1EntryAddress(va));
            Assert.Equal(-XenErrno.EBUSY, Map(k, va, PageTableEntry.Make(3, P), F.None));   // not the domain's
            ulong table = k.L1EntryAddress(va) >> 12;
            Assert.Equal(-XenErrno.EBUSY, Map(k, va, PageTableEntry.Make(table, P | RW), F.None));   // a page table, writable
            Assert.Equal(-XenErrno.EINVAL, Map(k, va, PageTableEntry.Make(k.FreeFrame(0), P | PageTableEntry.GrantMapping), F.None));
            Assert.Equal(before, k.Ram.Read64(k.L1EntryAddress(va)));
        }

        [Fact]
        public void OtherDomainWithDomidSelfIsTheCaller()
        {
            var k = new MmuKit(privileged: false);
            Assert.Equal(0, MapOther(k, k.SparePage(0), PageTableEntry.Make(k.FreeFrame(0), P), F.None, DomainId.Self));
            Assert.Equal(k.FreeFrame(0), k.FrameMappedAt(k.SparePage(0)));
        }

        [Fact]
        public void OtherDomainRefusesOwnIdUnknownIdsAndForeignOwnersWithoutPrivilege()
        {
            var k = new MmuKit(privileged: false);
            ulong va = k.SparePage(0);
            Assert.Equal(-XenErrno.ESRCH, MapOther(k, va, 0, F.None, k.Domain.Id));
            Assert.Equal(-XenErrno.ESRCH, MapOther(k, va, 0, F.None, 12));
            Assert.Equal(-XenErrno.EPERM, MapOther(k, va, 0, F.None, DomainId.Io));
            Assert.Equal(-XenErrno.EPERM, MapOther(k, va, 0, F.None, DomainId.Xen));
        }

        [Fact]
        public void APrivilegedCallerMapsSharedHypervisorFramesAsDomidXen()
        {
            var k = new MmuKit();
            ulong m2p = k.Host.MachineToPhys.BaseAddress >> 12;
            Assert.Equal(0, k.Frames.ShareWithGuests(m2p));
            ulong va = k.SparePage(0);
            Assert.Equal(0, MapOther(k, va, PageTableEntry.Make(m2p, P), F.None, DomainId.Xen));
            Assert.Equal(m2p, k.FrameMappedAt(va));
            Assert.Equal(-XenErrno.EBUSY, MapOther(k, va, PageTableEntry.Make(k.FreeFrame(0), P), F.None, DomainId.Xen));
        }

        [Fact]
        public void ATypeChangeIsFlushedEvenWhenTheFlagsAskForNothing()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            Assert.Equal(0, k.Mmuext((MmuextCommand.PinL1Table, frame, 0), (MmuextCommand.UnpinTable, frame, 0)));
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();
            // Once an L1, now writable: a stale translation through it must not survive.
            Assert.Equal(0, Map(k, k.SparePage(0), PageTableEntry.Make(frame, P | RW), F.None));
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());
        }
    }
}
