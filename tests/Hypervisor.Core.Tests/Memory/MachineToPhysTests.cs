using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;
using static Hypervisor.Core.Tests.Memory.PvMemory;

namespace Hypervisor.Core.Tests.Memory
{
    public class MachineToPhysTests
    {
        [Fact]
        public void SetGet_InvalidByDefault_AndBeyondTheTable()
        {
            var m = new PvMemory();
            var m2p = new MachineToPhys(m.Memory, 100 * 4096, FrameCount);
            m2p.InvalidateAll();
            Assert.Equal(MachineToPhys.Invalid, m2p.Get(7));
            Assert.True(m2p.Set(7, 0x1234));
            Assert.Equal(0x1234UL, m2p.Get(7));
            Assert.Equal(0x1234UL, m.Memory.Read64(100 * 4096 + 7 * 8));
            Assert.False(m2p.Set(FrameCount, 1));
            Assert.Equal(MachineToPhys.Invalid, m2p.Get(FrameCount));
            Assert.Equal(4096UL, m2p.SizeInBytes);
        }

        [Fact]
        public void GuestUpdate_OnlyForFramesTheDomainOwns()
        {
            var m = new PvMemory();
            var m2p = new MachineToPhys(m.Memory, 100 * 4096, FrameCount);
            m2p.InvalidateAll();
            m.Give(20);
            m.Give(21, Other);
            Assert.Equal(0, m.Frames.ShareWithGuests(22));

            Assert.Equal(0, m2p.GuestUpdate(m.Frames, Dom, 20, 5));
            Assert.Equal(5UL, m2p.Get(20));
            Assert.Equal(-XenErrno.EINVAL, m2p.GuestUpdate(m.Frames, Dom, 21, 5));   // another domain's
            Assert.Equal(-XenErrno.EINVAL, m2p.GuestUpdate(m.Frames, Dom, 22, 5));   // the hypervisor's
            Assert.Equal(-XenErrno.EINVAL, m2p.GuestUpdate(m.Frames, Dom, 23, 5));   // free
            Assert.Equal(-XenErrno.EINVAL, m2p.GuestUpdate(m.Frames, Dom, FrameCount + 1, 5));
            Assert.Equal(-XenErrno.EINVAL, m2p.GuestUpdate(m.Frames, FrameOwner.Free, 23, 5));
            Assert.Equal(0, m2p.GuestUpdate(m.Frames, Other, 21, 9));               // foreigndom: the owner named
            Assert.Equal(MachineToPhys.Invalid, m2p.Get(22));
        }

        // Walks the hypervisor-built mapping the way the CPU does (large pages included).
        private static bool Walk(FakeMemory memory, ulong l4Entry, ulong va, out ulong machine, out ulong leafFlags)
        {
            machine = 0;
            leafFlags = 0;
            ulong entry = l4Entry;
            ulong cumulative = ~0UL;
            for (int shift = 30; shift >= 12; shift -= 9)
            {
                if ((entry & P) == 0)
                {
                    return false;
                }

                cumulative &= entry;
                entry = memory.Read64((entry & PageTableEntry.AddressMask) + ((va >> shift) & 511) * 8);
                if ((entry & P) != 0 && shift == 21 && (entry & PageTableEntry.LargePage) != 0)
                {
                    machine = (entry & PageTableEntry.AddressMask & ~((2UL << 20) - 1)) + (va & ((2UL << 20) - 1));
                    leafFlags = Effective(entry, cumulative);
                    return true;
                }
            }

            if ((entry & P) == 0)
            {
                return false;
            }

            machine = (entry & PageTableEntry.AddressMask) + (va & 4095);
            leafFlags = Effective(entry, cumulative);
            return true;
        }

        // Permissions are the AND of every level; NX is the leaf's here (tables never set it).
        private static ulong Effective(ulong leaf, ulong tables) => (leaf & tables & ~PageTableEntry.NoExecute) | (leaf & PageTableEntry.NoExecute);

        [Fact]
        public void GuestMapping_ReadOnlyUserVisible_LargePagesWhereAligned_NothingBeyondTheTable()
        {
            const ulong ramEnd = 8UL << 20;
            var memory = new FakeMemory().Map(0, (int)ramEnd);
            Assert.Equal(MemoryMapStatus.Ok, MemoryMap.Build(new[] { new MemoryRegion(0x100000, ramEnd - 0x100000, MemoryKind.Usable) }, null, out var map));
            var allocator = new FrameAllocator(map);
            const ulong m2pBase = 4UL << 20;                          // 2 MiB-aligned
            ulong entries = ((2UL << 20) + 4096) / 8;                 // one large page and one small one
            Assert.True(allocator.Reserve(m2pBase, entries * 8));
            var m2p = new MachineToPhys(memory, m2pBase, entries);

            Assert.True(m2p.TryBuildGuestMapping(allocator, out ulong l4Entry));
            Assert.Equal(P | US, l4Entry & ~PageTableEntry.AddressMask);

            foreach (ulong offset in new[] { 0UL, 0x1238UL, (2UL << 20) - 8, (2UL << 20), (2UL << 20) + 4088 })
            {
                Assert.True(Walk(memory, l4Entry, offset, out ulong machine, out ulong flags), $"offset {offset:x}");
                Assert.Equal(m2pBase + offset, machine);
                Assert.Equal(0UL, flags & RW);
                Assert.NotEqual(0UL, flags & US);
                Assert.NotEqual(0UL, flags & PageTableEntry.NoExecute);
            }

            Assert.False(Walk(memory, l4Entry, (2UL << 20) + 4096, out _, out _));   // past the table's last frame
            Assert.Equal(3UL, allocator.UsedFrames - (entries * 8 + 4095) / 4096);  // L3, L2, one L1
        }

        [Fact]
        public void GuestMapping_UnalignedTable_UsesSmallPagesOnly()
        {
            const ulong ramEnd = 8UL << 20;
            var memory = new FakeMemory().Map(0, (int)ramEnd);
            Assert.Equal(MemoryMapStatus.Ok, MemoryMap.Build(new[] { new MemoryRegion(0x100000, ramEnd - 0x100000, MemoryKind.Usable) }, null, out var map));
            var allocator = new FrameAllocator(map);
            const ulong m2pBase = (4UL << 20) + 4096;
            ulong entries = (2UL << 20) / 8;
            allocator.Reserve(m2pBase, entries * 8);
            var m2p = new MachineToPhys(memory, m2pBase, entries);

            Assert.True(m2p.TryBuildGuestMapping(allocator, out ulong l4Entry));
            Assert.True(Walk(memory, l4Entry, 0x1FFFF8, out ulong machine, out _));
            Assert.Equal(m2pBase + 0x1FFFF8, machine);
            Assert.False(Walk(memory, l4Entry, 2UL << 20, out _, out _));
        }
    }
}
