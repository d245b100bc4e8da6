using System;
using Hypervisor.Core.Memory;
using Xunit;
using static Hypervisor.Core.Tests.Memory.PvMemory;

namespace Hypervisor.Core.Tests.Memory
{
    public class GuestPageWalkTests
    {
        private static (PvMemory M, GuestPageWalk Walk) Machine()
        {
            var m = new PvMemory();
            m.BuildHierarchy();
            return (m, new GuestPageWalk(m.Memory, m.Frames));
        }

        private static ulong Va(int l1Slot, ulong offset = 0) => KernelBase + (ulong)l1Slot * 4096 + offset;

        [Fact]
        public void Translate_MappedPage()
        {
            var (m, walk) = Machine();
            Assert.True(walk.TryTranslate(PvMemory.L4, Va(2, 0x123), false, out ulong machine));
            Assert.Equal((FirstData + 2) * 4096 + 0x123, machine);
            Assert.True(walk.TryTranslate(PvMemory.L4, Va(2, 0x123), true, out machine));
        }

        [Fact]
        public void Translate_ReadOnlyPage_RefusedForWriting()
        {
            var (m, walk) = Machine();
            Assert.True(walk.TryTranslate(PvMemory.L4, Va(TableMappingSlot), false, out ulong machine));
            Assert.Equal(PvMemory.L4 * 4096, machine);
            Assert.False(walk.TryTranslate(PvMemory.L4, Va(TableMappingSlot), true, out _));
        }

        [Fact]
        public void Translate_Unmapped()
        {
            var (m, walk) = Machine();
            Assert.False(walk.TryTranslate(PvMemory.L4, Va(200), false, out _));                 // L1 entry empty
            Assert.False(walk.TryTranslate(PvMemory.L4, KernelBase + (1UL << 21), false, out _)); // L2 entry empty
            Assert.False(walk.TryTranslate(PvMemory.L4, 0x400000, false, out _));                // L4 entry empty
        }

        [Fact]
        public void Translate_NoUserBitAnywhere_Refused()
        {
            var (m, walk) = Machine();
            m.Set(PvMemory.L1, 2, E(FirstData + 2, P | RW));                 // behind the frame table's back
            Assert.False(walk.TryTranslate(PvMemory.L4, Va(2), false, out _));
            m.Set(PvMemory.L1, 2, E(FirstData + 2, P | RW | US));
            m.Set(PvMemory.L2, L2Slot, E(PvMemory.L1, P | RW));
            Assert.False(walk.TryTranslate(PvMemory.L4, Va(2), false, out _));
        }

        [Theory]
        [InlineData(0x0000_8000_0000_0000UL)]   // first non-canonical
        [InlineData(0xFFFF_7FFF_FFFF_F000UL)]   // last non-canonical page
        [InlineData(0xFFFF_8000_0000_0000UL)]   // the M2P, start of the hypervisor's range
        [InlineData(0xFFFF_8300_0000_1000UL)]   // the hypervisor's direct map
        [InlineData(0xFFFF_87FF_FFFF_FFF8UL)]   // last word of the hypervisor's range
        public void Translate_NonCanonicalOrHypervisor_Refused(ulong va)
        {
            var (m, walk) = Machine();
            Assert.False(GuestPageWalk.IsGuestAddress(va));
            Assert.False(walk.TryTranslate(PvMemory.L4, va, false, out _));
            Assert.False(walk.TryFindL1Entry(PvMemory.L4, va, out _));
        }

        [Theory]
        [InlineData(0x0000_7FFF_FFFF_F000UL)]
        [InlineData(0xFFFF_8800_0000_0000UL)]
        [InlineData(0UL)]
        public void GuestAddresses(ulong va)
        {
            Assert.True(GuestPageWalk.IsGuestAddress(va));
        }

        // The arch layer copies such ranges with plain loads and stores: anything that touches the
        // canonical hole or the hypervisor's slots, or wraps, must be refused before any access.
        [Theory]
        [InlineData(0x0000_7FFF_FFFF_F000UL, 0x1000UL, true)]          // ends exactly at the lower half's top
        [InlineData(0x0000_7FFF_FFFF_F000UL, 0x1001UL, false)]         // one byte into the hole
        [InlineData(0xFFFF_8800_0000_0000UL, 8UL, true)]               // first guest byte above the hypervisor
        [InlineData(0xFFFF_87FF_FFFF_FFF8UL, 16UL, false)]             // starts in the hypervisor's slots
        [InlineData(0xFFFF_8000_0000_0000UL, 8UL, false)]              // the M2P: the guest may read it, hypercalls may not
        [InlineData(0xFFFF_FFFF_FFFF_FFF8UL, 8UL, true)]               // the very top
        [InlineData(0xFFFF_FFFF_FFFF_FFF8UL, 9UL, false)]              // wraps to zero
        [InlineData(0x1000UL, 0UL, true)]
        public void GuestRanges(ulong va, ulong length, bool expected)
        {
            Assert.Equal(expected, GuestPageWalk.IsGuestRange(va, length));
        }

