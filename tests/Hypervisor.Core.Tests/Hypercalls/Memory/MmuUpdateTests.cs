using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;
using static Hypervisor.Core.Tests.Hypercalls.Memory.MmuKit;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    public class MmuUpdateTests
    {
        private const ulong Normal = MmuUpdateCommand.NormalPtUpdate;
        private const ulong Machphys = MmuUpdateCommand.MachphysUpdate;
        private const ulong PreserveAd = MmuUpdateCommand.PtUpdatePreserveAd;
        private const ulong NoTranslate = MmuUpdateCommand.PtUpdateNoTranslate;

        [Fact]
        public void RemappingAPageAndBackLeavesEveryCountAsItWas()
        {
            var k = new MmuKit();
            ulong va = k.SparePage(0);
            ulong entry = k.L1EntryAddress(va);
            ulong original = k.Ram.Read64(entry);
            ulong frame = k.FreeFrame(0);
            var before = k.Snapshot();

            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, PageTableEntry.Make(frame, P | RW))));
            Assert.Equal(1u, k.Done);
            Assert.Equal(frame, k.FrameMappedAt(va));
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));
            Assert.Equal(PageType.Writable, k.Frames.TypeOf(frame));
            Assert.NotEqual(0UL, k.Ram.Read64(entry) & US);   // adjusted for a ring-3 kernel

            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, original)));
            k.AssertSameAs(before);
            Assert.Equal(0u, k.Frames.ReferencesOf(frame));
        }

        [Fact]
        public void AWholeBatchIsDoneInOrder()
        {
            var k = new MmuKit();
            ulong e0 = k.L1EntryAddress(k.SparePage(0)), e1 = k.L1EntryAddress(k.SparePage(1));
            ulong f0 = k.FreeFrame(0), f1 = k.FreeFrame(1);

            Assert.Equal(0, k.MmuUpdate(DomainId.Self,
                (e0 | Normal, PageTableEntry.Make(f0, P | RW)),
                (e1 | Normal, PageTableEntry.Make(f1, P)),
                (e0 | Normal, PageTableEntry.Make(f1, P))));
            Assert.Equal(3u, k.Done);
            Assert.Equal(f1, k.FrameMappedAt(k.SparePage(0)));
            Assert.Equal(2u, k.Frames.ReferencesOf(f1));
            Assert.Equal(0u, k.Frames.ReferencesOf(f0));
            Assert.Equal(0u, k.Frames.TypeCountOf(f0));
        }

        [Fact]
        public void TheBatchStopsAtTheFirstErrorAndSaysHowManyWereDone()
        {
            var k = new MmuKit();
            ulong e0 = k.L1EntryAddress(k.SparePage(0)), e1 = k.L1EntryAddress(k.SparePage(1));
            ulong notOurs = 3;   // below the first MiB: the hypervisor's, never a domain's

            long rc = k.MmuUpdate(DomainId.Self,
                (e0 | Normal, PageTableEntry.Make(k.FreeFrame(0), P | RW)),
                (e1 | Normal, PageTableEntry.Make(notOurs, P)),
                (e0 | Normal, 0));
            Assert.Equal(-XenErrno.EBUSY, rc);
            Assert.Equal(1u, k.Done);
            Assert.Equal(k.FreeFrame(0), k.FrameMappedAt(k.SparePage(0)));   // the third never ran
        }

        [Fact]
        public void AnEntryInAFrameTheDomainDoesNotOwnIsRefused()
        {
            var k = new MmuKit();
            Assert.Equal(-XenErrno.EINVAL, k.MmuUpdate(DomainId.Self, ((3UL << 12) | Normal, 0)));
            Assert.Equal(0u, k.Done);
        }

        [Fact]
        public void AWritableMappingOfAPageTableIsRefusedWithTheFrameTablesErrno()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            ulong l1 = entry >> 12;
            Assert.Equal(-XenErrno.EBUSY, k.MmuUpdate(DomainId.Self, (entry | Normal, PageTableEntry.Make(l1, P | RW))));
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, PageTableEntry.Make(l1, P))));   // read-only is fine
        }

        [Fact]
        public void HypervisorSlotsOfAnL4AreRefused()
        {
            var k = new MmuKit();
            ulong l4 = k.Vcpu.KernelTableFrame;
            Assert.Equal(-XenErrno.EINVAL, k.MmuUpdate(DomainId.Self, (((l4 << 12) + 256 * 8) | Normal, 0)));
        }

        [Fact]
        public void AFrameInNoUseIsWrittenPlainlyAndStaysUnused()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(2);
            var before = k.Snapshot();
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (((frame << 12) + 0x18) | Normal, 0x1234_5678_9ABC_DEF0)));
            Assert.Equal(0x1234_5678_9ABC_DEF0UL, k.Ram.Read64((frame << 12) + 0x18));
            k.AssertSameAs(before);
        }

        [Fact]
        public void NoTranslateIsANormalUpdateForAPvGuest()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | NoTranslate, PageTableEntry.Make(k.FreeFrame(0), P))));
            Assert.Equal(k.FreeFrame(0), k.FrameMappedAt(k.SparePage(0)));
        }

        [Fact]
        public void PreserveAdKeepsTheAccessedAndDirtyBitsTheEntryHas()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            ulong frame = k.FreeFrame(0);
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, PageTableEntry.Make(frame, P | RW | A | D))));

            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | PreserveAd, PageTableEntry.Make(frame, P | RW))));
            Assert.Equal(A | D, k.Ram.Read64(entry) & (A | D));

            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, PageTableEntry.Make(frame, P | RW))));
            Assert.Equal(0UL, k.Ram.Read64(entry) & (A | D));
        }

        [Theory]
        [InlineData(4)]
        [InlineData(5)]
        [InlineData(7)]
        public void UnknownCommandsAreEnosys(int command)
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            Assert.Equal(-XenErrno.ENOSYS, k.MmuUpdate(DomainId.Self, (entry | (uint)command, 0)));
            Assert.Equal(0u, k.Done);
        }

        [Fact]
        public void MachphysUpdateSetsTheM2pEntryOfAnOwnFrameOnly()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, ((frame << 12) | Machphys, 0x4242)));
            Assert.Equal(0x4242UL, k.Host.MachineToPhys.Get(frame));
            Assert.Equal(-XenErrno.EINVAL, k.MmuUpdate(DomainId.Self, ((3UL << 12) | Machphys, 1)));
        }

        [Fact]
        public void ForeignDomainByOwnIdOrUnknownIdIsEsrchAndDoneIsStillWritten()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            Assert.Equal(-XenErrno.ESRCH, k.MmuUpdate(k.Domain.Id, (entry | Normal, 0)));
            Assert.Equal(0u, k.Done);
            Assert.Equal(-XenErrno.ESRCH, k.MmuUpdate(7, (entry | Normal, 0)));
            Assert.Equal(0u, k.Done);
        }

        [Fact]
        public void PageTablesOfAnotherDomainAreEsrchWithoutTouchingDone()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            k.WriteRequests(k.Args(1), (entry | Normal, 0));
            k.T.Write64(k.Args(0), 0xDEAD);
            uint foreign = (8u << 16) | DomainId.Self;   // page tables of domain 7
            Assert.Equal(-XenErrno.ESRCH, k.Call(HypercallNumber.MmuUpdate, k.Args(1), 1, k.Args(0), foreign));
            Assert.Equal(0xDEADUL, k.T.Read64(k.Args(0)));

            // Naming the caller as the table owner (its id + 1) is allowed.
            foreign = ((uint)(k.Domain.Id + 1) << 16) | DomainId.Self;
            Assert.Equal(0, k.Call(HypercallNumber.MmuUpdate, k.Args(1), 1, k.Args(0), foreign));
            Assert.Equal(1UL, k.T.Read64(k.Args(0)));
        }

        [Fact]
        public void MappingHypervisorFramesNeedsPrivilege()
        {
            var k = new MmuKit(privileged: false);
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            Assert.Equal(-XenErrno.EPERM, k.MmuUpdate(DomainId.Xen, (entry | Normal, 0)));
            Assert.Equal(0u, k.Done);
            Assert.Equal(-XenErrno.EPERM, k.MmuUpdate(DomainId.Xen, ((k.FreeFrame(0) << 12) | Machphys, 0)));
            // An unknown command is still unknown, whatever the owner.
            Assert.Equal(-XenErrno.ENOSYS, k.MmuUpdate(DomainId.Xen, (entry | 6, 0)));
        }

        [Fact]
        public void APrivilegedDomainMayMapTheSharedM2pThroughDomidXen()
        {
            var k = new MmuKit();
            ulong m2pFrame = k.Host.MachineToPhys.BaseAddress >> 12;
            Assert.True(k.Frames.IsSharedWithGuests(m2pFrame) || k.Frames.ShareWithGuests(m2pFrame) == 0);
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            Assert.Equal(0, k.MmuUpdate(DomainId.Xen, (entry | Normal, PageTableEntry.Make(m2pFrame, P))));
            // Its own frames are not DOMID_XEN's.
            Assert.Equal(-XenErrno.EBUSY, k.MmuUpdate(DomainId.Xen, (entry | Normal, PageTableEntry.Make(k.FreeFrame(0), P))));
        }

        [Fact]
        public void ThePreemptedBitContinuesTheDoneCount()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            k.WriteRequests(k.Args(1), (entry | Normal, PageTableEntry.Make(k.FreeFrame(0), P)), (entry | Normal, PageTableEntry.Make(k.FreeFrame(1), P)));
            k.T.Write64(k.Args(0), 5);
            Assert.Equal(0, k.Call(HypercallNumber.MmuUpdate, k.Args(1), 2 | (1UL << 31), k.Args(0), DomainId.Self));
            Assert.Equal(7UL, k.T.Read64(k.Args(0)));
        }

        [Fact]
        public void APreemptedCallWithNoRequestsReturnsItsCarriedResult()
        {
            var k = new MmuKit();
            Assert.Equal(-XenErrno.EBUSY, k.Call(HypercallNumber.MmuUpdate, 0, 1UL << 31, 0, unchecked((uint)-XenErrno.EBUSY)));
        }

        [Fact]
        public void ARequestArrayInTheHypervisorsRangeIsEfaultWithoutDone()
        {
            var k = new MmuKit();
            k.T.Write64(k.Args(0), 0xDEAD);
            Assert.Equal(-XenErrno.EFAULT, k.Call(HypercallNumber.MmuUpdate, AddressSpaceLayout.HypervisorVirtStart, 1, k.Args(0), DomainId.Self));
            Assert.Equal(0xDEADUL, k.T.Read64(k.Args(0)));
        }

        [Fact]
        public void AnUnmappedRequestIsEfaultAfterTheOnesBeforeIt()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(1));
            // One request at the very end of the mapped region, the next one beyond it.
            ulong last = k.T.Layout.MappedEnd - 16;
            k.WriteRequests(last, (entry | Normal, PageTableEntry.Make(k.FreeFrame(0), P)));
            k.T.Write64(k.Args(0), 0xDEAD);
            Assert.Equal(-XenErrno.EFAULT, k.Call(HypercallNumber.MmuUpdate, last, 2, k.Args(0), DomainId.Self));
            Assert.Equal(1UL, k.T.Read64(k.Args(0)));
            Assert.Equal(k.FreeFrame(0), k.FrameMappedAt(k.SparePage(1)));
        }

        [Fact]
        public void RequestsThatCrossAPageOrAreMisalignedAreReadToo()
        {
            var k = new MmuKit();
            ulong e0 = k.L1EntryAddress(k.SparePage(0)), e1 = k.L1EntryAddress(k.SparePage(1));
            ulong at = k.Args(3) - 8;   // the first request straddles two pages
            k.WriteRequests(at, (e0 | Normal, PageTableEntry.Make(k.FreeFrame(0), P)), (e1 | Normal, PageTableEntry.Make(k.FreeFrame(1), P)));
            Assert.Equal(0, k.Call(HypercallNumber.MmuUpdate, at, 2, 0, DomainId.Self));
            at = k.Args(5) + 3;
            k.WriteRequests(at, (e0 | Normal, PageTableEntry.Make(k.FreeFrame(2), P)));
            Assert.Equal(0, k.Call(HypercallNumber.MmuUpdate, at, 1, 0, DomainId.Self));
            Assert.Equal(k.FreeFrame(2), k.FrameMappedAt(k.SparePage(0)));
            Assert.Equal(k.FreeFrame(1), k.FrameMappedAt(k.SparePage(1)));
        }

        [Fact]
        public void NoTlbFlushWhenNoFrameChangedType()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, PageTableEntry.Make(k.FreeFrame(0), P))));
            k.Platform.Verify(p => p.FlushTlb(), Times.Never());
        }

        [Fact]
        public void AFrameThatChangedTypeIsFlushedOutOfTheTlbBeforeTheGuestRuns()
        {
            var k = new MmuKit();
            ulong entry = k.L1EntryAddress(k.SparePage(0));
            ulong frame = k.FreeFrame(0);
            // Map it writable, unmap it, then map it where its Writable past matters: as a page-table
            // link (an L2 entry pointing at it makes it an L1).
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, PageTableEntry.Make(frame, P | RW))));
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (entry | Normal, 0)));
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();

            ulong l1 = k.L1EntryAddress(k.SparePage(0)) >> 12;
            ulong l2Table = FindTableAbove(k, l1);
            int freeSlot = FindFreeSlot(k, l2Table);
            Assert.Equal(0, k.MmuUpdate(DomainId.Self, (((l2Table << 12) + (ulong)freeSlot * 8) | Normal, PageTableEntry.Make(frame, P | RW))));
            Assert.Equal(PageType.L1, k.Frames.TypeOf(frame));
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());
            Assert.False(k.Frames.TlbFlushPending);
        }

        // The L2 table holding the entry that links L1 table `l1`.
        private static ulong FindTableAbove(MmuKit k, ulong l1)
        {
            ulong va = k.SparePage(0);
            ulong l4 = k.Vcpu.KernelTableFrame;
            ulong l3 = PageTableEntry.FrameOf(k.Entry(l4, (int)((va >> 39) & 511)));
            ulong l2 = PageTableEntry.FrameOf(k.Entry(l3, (int)((va >> 30) & 511)));
            Assert.Equal(l1, PageTableEntry.FrameOf(k.Entry(l2, (int)((va >> 21) & 511))));
            return l2;
        }

        private static int FindFreeSlot(MmuKit k, ulong table)
        {
            for (int i = 511; i >= 0; i--)
                if ((k.Entry(table, i) & P) == 0)
                    return i;
            Assert.Fail("no free slot");
            return -1;
        }
    }
}
