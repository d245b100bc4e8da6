using Hypervisor.Core.Domains;
using Hypervisor.Abi;
using Hypervisor.Core.Grants;
using Hypervisor.Core.Memory;
using Xunit;

namespace Hypervisor.Core.Tests.Grants
{
    /// <summary>The table itself: its frames, the pins and flags of entries, the maptrack.</summary>
    public class GrantTableTests
    {
        [Fact]
        public void FramesAreZeroedOwnedByTheDomainWritableForGoodAndOutOfTheP2m()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            Assert.Equal(1u, table.FrameCount);                 // made with the domain, as in Xen
            Assert.True(table.EnsureFrames(k.Dom0, 0));
            Assert.Equal(1u, table.FrameCount);
            Assert.Equal(512u, table.EntryCount);
            ulong mfn = table.FrameAt(0);
            Assert.Equal(k.Dom0.Id, k.Frames.OwnerOf(mfn));
            Assert.Equal(PageType.Writable, k.Frames.TypeOf(mfn));
            Assert.Equal(1u, k.Frames.TypeCountOf(mfn));
            Assert.Equal(1u, k.Frames.ReferencesOf(mfn));
            Assert.Equal(MachineToPhys.Invalid, k.Host.MachineToPhys.Get(mfn));
            for (ulong i = 0; i < 4096; i += 8)
                Assert.Equal(0UL, k.Ram.Read64((mfn << 12) + i));
            // The permanent writable type: the frame can never become a page table.
            Assert.NotEqual(0, k.Frames.Pin(k.Dom0.Id, mfn, 1));
        }

