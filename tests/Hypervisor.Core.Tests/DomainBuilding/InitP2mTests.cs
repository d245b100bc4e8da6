using System;
using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.DomainBuilding
{
    /// <summary>A kernel's INIT_P2M note (Linux asks for 0x8000000000): the P2M list goes there, outside
    /// the bootstrap region, mapped by tables of its own from the frames right after the region, and
    /// start_info names those frames (first_p2m_pfn, nr_p2m_frames), as Xen's dom0 builder does.</summary>
    public class InitP2mTests
    {
        private const ulong Page = 4096;
        private const ulong LinuxP2mBase = 0x0000_0080_0000_0000UL;

        private static PvKernelElfBuilder KernelWithP2mAt(ulong address) =>
            PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.InitP2m, address);

        private static TestDomain Build(ulong p2mBase, ulong pages = 4096)
        {
            var t = new TestDomain(new TestDomainOptions { Kernel = KernelWithP2mAt(p2mBase), Pages = pages });
            PvDomainBuilder b = t.Build();
            Assert.True(b.Succeeded, $"{b.Problem} {b.ProblemValue:x}");
            return t;
        }

        private static ulong U64(byte[] b, int offset) => BitConverter.ToUInt64(b, offset);

        // Independent count of the tables [start, end) needs that [otherStart, otherEnd) does not have.
        private static ulong NewTables(ulong start, ulong end, ulong otherStart, ulong otherEnd)
        {
            var have = new HashSet<(int, ulong)>();
            for (ulong va = otherStart; va < otherEnd; va += Page)
            {
                have.Add((3, va >> 39));
                have.Add((2, va >> 30));
                have.Add((1, va >> 21));
            }
            var need = new HashSet<(int, ulong)>();
            for (ulong va = start; va < end; va += Page)
            {
                foreach (var key in new[] { (3, va >> 39), (2, va >> 30), (1, va >> 21) })
                    if (!have.Contains(key))
                        need.Add(key);
            }
            return (ulong)need.Count;
        }

        [Fact]
        public void TheNoteIsRead()
        {
            var (memory, address, length) = KernelWithP2mAt(LinuxP2mBase).PlaceAlone();
            KernelImage image = KernelImage.Inspect(memory, address, length);
            Assert.True(image.IsValid);
            Assert.Equal(LinuxP2mBase, image.P2mBase);

            // All ones is Xen's "unset": the list stays in the region.
            (memory, address, length) = KernelWithP2mAt(ulong.MaxValue).PlaceAlone();
            image = KernelImage.Inspect(memory, address, length);
            Assert.True(image.IsValid);
            Assert.Equal(0UL, image.P2mBase);
        }

        [Theory]
        [InlineData(0x0000_8000_0000_0000UL)]                  // not canonical
        [InlineData(0xFFFF_8000_1000_0000UL)]                  // the hypervisor's range
        [InlineData(PvKernelElfBuilder.DataAddress)]           // inside the kernel
        public void ABaseOutsideTheGuestsRangeIsRefused(ulong p2mBase)
        {
            var (memory, address, length) = KernelWithP2mAt(p2mBase).PlaceAlone();
            KernelImage image = KernelImage.Inspect(memory, address, length);
            Assert.Equal(KernelImageProblem.P2mBaseOutOfRange, image.Problem);
            Assert.Equal(p2mBase, image.ProblemValue);
        }

        [Fact]
        public void Layout_PutsStartInfoRightAfterTheKernel_AndTheListsFramesAfterTheRegion()
        {
            var (memory, address, length) = KernelWithP2mAt(LinuxP2mBase).PlaceAlone();
            KernelImage kernel = KernelImage.Inspect(memory, address, length);
            Assert.True(PvLayout.TryCompute(kernel, 0, false, 16384, out PvLayout l, out ulong needed));

            Assert.True(l.P2mOutsideRegion);
            Assert.Equal(LinuxP2mBase, l.P2mStart);
            Assert.Equal(TestDomain.RoundUp(kernel.KernelEnd, Page), l.StartInfoStart);
            Assert.Equal(l.MappedPages, l.FirstP2mFrame);
            // 16384 entries are 32 pages, under one new L3, L2 and L1.
            Assert.Equal(3UL, l.P2mTableFrames);
            Assert.Equal(35UL, l.P2mFrames);
            Assert.Equal(l.MappedPages + 35, needed);
        }

        [Theory]
        [InlineData(LinuxP2mBase, 100_000UL)]                          // several L1s
        [InlineData(LinuxP2mBase - 0x1000, 4096UL)]                    // across an L4 slot
        [InlineData(LinuxP2mBase + 0x3FF_F000, 4096UL)]                // across a 2 MiB boundary
        [InlineData(0xFFFF_FFFF_8040_0000UL, 4096UL)]                  // right after the region: shares its L3 and L2
        [InlineData(0xFFFF_FFFF_7FFF_F800UL, 4096UL)]                  // unaligned, right below it
        public void Layout_CountsOnlyTheTablesTheRegionLacks(ulong p2mBase, ulong pages)
        {
            var (memory, address, length) = KernelWithP2mAt(p2mBase).PlaceAlone();
            KernelImage kernel = KernelImage.Inspect(memory, address, length);
            Assert.True(kernel.IsValid);
            PvLayout.TryCompute(kernel, 0, false, pages, out PvLayout l, out _);
            ulong end = TestDomain.RoundUp(p2mBase + pages * 8, Page);
            Assert.Equal(NewTables(p2mBase & ~(Page - 1), end, l.VirtBase, l.MappedEnd), l.P2mTableFrames);
            Assert.Equal(l.P2mTableFrames + (end - (p2mBase & ~(Page - 1))) / Page, l.P2mFrames);
        }

        [Fact]
        public void TheListIsAtItsAddress_WritableAndEqualToPhysToMachine()
        {
            var t = Build(LinuxP2mBase);
            ulong[] p2m = t.Domain.PhysToMachine;
            byte[] list = t.Read(LinuxP2mBase, p2m.Length * 8);
            for (int pfn = 0; pfn < p2m.Length; pfn++)
                Assert.Equal(p2m[pfn], U64(list, pfn * 8));
            Assert.True(t.Host.PageWalk.TryTranslate(t.Vcpu.KernelTableFrame, LinuxP2mBase, true, out _));
            // Nothing of it is left in the region: start_info follows the kernel.
            Assert.Equal(TestDomain.RoundUp(PvKernelElfBuilder.KernelEnd, Page), t.Layout.StartInfoStart);
        }

        [Fact]
        public void StartInfo_NamesTheListAndItsFrames()
        {
            var t = Build(LinuxP2mBase);
            byte[] si = t.Read(t.Layout.StartInfoStart, StartInfo.Size);
            Assert.Equal(LinuxP2mBase, U64(si, 104));                               // mfn_list
            Assert.Equal(t.Layout.MappedPages, U64(si, 1152));                      // first_p2m_pfn
            Assert.Equal(3UL + 8, U64(si, 1160));                                   // nr_p2m_frames: 3 tables, 8 list pages
        }

        [Fact]
        public void TheListsFramesAreItsTablesAndPages_TypedByTheFrameTable()
        {
            var t = Build(LinuxP2mBase);
            FrameTable frames = t.Host.FrameTable;
            ulong first = t.Layout.FirstP2mFrame;
            var types = new List<PageType>();
            for (ulong pfn = first; pfn < first + t.Layout.P2mFrames; pfn++)
                types.Add(frames.TypeOf(t.Domain.PhysToMachine[(int)pfn]));
            Assert.Equal(new[] { PageType.L3, PageType.L2, PageType.L1 }, types.GetRange(0, 3));
            Assert.All(types.GetRange(3, types.Count - 3), type => Assert.Equal(PageType.Writable, type));
            for (ulong pfn = first; pfn < first + t.Layout.P2mFrames; pfn++)
                Assert.False(frames.IsPinned(t.Domain.PhysToMachine[(int)pfn]));

            // The frames after them are plain, unmapped domain pages.
            Assert.Equal(PageType.None, frames.TypeOf(t.Domain.PhysToMachine[(int)(first + t.Layout.P2mFrames)]));
        }

        [Fact]
        public void WithoutTheNote_StartInfoStillNamesTheFirstFrameAfterTheRegion()
        {
            var t = TestDomain.Create();
            byte[] si = t.Read(t.Layout.StartInfoStart, StartInfo.Size);
            Assert.False(t.Layout.P2mOutsideRegion);
            Assert.Equal(t.Layout.MappedPages, U64(si, 1152));
            Assert.Equal(0UL, U64(si, 1160));
        }

        [Fact]
        public void WithAnInitrdByFrameNumber_TheListsFramesComeAfterTheInitrd()
        {
            // Linux asks for both: Xen gives the initrd the frames after the bootstrap region and the
            // list those after the initrd.
            byte[] initrd = PvKernelElfBuilder.Pattern(2 * 4096 + 5, 0x33);
            var elf = KernelWithP2mAt(LinuxP2mBase).SetNumericNote(ElfNoteType.ModStartPfn, 1);
            var t = TestDomain.Create(o => { o.Kernel = elf; o.Initrd = initrd; });
            PvLayout l = t.Layout;
            byte[] si = t.Read(l.StartInfoStart, StartInfo.Size);
            Assert.Equal(l.MappedPages, U64(si, 112));                              // mod_start: a pfn
            Assert.Equal(l.MappedPages + 3, l.FirstP2mFrame);
            Assert.Equal(l.FirstP2mFrame, U64(si, 1152));
            var first = new byte[4096];
            t.Memory.ReadBytes(t.Domain.PhysToMachine[(int)l.MappedPages] * Page, first);
            Assert.Equal(initrd.AsSpan(0, 4096).ToArray(), first);
            Assert.Equal(PageType.L3, t.Host.FrameTable.TypeOf(t.Domain.PhysToMachine[(int)l.FirstP2mFrame]));
            byte[] list = t.Read(LinuxP2mBase, t.Domain.PhysToMachine.Length * 8);
            Assert.Equal(t.Domain.PhysToMachine[(int)l.MappedPages], U64(list, (int)l.MappedPages * 8));
        }

        [Fact]
        public void AnUnalignedBaseWorks()
        {
            ulong p2mBase = LinuxP2mBase + 0x808;
            var t = Build(p2mBase);
            ulong[] p2m = t.Domain.PhysToMachine;
            byte[] list = t.Read(p2mBase, p2m.Length * 8);
            for (int pfn = 0; pfn < p2m.Length; pfn++)
                Assert.Equal(p2m[pfn], U64(list, pfn * 8));
            Assert.Equal(3UL + 9, t.Layout.P2mFrames);
        }

        [Fact]
        public void TooSmall_CountsTheListsFrames()
        {
            var t = new TestDomain(new TestDomainOptions { Kernel = KernelWithP2mAt(LinuxP2mBase), Pages = 100 });
            PvDomainBuilder b = t.Build();
            Assert.Equal(BuildProblem.MemoryTooSmall, b.Problem);
            // The bootstrap region, three tables and the list of that many pages.
            Assert.Equal(1024UL + 3 + (b.ProblemValue * 8 + Page - 1) / Page, b.ProblemValue);
            Assert.True(Build(LinuxP2mBase, b.ProblemValue).Domain.IsAlive);
        }

        [Theory]
        [InlineData(0x0000_7FFF_FFFF_F000UL)]                  // runs into the canonical hole
        [InlineData(0xFFFF_FFFF_803F_F000UL)]                  // over the bootstrap region's padding
        [InlineData(0xFFFF_FFFF_7FFF_F000UL)]                  // into the region from below
        public void AListThatWouldNotFitIsRefused(ulong p2mBase)
        {
            var t = new TestDomain(new TestDomainOptions { Kernel = KernelWithP2mAt(p2mBase), Pages = 4096 });
            ulong free = t.Frames.FreeFrames;
            PvDomainBuilder b = t.Build();
            Assert.Equal(BuildProblem.LayoutOutOfRange, b.Problem);
            Assert.Equal(TestDomain.RoundUp(p2mBase + 4096 * 8, Page), b.ProblemValue);
            Assert.Equal(free, t.Frames.FreeFrames);
        }
    }
}
