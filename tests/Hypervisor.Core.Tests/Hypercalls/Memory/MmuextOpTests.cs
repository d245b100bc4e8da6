using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;
using static Hypervisor.Core.Tests.Hypercalls.Memory.MmuKit;
using C = Hypervisor.Abi.MmuextCommand;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    public class MmuextOpTests
    {
        // ---- Pins ----

        [Theory]
        [InlineData(C.PinL1Table, PageType.L1)]
        [InlineData(C.PinL2Table, PageType.L2)]
        [InlineData(C.PinL3Table, PageType.L3)]
        [InlineData(C.PinL4Table, PageType.L4)]
        public void PinAndUnpinLeaveNothingBehind(uint command, PageType type)
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            var before = k.Snapshot();

            Assert.Equal(0, k.Mmuext((command, frame, 0)));
            Assert.Equal(1u, k.Done);
            Assert.True(k.Frames.IsPinned(frame));
            Assert.Equal(type, k.Frames.TypeOf(frame));
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));

            Assert.Equal(0, k.Mmuext((C.UnpinTable, frame, 0)));
            k.AssertSameAs(before);
        }

        [Fact]
        public void PinningTwiceOrUnpinningWhatIsNotPinnedIsEinval()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.PinL1Table, frame, 0), (C.PinL1Table, frame, 0)));
            Assert.Equal(1u, k.Done);
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.UnpinTable, k.FreeFrame(1), 0)));
            Assert.Equal(0u, k.Done);
        }

        [Fact]
        public void PinningAFrameOfAnotherOwnerOrOfAnotherTypeIsEinval()
        {
            var k = new MmuKit();
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.PinL1Table, 3, 0)));
            ulong mappedWritable = k.FrameMappedAt(k.SparePage(0));
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.PinL1Table, mappedWritable, 0)));
        }

        [Fact]
        public void PinningATableWithABadEntryGivesTheValidationError()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            k.SetEntry(frame, 0, PageTableEntry.Make(3, P));   // a frame that is not the domain's
            var before = k.Snapshot();
            Assert.Equal(-XenErrno.EBUSY, k.Mmuext((C.PinL1Table, frame, 0)));
            k.AssertSameAs(before);
        }

        // ---- Base pointers ----

        [Fact]
        public void NewBaseptrSwitchesTheKernelTablesAndReleasesTheOldOnceTheGuestRan()
        {
            var k = new MmuKit();
            ulong oldL4 = k.Vcpu.KernelTableFrame;
            ulong newL4 = k.FreeFrame(0);
            k.CopyKernelL4To(newL4);
            var before = k.Snapshot();

            Assert.Equal(0, k.Mmuext((C.NewBaseptr, newL4, 0)));
            Assert.Equal(newL4, k.Vcpu.KernelTableFrame);
            Assert.Equal(PageType.L4, k.Frames.TypeOf(newL4));
            Assert.Equal(1u, k.Frames.TypeCountOf(newL4));
            // The CPU still runs on the old L4 until the vCPU resumes: it keeps its references.
            Assert.Equal(oldL4, k.Vcpu.RetiredKernelTableFrame);
            Assert.Equal(before[oldL4], k.Snapshot()[oldL4]);
            // Guest memory is now read through the new tables.
            Assert.Equal(0x55UL, WriteAndReadBack(k, 0x55));

            // The next hypercall from the guest releases it.
            k.T.SyscallHypercall(HypercallNumber.XenVersion);
            Assert.Equal(0UL, k.Vcpu.RetiredKernelTableFrame);
            Assert.Equal(before[oldL4].TypeCount - 1, k.Frames.TypeCountOf(oldL4));

            Assert.Equal(0, k.Mmuext((C.NewBaseptr, oldL4, 0)));
            MmuextOpHypercall.ReleaseRetiredKernelBase(k.Vcpu);
            k.AssertSameAs(before);
        }

        [Fact]
        public void ABaseSetAndReplacedInOneBatchIsReleasedAtOnce()
        {
            var k = new MmuKit();
            ulong oldL4 = k.Vcpu.KernelTableFrame;
            ulong a = k.FreeFrame(0), b = k.FreeFrame(1);
            k.CopyKernelL4To(a);
            k.CopyKernelL4To(b);
            var before = k.Snapshot();

            Assert.Equal(0, k.Mmuext((C.NewBaseptr, a, 0), (C.NewBaseptr, b, 0)));
            Assert.Equal(2u, k.Done);
            Assert.Equal(b, k.Vcpu.KernelTableFrame);
            Assert.Equal(oldL4, k.Vcpu.RetiredKernelTableFrame);
            Assert.Equal(0u, k.Frames.TypeCountOf(a));
            Assert.Equal(0u, k.Frames.ReferencesOf(a));

            Assert.Equal(0, k.Mmuext((C.NewBaseptr, oldL4, 0)));
            MmuextOpHypercall.ReleaseRetiredKernelBase(k.Vcpu);
            k.AssertSameAs(before);
        }

        [Fact]
        public void TheSameBaseAgainIsAFlush()
        {
            var k = new MmuKit();
            k.ClearPlatformCalls();
            Assert.Equal(0, k.Mmuext((C.NewBaseptr, k.Vcpu.KernelTableFrame, 0)));
            Assert.Equal(0UL, k.Vcpu.RetiredKernelTableFrame);
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());
        }

        [Fact]
        public void ABaseThatCannotBeAnL4IsRefusedAndNothingChanges()
        {
            var k = new MmuKit();
            ulong oldL4 = k.Vcpu.KernelTableFrame;
            ulong bad = k.FreeFrame(0);
            k.SetEntry(bad, 0, PageTableEntry.Make(3, P));
            var before = k.Snapshot();
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.NewBaseptr, bad, 0)));   // its L3 link is not the domain's
            Assert.Equal(0u, k.Done);
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.NewBaseptr, k.FrameMappedAt(k.SparePage(0)), 0)));
            Assert.Equal(oldL4, k.Vcpu.KernelTableFrame);
            k.AssertSameAs(before);
        }

        [Fact]
        public void NewUserBaseptrSetsAndClearsTheUserTables()
        {
            var k = new MmuKit();
            ulong user = k.FreeFrame(0);
            k.CopyKernelL4To(user);
            var before = k.Snapshot();

            Assert.Equal(0, k.Mmuext((C.NewUserBaseptr, user, 0)));
            Assert.Equal(user, k.Vcpu.UserTableFrame);
            Assert.Equal(PageType.L4, k.Frames.TypeOf(user));
            Assert.Equal(0, k.Mmuext((C.NewUserBaseptr, user, 0)));   // the same again: nothing
            Assert.Equal(1u, k.Frames.TypeCountOf(user));

            Assert.Equal(0, k.Mmuext((C.NewUserBaseptr, 0, 0)));
            Assert.Equal(0UL, k.Vcpu.UserTableFrame);
            k.AssertSameAs(before);

            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.NewUserBaseptr, 3, 0)));
            Assert.Equal(0UL, k.Vcpu.UserTableFrame);
        }

        [Fact]
        public void BasePointersOfAForeignOwnerAreEperm()
        {
            var k = new MmuKit();
            Assert.Equal(-XenErrno.EPERM, k.Mmuext(DomainId.Io, (C.NewBaseptr, k.Vcpu.KernelTableFrame, 0)));
            Assert.Equal(-XenErrno.EPERM, k.Mmuext(DomainId.Io, (C.NewUserBaseptr, 0, 0)));
            Assert.Equal(0u, k.Done);
        }

        // ---- TLB ----

        [Fact]
        public void FlushesOfABatchAreMadeOnce()
        {
            var k = new MmuKit();
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();
            Assert.Equal(0, k.Mmuext((C.TlbFlushLocal, 0, 0), (C.TlbFlushAll, 0, 0)));
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());
        }

        [Fact]
        public void InvlpgInvalidatesCanonicalOrGuestAddressesOnly()
        {
            var k = new MmuKit();
            k.Frames.ClearTlbFlushPending();
            ulong va = k.SparePage(0);
            k.ClearPlatformCalls();
            Assert.Equal(0, k.Mmuext(
                (C.InvlpgLocal, va, 0),
                (C.InvlpgLocal, 0x0000_8000_0000_0000UL, 0),            // not canonical: ignored
                (C.InvlpgAll, va + PageSize, 0),
                (C.InvlpgAll, AddressSpaceLayout.HypervisorVirtStart, 0)));   // not a guest address
            k.Platform.Verify(p => p.InvalidatePage(va), Times.Once());
            k.Platform.Verify(p => p.InvalidatePage(va + PageSize), Times.Once());
            k.Platform.Verify(p => p.InvalidatePage(It.IsAny<ulong>()), Times.Exactly(2));
            k.Platform.Verify(p => p.FlushTlb(), Times.Never());
        }

        [Fact]
        public void MultiFlushesFollowTheVcpuBitmap()
        {
            var k = new MmuKit();
            k.Frames.ClearTlbFlushPending();
            ulong bitmap = k.Args(2);
            ulong va = k.SparePage(0);

            k.T.Write64(bitmap, 1);
            k.ClearPlatformCalls();
            Assert.Equal(0, k.Mmuext((C.TlbFlushMulti, 0, bitmap), (C.InvlpgMulti, va, bitmap)));
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());
            k.Platform.Verify(p => p.InvalidatePage(va), Times.Once());

            k.T.Write64(bitmap, 2);   // vCPU 1 does not exist
            k.ClearPlatformCalls();
            Assert.Equal(0, k.Mmuext((C.TlbFlushMulti, 0, bitmap), (C.InvlpgMulti, va, bitmap)));
            k.Platform.Verify(p => p.FlushTlb(), Times.Never());
            k.Platform.Verify(p => p.InvalidatePage(It.IsAny<ulong>()), Times.Never());

            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.TlbFlushMulti, 0, TestDomainUnmapped)));
            Assert.Equal(0u, k.Done);
        }

        private const ulong TestDomainUnmapped = Support.TestDomain.UnmappedAddress;

        [Fact]
        public void TlbOperationsOnAForeignOwnerAreEperm()
        {
            var k = new MmuKit();
            foreach (uint command in new[] { C.TlbFlushLocal, C.InvlpgLocal, C.TlbFlushMulti, C.InvlpgMulti, C.TlbFlushAll, C.InvlpgAll })
                Assert.Equal(-XenErrno.EPERM, k.Mmuext(DomainId.Io, (command, 0, 0)));
        }

        // ---- Caches ----

        [Fact]
        public void CacheFlushesNeedIoAccess()
        {
            var privileged = new MmuKit();
            Assert.Equal(0, privileged.Mmuext((C.FlushCache, 0, 0), (C.FlushCacheGlobal, 0, 0)));
            Assert.Equal(-XenErrno.EPERM, privileged.Mmuext(DomainId.Io, (C.FlushCache, 0, 0)));

            var guest = new MmuKit(privileged: false);
            Assert.Equal(-XenErrno.EACCES, guest.Mmuext((C.FlushCache, 0, 0)));
            Assert.Equal(-XenErrno.EINVAL, guest.Mmuext((C.FlushCacheGlobal, 0, 0)));
        }

        // ---- LDT ----

        [Fact]
        public void SetLdtRecordsAValidRangeAndClearsWithZeroEntries()
        {
            var k = new MmuKit();
            ulong ldt = k.SparePage(2);
            Assert.Equal(0, k.Mmuext((C.SetLdt, ldt, 16)));
            Assert.Equal(ldt, k.Vcpu.LdtBase);
            Assert.Equal(16u, k.Vcpu.LdtEntries);

            Assert.Equal(0, k.Mmuext((C.SetLdt, 0x1234, 0)));   // no entries: the address does not matter
            Assert.Equal(0UL, k.Vcpu.LdtBase);
            Assert.Equal(0u, k.Vcpu.LdtEntries);
        }

        [Theory]
        [InlineData(0x1000_0008UL, 1u)]                       // not page-aligned
        [InlineData(0xFFFF_8000_0000_0000UL, 1u)]             // the hypervisor's
        [InlineData(0x0000_8000_0000_0000UL, 1u)]             // not canonical
        [InlineData(0x1000_0000UL, 8193u)]                    // too many entries
        public void SetLdtRefusesBadRanges(ulong address, uint entries)
        {
            var k = new MmuKit();
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.SetLdt, address, entries)));
            Assert.Equal(0UL, k.Vcpu.LdtBase);
        }

        // ---- Clear and copy ----

        [Fact]
        public void ClearPageZeroesAnOwnFrameAndLeavesNothingBehind()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            k.Ram.Fill(frame << 12, PageSize, 0xA5);
            var before = k.Snapshot();
            Assert.Equal(0, k.Mmuext((C.ClearPage, frame, 0)));
            for (ulong i = 0; i < PageSize; i += 8)
                Assert.Equal(0UL, k.Ram.Read64((frame << 12) + i));
            k.AssertSameAs(before);
        }

        [Fact]
        public void ClearPageRefusesPageTablesAndFramesNotOwned()
        {
            var k = new MmuKit();
            ulong table = k.L1EntryAddress(k.SparePage(0)) >> 12;
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.ClearPage, table, 0)));
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.ClearPage, 3, 0)));
            ulong m2p = k.Host.MachineToPhys.BaseAddress >> 12;
            Assert.Equal(0, k.Frames.ShareWithGuests(m2p));
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.ClearPage, m2p, 0)));
        }

        [Fact]
        public void CopyPageCopiesIntoAWritableFrame()
        {
            var k = new MmuKit();
            ulong source = k.FreeFrame(0), destination = k.FreeFrame(1);
            ulong m2p = k.Host.MachineToPhys.BaseAddress >> 12;
            Assert.Equal(0, k.Frames.ShareWithGuests(m2p));
            k.Ram.Fill(source << 12, PageSize, 0x3C);
            var before = k.Snapshot();
            Assert.Equal(0, k.Mmuext((C.CopyPage, destination, source)));
            Assert.Equal(0x3C3C3C3C3C3C3C3CUL, k.Ram.Read64((destination << 12) + 0xFF8));
            k.AssertSameAs(before);

            // A page table may be the source, not the destination.
            ulong table = k.L1EntryAddress(k.SparePage(0)) >> 12;
            Assert.Equal(0, k.Mmuext((C.CopyPage, destination, table)));
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.CopyPage, table, source)));
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((C.CopyPage, destination, m2p)));
            k.AssertSameAs(before);
        }

        // ---- Everything else ----

        [Theory]
        [InlineData(C.MarkSuper, -XenErrno.EOPNOTSUPP)]
        [InlineData(C.UnmarkSuper, -XenErrno.EOPNOTSUPP)]
        [InlineData(14u, -XenErrno.ENOSYS)]
        [InlineData(21u, -XenErrno.ENOSYS)]
        [InlineData(0xFFFF_FFFFu, -XenErrno.ENOSYS)]
        public void UnsupportedAndUnknownCommands(uint command, int errno)
        {
            var k = new MmuKit();
            Assert.Equal(errno, k.Mmuext((C.TlbFlushLocal, 0, 0), (command, 0, 0)));
            Assert.Equal(1u, k.Done);
        }

        [Fact]
        public void ForeignOwnersAreCheckedBeforeAnyOperation()
        {
            var k = new MmuKit();
            Assert.Equal(-XenErrno.ESRCH, k.Mmuext(k.Domain.Id, (C.TlbFlushLocal, 0, 0)));
            Assert.Equal(0xDEADu, k.Done);
            Assert.Equal(-XenErrno.ESRCH, k.Mmuext(9, (C.TlbFlushLocal, 0, 0)));

            var guest = new MmuKit(privileged: false);
            Assert.Equal(-XenErrno.EPERM, guest.Mmuext(DomainId.Io, (C.TlbFlushLocal, 0, 0)));
            Assert.Equal(-XenErrno.EPERM, guest.Mmuext(DomainId.Xen, (C.PinL1Table, guest.FreeFrame(0), 0)));
            Assert.Equal(0xDEADu, guest.Done);
        }

        [Fact]
        public void BadArraysAreEfault()
        {
            var k = new MmuKit();
            k.T.Write64(k.Args(0), 0xDEAD);
            Assert.Equal(-XenErrno.EFAULT, k.Call(HypercallNumber.MmuextOp, AddressSpaceLayout.HypervisorVirtStart + 8, 1, k.Args(0), DomainId.Self));
            Assert.Equal(0xDEADUL, k.T.Read64(k.Args(0)));
            Assert.Equal(-XenErrno.EFAULT, k.Call(HypercallNumber.MmuextOp, TestDomainUnmapped, 1, k.Args(0), DomainId.Self));
            Assert.Equal(0UL, k.T.Read64(k.Args(0)));
        }

        [Fact]
        public void ThePreemptedBitContinuesTheDoneCount()
        {
            var k = new MmuKit();
            k.WriteOps(k.Args(1), (C.TlbFlushLocal, 0, 0));
            k.T.Write64(k.Args(0), 10);
            Assert.Equal(0, k.Call(HypercallNumber.MmuextOp, k.Args(1), 1 | (1UL << 31), k.Args(0), DomainId.Self));
            Assert.Equal(11UL, k.T.Read64(k.Args(0)));
            Assert.Equal(-XenErrno.EINVAL, k.Call(HypercallNumber.MmuextOp, 0, 1UL << 31, 0, unchecked((uint)-XenErrno.EINVAL)));
        }

        private static ulong WriteAndReadBack(MmuKit k, ulong value)
        {
            k.T.Write64(k.Args(4), value);
            return k.T.Read64(k.Args(4));
        }
    }
}