        [Fact]
        public void GrowsUpToTheLimitOnly()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            Assert.True(table.EnsureFrames(k.Dom0, 3));
            Assert.Equal(3u, table.FrameCount);
            Assert.True(table.EnsureFrames(k.Dom0, 2));
            Assert.Equal(3u, table.FrameCount);
            Assert.False(table.EnsureFrames(k.Dom0, GrantTable.MaxFrames + 1));
            Assert.Equal(3u, table.FrameCount);
            Assert.Equal((table.FrameAt(1) << 12) + 7 * 8, table.EntryAddress(512 + 7));
        }

        [Fact]
        public void ReleaseFramesGivesThemBackOnlyWhenUnused()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            Assert.True(table.EnsureFrames(k.Dom0, 2));
            ulong mfn = table.FrameAt(1);
            ulong free = k.Host.Frames.FreeFrames;
            Assert.Equal(0, k.Frames.GetPage(mfn, k.Dom0.Id));
            Assert.False(table.ReleaseFrames(k.Dom0));
            Assert.Equal(2u, table.FrameCount);
            k.Frames.PutPage(mfn);
            Assert.True(table.ReleaseFrames(k.Dom0));
            Assert.Equal(0u, table.FrameCount);
            Assert.Equal(FrameOwner.Free, k.Frames.OwnerOf(mfn));
            Assert.Equal(free + 2, k.Host.Frames.FreeFrames);
            Assert.Equal(0UL, k.Frames.AccountingErrors);
        }

        [Fact]
        public void AcquireChecksTypeGranteeReadOnlyAndOwnerOnTheFirstUse()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            Assert.Equal(GrantStatus.Okay, table.Acquire(k.Host, 0, 8, 0, true, true, out ulong got));
            Assert.Equal(frame, got);
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Reading, k.FlagsOf(k.Dom0, 8));
            table.Settle(k.Ram, 8, false);
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 8));

            Assert.Equal(GrantStatus.GeneralError, table.Acquire(k.Host, 0, 8, 1, true, true, out _));
            k.Grant(k.Dom0, 9, 0, frame, GrantFlags.PermitAccess | GrantFlags.ReadOnly);
            Assert.Equal(GrantStatus.GeneralError, table.Acquire(k.Host, 0, 9, 0, false, true, out _));
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.ReadOnly, k.FlagsOf(k.Dom0, 9));
            k.Grant(k.Dom0, 10, 0, frame, GrantFlags.AcceptTransfer);
            Assert.Equal(GrantStatus.GeneralError, table.Acquire(k.Host, 0, 10, 0, true, false, out _));
            k.Grant(k.Dom0, 11, 0, k.Host.MachineToPhys.BaseAddress >> 12);
            Assert.Equal(GrantStatus.BadPage, table.Acquire(k.Host, 0, 11, 0, true, true, out _));
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 11));
            k.Grant(k.Dom0, 12, 0, 0xFFFFFFF);
            Assert.Equal(GrantStatus.BadPage, table.Acquire(k.Host, 0, 12, 0, true, true, out _));
        }

        [Fact]
        public void SubPageIsRefusedForMappingsOnly()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            k.Grant(k.Dom0, 8, 0, k.FreeFrame(k.Dom0, 0), GrantFlags.PermitAccess | GrantFlags.SubPage);
            Assert.Equal(GrantStatus.GeneralError, table.Acquire(k.Host, 0, 8, 0, true, true, out _));
            Assert.Equal(GrantStatus.Okay, table.Acquire(k.Host, 0, 8, 0, true, false, out _));
        }

        [Fact]
        public void APinnedEntryIsUsedAsRecordedNotAsRewritten()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            Assert.Equal(GrantStatus.Okay, table.Acquire(k.Host, 0, 8, 0, true, true, out _));
            table.AddPin(8, ActiveGrant.HostRead, 0, frame);

            // The granter rewrites frame, domid and type: a further read-only use still gets the pinned frame.
            k.Ram.Write32(table.EntryAddress(8) + 4, (uint)k.FreeFrame(k.Dom0, 1));
            k.Ram.Write16(table.EntryAddress(8), GrantFlags.Reading);
            Assert.Equal(GrantStatus.Okay, table.Acquire(k.Host, 0, 8, 0, true, true, out ulong got));
            Assert.Equal(frame, got);
            // Another grantee is refused by the record.
            Assert.Equal(GrantStatus.GeneralError, table.Acquire(k.Host, 0, 8, 1, true, true, out _));
            // The first writable use checks GTF_readonly (only) and sets GTF_writing.
            k.Ram.Write16(table.EntryAddress(8), GrantFlags.Reading | GrantFlags.ReadOnly);
            Assert.Equal(GrantStatus.GeneralError, table.Acquire(k.Host, 0, 8, 0, false, true, out _));
            k.Ram.Write16(table.EntryAddress(8), GrantFlags.Reading);
            Assert.Equal(GrantStatus.Okay, table.Acquire(k.Host, 0, 8, 0, false, true, out got));
            Assert.Equal(frame, got);
            Assert.Equal(GrantFlags.Reading | GrantFlags.Writing, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void FlagsFollowThePins()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            table.Acquire(k.Host, 0, 8, 0, true, true, out _);
            table.AddPin(8, ActiveGrant.HostRead, 0, frame);
            table.Acquire(k.Host, 0, 8, 0, false, true, out _);
            table.AddPin(8, ActiveGrant.DeviceWrite, 0, frame);
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Reading | GrantFlags.Writing, k.FlagsOf(k.Dom0, 8));
            Assert.True(table.IsPinnedFor(0, frame));
            Assert.False(table.IsPinnedFor(1, frame));

            table.DropPin(8, ActiveGrant.DeviceWrite);
            table.Settle(k.Ram, 8, true);
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Reading, k.FlagsOf(k.Dom0, 8));
            table.DropPin(8, ActiveGrant.HostRead);
            table.Settle(k.Ram, 8, false);
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 8));
            Assert.False(table.IsPinnedFor(0, frame));
        }

        [Fact]
        public void APinCountOf128IsTheLimit()
        {
            var k = new GrantKit();
            GrantTable table = k.Dom0.Grants;
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            for (int i = 0; i < 128; i++)
            {
                Assert.Equal(GrantStatus.Okay, table.Acquire(k.Host, 0, 8, 0, true, true, out _));
                table.AddPin(8, ActiveGrant.HostRead, 0, frame);
            }
            Assert.Equal(GrantStatus.GeneralError, table.Acquire(k.Host, 0, 8, 0, true, true, out _));
        }

        [Fact]
        public void HandlesAreHandedOutInTurnAndTheMaptrackGrows()
        {
            Domain owner = new GrantKit().Dom0;
            GrantTable table = owner.Grants;
            int first = table.AllocateHandle(owner);
            table.Mapping((uint)first).InUse = true;
            int second = table.AllocateHandle(owner);
            Assert.Equal(0, first);
            Assert.Equal(1, second);
            table.Mapping((uint)first) = default;
            // The handle just freed is not the next one.
            Assert.Equal(2, table.AllocateHandle(owner));
            for (int i = 0; i < 40; i++)
                table.Mapping((uint)table.AllocateHandle(owner)).InUse = true;
            Assert.True(table.HandleCapacity >= 40);
            Assert.True(table.IsHandleInUse(5));
            Assert.False(table.IsHandleInUse(uint.MaxValue));
        }

        [Fact]
        public void TheMaptrackEndsAtItsLimit()
        {
            Domain owner = new GrantKit().Dom0;
            GrantTable table = owner.Grants;
            for (int i = 0; i < GrantTable.MaxMappings; i++)
            {
                int h = table.AllocateHandle(owner);
                Assert.True(h >= 0);
                table.Mapping((uint)h).InUse = true;
            }
            Assert.Equal(-1, table.AllocateHandle(owner));
        }
    }
}