        [Fact]
        public void Translate_ToIoOrBeyondRam_Refused()
        {
            var (m, walk) = Machine();
            m.Give(70, FrameOwner.Io);
            m.Set(PvMemory.L1, 200, E(70, P | RW | US));
            m.Set(PvMemory.L1, 201, E(FrameCount + 5, P | RW | US));
            Assert.False(walk.TryTranslate(PvMemory.L4, Va(200), false, out _));
            Assert.False(walk.TryTranslate(PvMemory.L4, Va(201), false, out _));
            Assert.False(walk.TryTranslate(FrameCount + 1, Va(0), false, out _));          // root beyond RAM
        }

        [Fact]
        public void Translate_LargePage_Refused()
        {
            var (m, walk) = Machine();
            m.Set(PvMemory.L2, 1, E(64, P | RW | US | PageTableEntry.LargePage));
            Assert.False(walk.TryTranslate(PvMemory.L4, KernelBase + (1UL << 21), false, out _));
            Assert.False(walk.TryFindL1Entry(PvMemory.L4, KernelBase + (1UL << 21), out _));
        }

        [Fact]
        public void ReadAndWrite_AcrossAPageBoundary()
        {
            var (m, walk) = Machine();
            var data = new byte[40];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (byte)(i + 1);
            }

            ulong va = Va(3, 4096 - 13);   // 13 bytes in data page 3, the rest in page 4
            Assert.True(walk.TryWrite(PvMemory.L4, va, data));
            Assert.Equal(1, m.Memory.Read8((FirstData + 3) * 4096 + 4096 - 13));
            Assert.Equal(14, m.Memory.Read8((FirstData + 4) * 4096));

            var back = new byte[40];
            Assert.True(walk.TryRead(PvMemory.L4, va, back));
            Assert.Equal(data, back);

            Assert.True(walk.TryRead64(PvMemory.L4, va, out ulong word));
            Assert.Equal(0x0807060504030201UL, word);
            Assert.True(walk.TryRead64(PvMemory.L4, Va(3, 8), out word));
            Assert.Equal(0UL, word);
        }

        [Fact]
        public void Write_IntoAReadOnlyPage_Refused_Read_OfAnUnmappedTail_Refused()
        {
            var (m, walk) = Machine();
            Assert.False(walk.TryWrite(PvMemory.L4, Va(TableMappingSlot, 8), new byte[8]));
            Assert.Equal(E(PvMemory.L3, P | RW | US), m.Get(PvMemory.L4, L4Slot));   // untouched

            // Page 7 is the last data page; 8 maps the L4 read-only, so reading across is fine...
            Assert.True(walk.TryRead(PvMemory.L4, Va(7, 4090), new byte[12]));
            // ...but a read running into an unmapped page is not.
            Assert.False(walk.TryRead(PvMemory.L4, Va(TableMappingSlot + 3, 4090), new byte[12]));
            Assert.False(walk.TryRead64(PvMemory.L4, Va(TableMappingSlot + 3, 4092), out _));
        }

        [Fact]
        public void ReadWrapsAroundTheTopOfTheAddressSpace_Refused()
        {
            var (m, walk) = Machine();
            Assert.False(walk.TryRead(PvMemory.L4, 0xFFFF_FFFF_FFFF_FFFCUL, new byte[8]));
        }

        [Fact]
        public void FindL1Entry_ThenUpdateIt()
        {
            var (m, walk) = Machine();
            Assert.True(walk.TryFindL1Entry(PvMemory.L4, Va(150, 0x77), out ulong entry));
            Assert.Equal(Address(PvMemory.L1, 150), entry);

            // update_va_mapping: map data page 0 a second time, read-only.
            Assert.Equal(0, m.Frames.UpdateL1Entry(Dom, entry, E(FirstData, P)));
            Assert.True(walk.TryTranslate(PvMemory.L4, Va(150), false, out ulong machine));
            Assert.Equal(FirstData * 4096, machine);
            Assert.Equal(2u, m.Frames.ReferencesOf(FirstData));

            Assert.False(walk.TryFindL1Entry(PvMemory.L4, KernelBase + (1UL << 21), out _));   // no L1 there
            Assert.False(walk.TryFindL1Entry(PvMemory.L4, 0x1000, out _));                     // no L3 there
        }
    }
}
