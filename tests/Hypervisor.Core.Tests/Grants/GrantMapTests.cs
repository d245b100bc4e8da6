using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Grants;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Grants
{
    /// <summary>map_grant_ref, unmap_grant_ref and unmap_and_replace: the rules and statuses, the
    /// entry's flags, and the references a mapping holds on the granted frame.</summary>
    public class GrantMapTests
    {
        private const uint Host = GrantMapFlags.HostMap;
        private const uint HostRo = GrantMapFlags.HostMap | GrantMapFlags.ReadOnly;
        private const ushort Permit = GrantFlags.PermitAccess;
        private const ushort Reading = GrantFlags.PermitAccess | GrantFlags.Reading;
        private const ushort ReadingWriting = GrantFlags.PermitAccess | GrantFlags.Reading | GrantFlags.Writing;

        private static ulong KernelEntry(ulong frame, bool writable) => (frame << 12) | PageTableEntry.Present | PageTableEntry.Accessed
            | PageTableEntry.Dirty | PageTableEntry.User | PageTableEntry.NoExecute | GrantMappings.KernelOnly | (writable ? PageTableEntry.Writable : 0);

        [Fact]
        public void AReadOnlyHostMappingOfOwnGrant()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Ram.Write64(frame << 12, 0x5050);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            var before = k.Snapshot();
            k.Platform.Invocations.Clear();

            Assert.Equal(0, k.Map(k.Dom0, window, HostRo, 0, 8, out GnttabMapGrantRef op));
            Assert.Equal(GrantStatus.Okay, op.Status);
            Assert.Equal(frame << 12, op.DevBusAddr);
            Assert.Equal(Reading, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(KernelEntry(frame, false), k.Pte(k.Dom0, window));
            Assert.Equal(0x5050UL, k.Read<ulong>(k.Dom0, window));
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));
            Assert.Equal(0u, k.Frames.TypeCountOf(frame));
            k.Platform.Verify(p => p.InvalidatePage(window), Times.Once());
            Assert.True(k.Dom0.Grants.IsHandleInUse(op.Handle));

            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, 0, op.Handle));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(0UL, k.Pte(k.Dom0, window));
            Assert.False(k.Dom0.Grants.IsHandleInUse(op.Handle));
            k.AssertSameAs(before);
        }

        [Fact]
        public void AWritableHostMappingHoldsAWritableType()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            var before = k.Snapshot();

            uint handle = k.MapOk(k.Dom0, window, Host, 0, 8);
            Assert.Equal(ReadingWriting, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(KernelEntry(frame, true), k.Pte(k.Dom0, window));
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));
            Assert.Equal(PageType.Writable, k.Frames.TypeOf(frame));
            Assert.Equal(1u, k.Frames.TypeCountOf(frame));
            k.Write(k.Dom0, window + 16, 0xABCDUL);
            Assert.Equal(0xABCDUL, k.Ram.Read64((frame << 12) + 16));
            // While it is mapped writable, the frame cannot become a page table.
            Assert.NotEqual(0, k.Frames.Pin(k.Dom0.Id, frame, 1));

            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, 0, handle));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            k.AssertSameAs(before);
        }

        [Fact]
        public void TheEntryCarriesApplicationMapAndGuestAvailBits()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame, Permit | GrantFlags.Pcd | GrantFlags.Pwt);
            uint handle = k.MapOk(k.Dom0, window, HostRo | GrantMapFlags.ApplicationMap | (5u << 16), 0, 8);
            Assert.Equal((frame << 12) | PageTableEntry.Present | PageTableEntry.Accessed | PageTableEntry.Dirty | PageTableEntry.User
                         | PageTableEntry.NoExecute | (5UL << 9), k.Pte(k.Dom0, window));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, 0, handle));
        }

        [Fact]
        public void MappingsOfOneEntryKeepItsFlagsUntilTheLastGoes()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong w0 = k.Window(k.Dom0, 0), w1 = k.Window(k.Dom0, 1);
            k.Grant(k.Dom0, 8, 0, frame);
            var before = k.Snapshot();
            uint ro = k.MapOk(k.Dom0, w0, HostRo, 0, 8);
            uint rw = k.MapOk(k.Dom0, w1, Host, 0, 8);
            Assert.NotEqual(ro, rw);
            Assert.Equal(ReadingWriting, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(2u, k.Frames.ReferencesOf(frame));
            Assert.Equal(ActiveGrant.HostRead + ActiveGrant.HostWrite, k.Dom0.Grants.Active(8).Pin);
            Assert.True(k.Dom0.Grants.Active(8).HasWriters);

            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, w1, 0, rw));
            Assert.Equal(Reading, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(0u, k.Frames.TypeCountOf(frame));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, w0, 0, ro));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            k.AssertSameAs(before);
        }

        [Fact]
        public void APinnedEntryMapsThePinnedFrameWhateverTheGranterWritesSince()
        {
            var k = new GrantKit();
            ulong p = k.FreeFrame(k.Dom0, 0), q = k.FreeFrame(k.Dom0, 1);
            ulong w0 = k.Window(k.Dom0, 0), w1 = k.Window(k.Dom0, 1);
            k.Grant(k.Dom0, 8, 0, p);
            uint first = k.MapOk(k.Dom0, w0, HostRo, 0, 8);
            k.Ram.Write32(k.EntryAddress(k.Dom0, 8) + 4, (uint)q);
            uint second = k.MapOk(k.Dom0, w1, HostRo, 0, 8);
            Assert.Equal(p, PageTableEntry.FrameOf(k.Pte(k.Dom0, w1)));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, w1, 0, second));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, w0, 0, first));
        }

        [Theory]
        [InlineData(0u, 0, 8u, GrantStatus.BadGntref)]                                   // neither host nor device
        [InlineData(GrantMapFlags.ReadOnly, 0, 8u, GrantStatus.BadGntref)]
        [InlineData(HostRo, 7, 8u, GrantStatus.BadDomain)]
        [InlineData(HostRo, DomainId.Self, 8u, GrantStatus.BadDomain)]                     // a numeric id only
        [InlineData(HostRo, 0, 512u, GrantStatus.BadGntref)]                               // past the one frame
        [InlineData(HostRo, 0, uint.MaxValue, GrantStatus.BadGntref)]
        [InlineData(HostRo, 0, 9u, GrantStatus.GeneralError)]                              // granted to domain 1
        [InlineData(HostRo, 0, 10u, GrantStatus.GeneralError)]                             // nothing granted
        [InlineData(Host, 0, 11u, GrantStatus.GeneralError)]                               // GTF_readonly, mapped writable
        [InlineData(HostRo, 0, 12u, GrantStatus.GeneralError)]                             // GTF_sub_page
        [InlineData(HostRo, 0, 13u, GrantStatus.BadPage)]                                  // a frame dom0 does not own
        [InlineData(Host, 0, 14u, GrantStatus.GeneralError)]                               // a page table, writable
        [InlineData(GrantMapFlags.DeviceMap, 0, 14u, GrantStatus.GeneralError)]
        public void RefusedMapsChangeNothing(uint flags, ushort dom, uint reference, short expected)
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            k.Grant(k.Dom0, 9, 1, frame);
            k.Grant(k.Dom0, 11, 0, frame, Permit | GrantFlags.ReadOnly);
            k.Grant(k.Dom0, 12, 0, frame, Permit | GrantFlags.SubPage);
            k.Grant(k.Dom0, 13, 0, k.Host.MachineToPhys.BaseAddress >> 12);
            k.Grant(k.Dom0, 14, 0, k.V0.KernelTableFrame);
            ushort flagsBefore = k.FlagsOf(k.Dom0, reference < 512 ? reference : 8);
            var before = k.Snapshot();

            var op = new GnttabMapGrantRef { HostAddr = window, Flags = flags, Ref = reference, Dom = dom, Handle = 0x5A5A, DevBusAddr = 0xA5A5 };
            k.Write(k.Dom0, k.Args(k.Dom0), op);
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.MapGrantRef, k.Args(k.Dom0), 1));
            op = k.Read<GnttabMapGrantRef>(k.Dom0, k.Args(k.Dom0));
            Assert.Equal(expected, op.Status);
            Assert.Equal(0x5A5Au, op.Handle);
            Assert.Equal(0xA5A5UL, op.DevBusAddr);
            Assert.Equal(flagsBefore, k.FlagsOf(k.Dom0, reference < 512 ? reference : 8));
            Assert.Equal(0UL, k.Pte(k.Dom0, window));
            k.AssertSameAs(before);
        }

        [Fact]
        public void APageTableMayBeMappedReadOnly()
        {
            var k = new GrantKit();
            ulong window = k.Window(k.Dom0, 0);
            ulong l4 = k.V0.KernelTableFrame;
            k.Grant(k.Dom0, 8, 0, l4);
            uint handle = k.MapOk(k.Dom0, window, HostRo, 0, 8);
            Assert.Equal(k.Ram.Read64(l4 << 12), k.Read<ulong>(k.Dom0, window));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, 0, handle));
        }

        [Theory]
        [InlineData(0x1000UL)]                          // no L1 table there
        [InlineData(0x0000800000000000UL)]              // not canonical
        [InlineData(AddressSpaceLayout.MachToPhysVirtStart)]
        public void AHostAddressWithoutAnL1EntryIsAGeneralError(ulong address)
        {
            var k = new GrantKit();
            k.Grant(k.Dom0, 8, 0, k.FreeFrame(k.Dom0, 0));
            var before = k.Snapshot();
            Assert.Equal(0, k.Map(k.Dom0, address, HostRo, 0, 8, out GnttabMapGrantRef op));
            Assert.Equal(GrantStatus.GeneralError, op.Status);
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(0u, k.Dom0.Grants.Active(8).Pin);
            k.AssertSameAs(before);
        }

        [Fact]
        public void UnmapErrors()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong w0 = k.Window(k.Dom0, 0), w1 = k.Window(k.Dom0, 1);
            k.Grant(k.Dom0, 8, 0, frame);
            uint handle = k.MapOk(k.Dom0, w0, HostRo, 0, 8);

            Assert.Equal(GrantStatus.GeneralError, k.Unmap(k.Dom0, w1, 0, handle));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, 0, 0, handle));      // nothing named
            Assert.Equal(Reading, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(GrantStatus.BadHandle, k.Unmap(k.Dom0, w0, 0, 0x7FFFFFFF));
            Assert.Equal(GrantStatus.BadHandle, k.Unmap(k.Dom0, w0, 0, uint.MaxValue));
            // A host-only mapping ignores a bus address.
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, w0, (frame + 1) << 12, handle));
            Assert.Equal(GrantStatus.BadHandle, k.Unmap(k.Dom0, w0, 0, handle));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void UnmapWritesBackOnlyTheStatus()
        {
            var k = new GrantKit();
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabUnmapGrantRef { HostAddr = 5, DevBusAddr = 6, Handle = 0x7FFFFFF0, Status = 9 });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.UnmapGrantRef, k.Args(k.Dom0), 1));
            var op = k.Read<GnttabUnmapGrantRef>(k.Dom0, k.Args(k.Dom0));
            Assert.Equal(GrantStatus.BadHandle, op.Status);
            Assert.Equal(5UL, op.HostAddr);
            Assert.Equal(6UL, op.DevBusAddr);
            Assert.Equal(0x7FFFFFF0u, op.Handle);
        }

        [Fact]
        public void AMappingReplacedBehindTheGrantCodeCannotBeUnmapped()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            var before = k.Snapshot();
            uint handle = k.MapOk(k.Dom0, window, Host, 0, 8);
            // The entry held the references; clearing it gives them back.
            Assert.Equal(0, k.Frames.UpdateL1Entry(k.Dom0.Id, k.L1EntryAddress(k.Dom0, window), 0));
            k.AssertSameAs(before);
            Assert.Equal(GrantStatus.GeneralError, k.Unmap(k.Dom0, window, 0, handle));
            Assert.Equal(ReadingWriting, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void DeviceMappingsHoldTheirOwnReferences()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            var before = k.Snapshot();

            Assert.Equal(0, k.Map(k.Dom0, 0, GrantMapFlags.DeviceMap, 0, 8, out GnttabMapGrantRef op));
            Assert.Equal(GrantStatus.Okay, op.Status);
            Assert.Equal(frame << 12, op.DevBusAddr);
            Assert.Equal(ReadingWriting, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));
            Assert.Equal(1u, k.Frames.TypeCountOf(frame));
            Assert.Equal(GrantStatus.BadDevAddr, k.Unmap(k.Dom0, 0, (frame + 1) << 12, op.Handle));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, 0, frame << 12, op.Handle));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            k.AssertSameAs(before);

            // Device and host at once: each half goes on its own.
            op.Handle = k.MapOk(k.Dom0, window, GrantMapFlags.DeviceMap | HostRo, 0, 8);
            Assert.Equal(2u, k.Frames.ReferencesOf(frame));
            Assert.Equal(ActiveGrant.HostRead + ActiveGrant.DeviceRead, k.Dom0.Grants.Active(8).Pin);
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, 0, op.Handle));
            Assert.Equal(Reading, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, frame << 12, op.Handle));
            Assert.Equal(GrantStatus.BadHandle, k.Unmap(k.Dom0, window, frame << 12, op.Handle));
            k.AssertSameAs(before);
        }

        [Fact]
        public void ContainsPteNamesTheL1EntryByMachineAddress()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong window = k.Window(k.Dom0, 0);
            ulong entry = k.L1EntryAddress(k.Dom0, window);
            k.Grant(k.Dom0, 8, 0, frame);
            var before = k.Snapshot();
            k.Platform.Invocations.Clear();

            uint handle = k.MapOk(k.Dom0, entry, HostRo | GrantMapFlags.ContainsPte, 0, 8);
            Assert.Equal(KernelEntry(frame, false), k.Ram.Read64(entry));
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());
            Assert.Equal(GrantStatus.GeneralError, k.Unmap(k.Dom0, window, 0, handle));   // by its virtual address: no
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, entry, 0, handle));
            Assert.Equal(0UL, k.Ram.Read64(entry));
            k.AssertSameAs(before);

            foreach (ulong bad in new[] { entry + 4, k.FreeFrame(k.Dom0, 1) << 12, k.Host.MachineToPhys.BaseAddress, 0xFFFFFFFUL << 12 })
            {
                Assert.Equal(0, k.Map(k.Dom0, bad, HostRo | GrantMapFlags.ContainsPte, 0, 8, out GnttabMapGrantRef op));
                Assert.Equal(GrantStatus.GeneralError, op.Status);
            }
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            k.AssertSameAs(before);
        }

        [Fact]
        public void UnmapAndReplaceMovesTheNewAddressEntryOverTheGrant()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong window = k.Window(k.Dom0, 0);
            ulong other = k.SparePage(k.Dom0, 1);
            ulong otherEntry = k.Pte(k.Dom0, other);
            k.Grant(k.Dom0, 8, 0, frame);
            var before = k.Snapshot();

            uint handle = k.MapOk(k.Dom0, window, Host, 0, 8);
            Assert.Equal(GrantStatus.Okay, k.UnmapAndReplace(k.Dom0, window, other, handle));
            Assert.Equal(otherEntry, k.Pte(k.Dom0, window));
            Assert.Equal(0UL, k.Pte(k.Dom0, other));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            k.AssertSameAs(before);   // the moved entry holds what it held at the other address
            Assert.Equal(GrantStatus.BadHandle, k.UnmapAndReplace(k.Dom0, window, other, handle));
        }

        [Fact]
        public void UnmapAndReplaceRefusals()
        {
            var k = new GrantKit();
            ulong frame = k.FreeFrame(k.Dom0, 0);
            ulong w0 = k.Window(k.Dom0, 0), w1 = k.Window(k.Dom0, 1);
            ulong other = k.SparePage(k.Dom0, 2);
            k.Grant(k.Dom0, 8, 0, frame);
            uint handle = k.MapOk(k.Dom0, w0, HostRo, 0, 8);

            Assert.Equal(GrantStatus.GeneralError, k.UnmapAndReplace(k.Dom0, w0, 0x1000, handle));
            Assert.Equal(GrantStatus.GeneralError, k.UnmapAndReplace(k.Dom0, w1, 0, handle));
            Assert.NotEqual(0UL, k.Pte(k.Dom0, other));
            // The new address's entry is taken first: a wrong old address costs it.
            Assert.Equal(GrantStatus.GeneralError, k.UnmapAndReplace(k.Dom0, w1, other, handle));
            Assert.Equal(0UL, k.Pte(k.Dom0, other));
            Assert.Equal(Reading, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(GrantStatus.Okay, k.UnmapAndReplace(k.Dom0, w0, 0, handle));
            Assert.Equal(0UL, k.Pte(k.Dom0, w0));

            ulong entry = k.L1EntryAddress(k.Dom0, w0);
            handle = k.MapOk(k.Dom0, entry, HostRo | GrantMapFlags.ContainsPte, 0, 8);
            Assert.Equal(GrantStatus.GeneralError, k.UnmapAndReplace(k.Dom0, entry, w1, handle));
            Assert.Equal(GrantStatus.Okay, k.UnmapAndReplace(k.Dom0, entry, 0, handle));

            handle = k.MapOk(k.Dom0, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8);
            Assert.Equal(GrantStatus.Okay, k.UnmapAndReplace(k.Dom0, w0, 0, handle));
            Assert.Equal(Reading, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, 0, frame << 12, handle));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void HandlesRunOut()
        {
            var k = new GrantKit();
            k.Grant(k.Dom0, 8, 0, k.FreeFrame(k.Dom0, 0));
            GrantTable table = k.Dom0.Grants;
            for (int i = 0; i < GrantTable.MaxMappings; i++)
                table.Mapping((uint)table.AllocateHandle(k.Dom0)).InUse = true;
            // Xen 4.17's status for a full maptrack (older versions said GNTST_no_device_space).
            Assert.Equal(0, k.Map(k.Dom0, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8, out GnttabMapGrantRef op));
            Assert.Equal(GrantStatus.NoSpace, op.Status);
        }

        [Fact]
        public void AMaptrackFrameHolds255Mappings_AndAnUnmapMakesRoomForOneMore()
        {
            var k = new GrantKit();
            Domain mapper = k.AddDomain(1);
            mapper.Grants.SetLimits(GrantTable.MaxFrames, 1);
            for (uint r = 8; r < 10; r++)
                k.Grant(k.Dom0, r, 1, k.FreeFrame(k.Dom0, (int)r));
            uint[] handles = new uint[255];
            for (int i = 0; i < 255; i++)
                handles[i] = k.MapOk(mapper, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8 + (uint)(i % 2));
            Assert.Equal(0, k.Map(mapper, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8, out GnttabMapGrantRef full));
            Assert.Equal(GrantStatus.NoSpace, full.Status);

            ulong frame = k.FreeFrame(k.Dom0, 8);
            Assert.Equal(GrantStatus.Okay, k.Unmap(mapper, 0, frame << 12, handles[0]));
            k.MapOk(mapper, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8);
        }

        [Fact]
        public void NoMaptrackFrame_NoMapping()
        {
            var k = new GrantKit();
            Domain mapper = k.AddDomain(1);
            mapper.Grants.SetLimits(GrantTable.MaxFrames, 0);
            k.Grant(k.Dom0, 8, 1, k.FreeFrame(k.Dom0, 8));
            Assert.Equal(0, k.Map(mapper, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8, out GnttabMapGrantRef op));
            Assert.Equal(GrantStatus.NoSpace, op.Status);
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void ABatchStopsAtTheFirstUnreadableOperation()
        {
            var k = new GrantKit();
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, k.FreeFrame(k.Dom0, 0));
            // The second op lies on the unmapped window page.
            ulong at = window - 32;
            k.Write(k.Dom0, at, new GnttabMapGrantRef { HostAddr = 0, Flags = GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, Ref = 8, Dom = 0 });
            Assert.Equal(-XenErrno.EFAULT, k.Op(k.Dom0, GrantTableOp.MapGrantRef, at, 2));
            Assert.Equal(GrantStatus.Okay, k.Read<GnttabMapGrantRef>(k.Dom0, at).Status);
            Assert.Equal(Reading, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void ADyingMapperGivesItsMappingsUp()
        {
            var k = new GrantKit();
            var d1 = k.AddDomain(1);
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 1, frame);
            k.Grant(k.Dom0, 9, 1, frame);
            var before = k.Snapshot();
            k.MapOk(d1, 0, GrantMapFlags.DeviceMap, 0, 8);
            k.MapOk(d1, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 9);
            Assert.Equal(ReadingWriting, k.FlagsOf(k.Dom0, 8));
            GrantMappings.UnmapAll(d1);
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(Permit, k.FlagsOf(k.Dom0, 9));
            Assert.False(d1.Grants.IsHandleInUse(0));
            k.AssertSameAs(before);
        }
    }
}
