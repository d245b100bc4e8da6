using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.DomainBuilding
{
    public class PvLayoutTests
    {
        private const ulong Page = 4096;
        private const ulong FourMiB = 4UL << 20;

        private static KernelImage Kernel(PvKernelElfBuilder elf = null)
        {
            var (memory, address, length) = (elf ?? PvKernelElfBuilder.Default()).PlaceAlone();
            KernelImage image = KernelImage.Inspect(memory, address, length);
            Assert.True(image.IsValid, image.Problem.ToString());
            return image;
        }

        /// <summary>A kernel whose .bss makes it <paramref name="bytes"/> long in memory.</summary>
        private static KernelImage KernelOfSize(ulong bytes)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.Data.MemorySize = bytes - (PvKernelElfBuilder.DataAddress - PvKernelElfBuilder.VirtBase);
            return Kernel(elf);
        }

        private static PvLayout Compute(KernelImage kernel, ulong initrd, bool rings, ulong pages)
        {
            Assert.True(PvLayout.TryCompute(kernel, initrd, rings, pages, out PvLayout layout, out ulong needed), $"needs {needed} pages");
            Assert.True(needed <= pages);
            return layout;
        }

        // Independent count: one L4, then every distinct L3, L2 and L1 the region's pages touch.
        private static ulong CountTables(ulong start, ulong end)
        {
            var l3 = new HashSet<ulong>();
            var l2 = new HashSet<ulong>();
            var l1 = new HashSet<ulong>();
            for (ulong va = start; va < end; va += Page)
            {
                l3.Add(va >> 39);
                l2.Add(va >> 30);
                l1.Add(va >> 21);
            }

            return 1 + (ulong)(l3.Count + l2.Count + l1.Count);
        }

        [Theory]
        [InlineData(0UL, false)]
        [InlineData(100_000UL, false)]
        [InlineData(0UL, true)]
        [InlineData(3 * 1024 * 1024 + 5UL, true)]
        public void RegionsComeInXensOrder_PageAligned_WithoutOverlap(ulong initrd, bool rings)
        {
            KernelImage kernel = Kernel();
            PvLayout l = Compute(kernel, initrd, rings, 8192);

            Assert.Equal(kernel.VirtBase, l.VirtBase);
            Assert.Equal(kernel.KernelStart, l.KernelStart);
            Assert.Equal(kernel.KernelEnd, l.KernelEnd);
            Assert.True(l.VirtBase <= l.KernelStart);
            Assert.True(l.KernelStart < l.KernelEnd);
            ulong afterKernel = TestDomain.RoundUp(l.KernelEnd, Page);
            ulong p2mFrom = afterKernel;
            if (initrd != 0)
            {
                Assert.False(l.InitrdUnmapped);
                Assert.Equal(afterKernel, l.InitrdStart);
                Assert.Equal(initrd, l.InitrdLength);
                p2mFrom = TestDomain.RoundUp(l.InitrdStart + initrd, Page);
            }

            Assert.Equal(p2mFrom, l.P2mStart);
            Assert.True(l.P2mStart + 8192 * 8 <= l.StartInfoStart);
            ulong next = l.StartInfoStart + Page;
            if (rings)
            {
                Assert.Equal(next, l.XenStoreStart);
                Assert.Equal(next + Page, l.ConsoleStart);
                next += 2 * Page;
            }
            else
            {
                Assert.Equal(0UL, l.XenStoreStart);
                Assert.Equal(0UL, l.ConsoleStart);
            }

            Assert.Equal(next, l.PageTablesStart);
            Assert.True(l.PageTableFrames >= 1);
            Assert.Equal(l.PageTablesEnd, l.StackStart);
            Assert.Equal(l.StackStart + Page, l.StackEnd);
            Assert.True(l.StackEnd <= l.MappedEnd);

            foreach (ulong a in new[] { l.P2mStart, l.StartInfoStart, l.PageTablesStart, l.StackStart, l.MappedEnd })
            {
                Assert.Equal(0UL, a % Page);
            }
        }

        [Theory]
        [InlineData(0x7000UL)]
        [InlineData(0x37_0000UL)]        // the stack ends just under 4 MiB: padding pushes to 8 MiB
        [InlineData(0x3F_F000UL)]
        [InlineData(0x40_0000UL)]
        [InlineData(0x123_4567UL)]
        public void MappedEnd_Is4MiBAligned_WithAtLeast512KiBAfterTheStack(ulong kernelBytes)
        {
            PvLayout l = Compute(KernelOfSize(kernelBytes), 0, false, 32768);
            Assert.Equal(0UL, l.MappedEnd % FourMiB);
            Assert.True(l.MappedEnd - l.StackEnd >= 512 * 1024, $"only {(l.MappedEnd - l.StackEnd) / 1024} KiB of padding");
            Assert.True(l.MappedEnd - l.StackEnd < 512 * 1024 + FourMiB, "more padding than the alignment needs");
            Assert.Equal((l.MappedEnd - l.VirtBase) / Page, l.MappedPages);
        }

        [Theory]
        [InlineData(0xFFFF_FFFF_8000_0000UL, 0x7000UL)]
        [InlineData(0xFFFF_FFFF_8000_0000UL, 0x123_4567UL)]
        [InlineData(0xFFFF_FFFF_BFE0_0000UL, 0x7000UL)]          // region crosses a 1 GiB boundary
        [InlineData(0xFFFF_FF7F_FFE0_0000UL, 0x7000UL)]          // and a 512 GiB one
        [InlineData(0x0000_0000_0040_0000UL, 0x7000UL)]
        public void PageTableCount_CoversTheMappedRegion(ulong virtBase, ulong kernelBytes)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.Data.MemorySize = kernelBytes - (PvKernelElfBuilder.DataAddress - PvKernelElfBuilder.VirtBase);
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            PvLayout l = Compute(Kernel(elf), 0, false, 32768);

            ulong counted = CountTables(l.VirtBase, l.MappedEnd);
            Assert.Equal(counted, PvLayout.TablesFor(l.VirtBase, l.MappedEnd));
            // Exactly as many as the region needs: start_info's nr_pt_frames names no spare frame.
            Assert.Equal(counted, l.PageTableFrames);
        }

        [Theory]
        [InlineData(0x40_0000UL, 0x80_0000UL, 5UL)]                 // 4 MiB: two L1s
        [InlineData(0x40_0000UL, 0x40_1000UL, 4UL)]
        [InlineData(0x3F_F000UL, 0x40_1000UL, 5UL)]                 // two L1s
        [InlineData(0x3FFF_F000UL, 0x4000_1000UL, 6UL)]             // two L2s, two L1s
        [InlineData(0x7F_FFFF_F000UL, 0x80_0000_1000UL, 7UL)]       // two of each
        public void TablesFor_CountsEveryLevel(ulong start, ulong end, ulong expected)
        {
            Assert.Equal(expected, PvLayout.TablesFor(start, end));
            Assert.Equal(expected, CountTables(start, end));
        }

        [Fact]
        public void TooSmall_SaysHowManyPagesWouldDo()
        {
            KernelImage kernel = Kernel();
            Assert.False(PvLayout.TryCompute(kernel, 0, false, 16, out PvLayout small, out ulong needed));
            Assert.Equal(small.MappedPages, needed);
            Assert.True(needed > 16);

            Assert.True(PvLayout.TryCompute(kernel, 0, false, needed, out _, out ulong again));
            Assert.True(again <= needed);
            Assert.False(PvLayout.TryCompute(kernel, 0, false, needed - 1, out _, out _));
        }

        [Fact]
        public void TooSmall_TheCountItGivesIsEnough_EvenWhenTheLargerP2mCrossesA4MiBBoundary()
        {
            // A kernel ending so that the stack plus padding sits right under a 4 MiB boundary with a
            // tiny P2M; the P2M of the page count asked for then is 2 pages bigger.
            for (ulong kernelBytes = 0x36_0000; kernelBytes <= 0x37_8000; kernelBytes += 0x1000)
            {
                KernelImage kernel = KernelOfSize(kernelBytes);
                Assert.False(PvLayout.TryCompute(kernel, 0, false, 1, out _, out ulong needed));
                Assert.True(PvLayout.TryCompute(kernel, 0, false, needed, out _, out ulong again),
                    $"kernel of 0x{kernelBytes:x} bytes: {needed} pages were said to be enough, but {again} are needed");
            }
        }

        [Fact]
        public void TooSmall_CountsAnUnmappedInitrd()
        {
            KernelImage kernel = Kernel(PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.ModStartPfn, 1));
            Assert.False(PvLayout.TryCompute(kernel, 10 * Page + 1, false, 16, out PvLayout l, out ulong needed));
            Assert.Equal(l.MappedPages + 11, needed);
        }

        [Fact]
        public void UnmappedInitrd_StartsAtTheFrameAfterTheMappedRegion()
        {
            KernelImage kernel = Kernel(PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.ModStartPfn, 1));
            Assert.True(kernel.ModuleByFrameNumber);
            PvLayout l = Compute(kernel, 5 * Page, false, 4096);
            Assert.True(l.InitrdUnmapped);
            Assert.Equal(l.MappedPages, l.InitrdStart);          // a frame number, not an address
            Assert.Equal(TestDomain.RoundUp(kernel.KernelEnd, Page), l.P2mStart);   // nothing mapped for it

            // Asked for by frame number, but no initrd: nothing is unmapped.
            l = Compute(kernel, 0, false, 4096);
            Assert.False(l.InitrdUnmapped);
            Assert.Equal(0UL, l.InitrdStart);
        }

        [Fact]
        public void FrameOf_CountsPagesFromVirtBase()
        {
            PvLayout l = Compute(Kernel(), 0, false, 4096);
            Assert.Equal(0UL, l.FrameOf(l.VirtBase));
            Assert.Equal(0UL, l.FrameOf(l.VirtBase + 0xFFF));
            Assert.Equal(3UL, l.FrameOf(l.VirtBase + 0x3000));
            Assert.Equal(l.MappedPages - 1, l.FrameOf(l.MappedEnd - 1));
        }
    }
}
