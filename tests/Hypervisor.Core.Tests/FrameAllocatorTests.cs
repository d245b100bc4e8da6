using System.Collections.Generic;
using Hypervisor.Core.Memory;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class FrameAllocatorTests
    {
        private const ulong Page = FrameAllocator.FrameSize;

        private static MemoryMap Map(params MemoryRegion[] regions)
        {
            Assert.Equal(MemoryMapStatus.Ok, MemoryMap.Build(regions, null, out var map));
            return map;
        }

        private static MemoryRegion R(ulong b, ulong l, MemoryKind k = MemoryKind.Usable) => new MemoryRegion(b, l, k);

        private static List<ulong> DrainAll(FrameAllocator allocator)
        {
            var frames = new List<ulong>();
            while (allocator.TryAllocate(out var frame))
            {
                frames.Add(frame);
            }

            return frames;
        }

        [Fact]
        public void Counts_CoverOnlyWholeFramesInsideUsableRegions()
        {
            // 0x800..0x3800 holds two whole frames (0x1000, 0x2000); 0x10000..0x20000 holds 16.
            var allocator = new FrameAllocator(Map(R(0x800, 0x3000), R(0x10000, 0x10000), R(0x20000, 0x1000, MemoryKind.Reserved)));
            Assert.Equal(18UL, allocator.TotalFrames);
            Assert.Equal(18UL, allocator.FreeFrames);
            Assert.Equal(0UL, allocator.UsedFrames);

            var frames = DrainAll(allocator);
            Assert.Equal(18, frames.Count);
            Assert.Contains(0x1000UL, frames);
            Assert.Contains(0x2000UL, frames);
            Assert.DoesNotContain(0x0UL, frames);
            Assert.DoesNotContain(0x3000UL, frames);
            Assert.All(frames, f => Assert.Equal(0UL, f % Page));
            Assert.Equal(0UL, allocator.FreeFrames);
            Assert.Equal(18UL, allocator.UsedFrames);
        }

        [Fact]
        public void NeverReturnsReservedRanges_ImageModulesAndFirstMiB()
        {
            var allocator = new FrameAllocator(Map(R(0, 0x9F000), R(0x100000, 0x1F00000)));
            Assert.True(allocator.Reserve(0, 0x100000));            // first MiB
            Assert.True(allocator.Reserve(0x100000, 0x234567));      // image (not page-sized)
            Assert.True(allocator.Reserve(0x800000, 0x80000));       // module
            ulong before = allocator.FreeFrames;

            var frames = DrainAll(allocator);
            Assert.Equal((int)before, frames.Count);
            foreach (var f in frames)
            {
                Assert.False(f < 0x100000, $"first MiB frame {f:x}");
                Assert.False(f >= 0x100000 && f < 0x335000, $"image frame {f:x}");
                Assert.False(f >= 0x800000 && f < 0x880000, $"module frame {f:x}");
            }

            Assert.Contains(0x335000UL, frames); // first frame after the image
            Assert.Equal(allocator.TotalFrames, allocator.UsedFrames);
        }

        [Fact]
        public void Reserve_OutsideRam_IsHarmlessAndFalse()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x100000), R(0x300000, 0x1000, MemoryKind.Reserved)));
            ulong free = allocator.FreeFrames;
            Assert.False(allocator.Reserve(0x300000, 0x1000));   // reserved by firmware
            Assert.False(allocator.Reserve(0xFEC00000, 0x1000)); // beyond RAM
            Assert.False(allocator.Reserve(0x100000, 0));        // empty
            Assert.False(allocator.Reserve(0xFFFF_FFFF_FFFF_0000, ulong.MaxValue)); // wraps
            Assert.Equal(free, allocator.FreeFrames);
        }

        [Fact]
        public void Reserve_TwiceReportsNothingNew()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x100000)));
            Assert.True(allocator.Reserve(0x100000, 0x2000));
            Assert.False(allocator.Reserve(0x100000, 0x2000));
            Assert.Equal(254UL, allocator.FreeFrames);
        }

        [Fact]
        public void Reserve_OfAnAllocatedFrame_KeepsCountsRight_AndBlocksFree()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x10000)));
            Assert.True(allocator.TryAllocate(out var frame));
            Assert.Equal(15UL, allocator.FreeFrames);
            Assert.True(allocator.Reserve(frame, Page));
            Assert.Equal(15UL, allocator.FreeFrames);
            Assert.False(allocator.Free(frame));
        }

        [Fact]
        public void Free_RejectsDoubleFreeUnalignedOutsideAndReserved()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x10000)));
            allocator.Reserve(0x10F000, Page);
            Assert.True(allocator.TryAllocate(out var frame));
            Assert.False(allocator.Free(frame + 8));      // unaligned
            Assert.True(allocator.Free(frame));
            Assert.False(allocator.Free(frame));          // double free
            Assert.False(allocator.Free(0x50000));        // below RAM, never free
            Assert.False(allocator.Free(0x4000_0000));    // beyond the bitmap
            Assert.False(allocator.Free(0x10F000));       // reserved
            Assert.Equal(15UL, allocator.FreeFrames);
        }

        [Fact]
        public void FreeThenReuse_GivesTheFrameBack()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x100000)));
            var frames = DrainAll(allocator);
            Assert.Equal(256, frames.Count);
            Assert.False(allocator.TryAllocate(out _));

            Assert.True(allocator.Free(frames[200]));
            Assert.True(allocator.Free(frames[3]));
            Assert.Equal(2UL, allocator.FreeFrames);
            Assert.True(allocator.TryAllocate(out var a));
            Assert.True(allocator.TryAllocate(out var b));
            Assert.Equal(frames[3], a);   // lowest first: the hint moved back
            Assert.Equal(frames[200], b);
            Assert.False(allocator.TryAllocate(out _));
        }

        [Fact]
        public void Exhaustion_ReturnsFalse_NotACrash()
        {
            var allocator = new FrameAllocator(Map(R(0x1000, 0x3000)));
            Assert.Equal(3, DrainAll(allocator).Count);
            Assert.False(allocator.TryAllocate(out var frame));
            Assert.Equal(0UL, frame);
            Assert.False(allocator.TryAllocateContiguous(1, 1, out _));
        }

        [Fact]
        public void Contiguous_RespectsAlignmentAndSkipsHoles()
        {
            var allocator = new FrameAllocator(Map(R(0x1000, 0x7000), R(0x10000, 0x40000)));
            allocator.Reserve(0x12000, Page);
            Assert.True(allocator.TryAllocateContiguous(4, 4, out var address));
            // 0x4000..0x8000 is the first 4-frame-aligned run of 4 free frames.
            Assert.Equal(0x4000UL, address);

            Assert.True(allocator.TryAllocateContiguous(8, 8, out address));
            Assert.Equal(0x18000UL, address); // 0x10000 run is broken by the reserved frame at 0x12000
            Assert.Equal(0UL, (address / Page) % 8);

            Assert.True(allocator.TryAllocateContiguous(3, 0, out address)); // no alignment
            Assert.Equal(0x1000UL, address);
            for (ulong f = 0x1000; f < 0x4000; f += Page)
            {
                Assert.False(allocator.IsFree(f));
            }
        }

        [Fact]
        public void Contiguous_UpdatesCounts_AndFramesAreFreeableOneByOne()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x100000)));
            Assert.True(allocator.TryAllocateContiguous(16, 16, out var address));
            Assert.Equal(240UL, allocator.FreeFrames);
            for (ulong i = 0; i < 16; i++)
            {
                Assert.True(allocator.Free(address + i * Page));
            }

            Assert.Equal(256UL, allocator.FreeFrames);
        }

        [Fact]
        public void Contiguous_FailsWhenNoRunIsLongEnough()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x100000)));
            for (ulong f = 0x100000; f < 0x200000; f += 0x10000)
            {
                allocator.Reserve(f, Page); // every 16th frame taken
            }

            Assert.False(allocator.TryAllocateContiguous(16, 1, out _));
            Assert.True(allocator.TryAllocateContiguous(15, 1, out var address));
            Assert.Equal(0x101000UL, address);
            Assert.False(allocator.TryAllocateContiguous(0, 1, out _));
            Assert.False(allocator.TryAllocateContiguous(1, ulong.MaxValue, out _));
        }

        [Fact]
        public void Contiguous_CrossesWordBoundaries()
        {
            // Frames 1..300: runs span several 64-bit bitmap words.
            var allocator = new FrameAllocator(Map(R(0x1000, 300 * Page)));
            Assert.True(allocator.TryAllocateContiguous(130, 1, out var address));
            Assert.Equal(1 * Page, address);
            Assert.True(allocator.TryAllocateContiguous(64, 64, out address));
            Assert.Equal(192 * Page, address); // 128 is taken (frames 1..130), next multiple of 64 is 192
            Assert.True(allocator.TryAllocateContiguous(61, 1, out address));
            Assert.Equal(131 * Page, address); // exactly fills 131..191
            Assert.False(allocator.TryAllocateContiguous(46, 1, out _)); // only 256..300 (45 frames) left
            Assert.True(allocator.TryAllocateContiguous(45, 1, out address));
            Assert.Equal(256 * Page, address);
            Assert.Equal(0UL, allocator.FreeFrames);
        }

        [Fact]
        public void LargeMemory_AllocationIsFast()
        {
            // 16 GiB of RAM with the first 8 GiB reserved: allocations must not rescan from zero each time.
            var allocator = new FrameAllocator(Map(R(0, 16UL << 30)));
            allocator.Reserve(0, 8UL << 30);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 100_000; i++)
            {
                Assert.True(allocator.TryAllocate(out _));
            }

            Assert.True(watch.ElapsedMilliseconds < 5000, $"took {watch.ElapsedMilliseconds} ms");
            Assert.Equal((8UL << 30) / Page - 100_000, allocator.FreeFrames);
        }

        [Fact]
        public void MapWithoutUsableMemory_GivesAnEmptyAllocator()
        {
            MemoryMap.Build(new[] { R(0, 0x1000, MemoryKind.Reserved) }, null, out var map);
            var allocator = new FrameAllocator(map);
            Assert.Equal(0UL, allocator.TotalFrames);
            Assert.False(allocator.TryAllocate(out _));
            Assert.False(allocator.Free(0));
        }

        [Fact]
        public void RamAboveCoverageLimit_IsReportedNotManaged()
        {
            var allocator = new FrameAllocator(Map(R(0x100000, 0x100000), R(FrameAllocator.CoverageLimit - 0x1000, 0x3000)));
            Assert.Equal(0x2000UL, allocator.IgnoredBytes);
            Assert.Equal(257UL, allocator.TotalFrames);
        }
    }
}
