using System.Linq;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Text;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class MemoryMapTests
    {
        private static MemoryRegion R(ulong b, ulong l, MemoryKind k = MemoryKind.Usable) => new MemoryRegion(b, l, k);

        private static (MemoryMapStatus Status, MemoryMap Map, BootWarningList Warnings) Build(params MemoryRegion[] raw)
        {
            var warnings = new BootWarningList();
            var status = MemoryMap.Build(raw, warnings, out var map);
            return (status, map, warnings);
        }

        private static MemoryRegion[] Regions(MemoryMap map) => Enumerable.Range(0, map.Count).Select(i => map[i]).ToArray();

        [Fact]
        public void TypicalMapWithHoles_IsSortedAndKept()
        {
            var (status, map, warnings) = Build(
                R(0x100000, 0x7EE0000),
                R(0, 0x9FC00),
                R(0xF0000, 0x10000, MemoryKind.Reserved),
                R(0x9FC00, 0x400, MemoryKind.Reserved));

            Assert.Equal(MemoryMapStatus.Ok, status);
            Assert.Equal(0, warnings.Count);
            Assert.Equal(new[]
            {
                R(0, 0x9FC00),
                R(0x9FC00, 0x400, MemoryKind.Reserved),
                R(0xF0000, 0x10000, MemoryKind.Reserved),
                R(0x100000, 0x7EE0000),
            }, Regions(map));
            Assert.Equal(0x9FC00UL + 0x7EE0000, map.TotalUsableBytes);
            Assert.Equal(0x7FE0000UL, map.HighestUsableAddress);
        }

        [Fact]
        public void ReservedInsideUsable_SplitsUsable_AndWarnsWithTheOverlapRange()
        {
            var (status, map, warnings) = Build(R(0x100000, 0x300000), R(0x200000, 0x1000, MemoryKind.Reserved));
            Assert.Equal(MemoryMapStatus.Ok, status);
            Assert.Equal(new[]
            {
                R(0x100000, 0x100000),
                R(0x200000, 0x1000, MemoryKind.Reserved),
                R(0x201000, 0x1FF000),
            }, Regions(map));
            Assert.Equal(1, warnings.Count);
            Assert.Equal(MemoryMap.OverlapMessage, warnings[0].Message);
            Assert.Equal(WarningValueFormat.Range, warnings[0].Format);
            Assert.Equal(0x200000UL, warnings[0].First);
            Assert.Equal(0x201000UL, warnings[0].Second);
        }

        [Fact]
        public void PartialOverlap_ReservedWins_WhicheverComesFirst()
        {
            var expected = new[] { R(0x1000, 0x1000), R(0x2000, 0x2000, MemoryKind.Reserved) };
            var (_, a, wa) = Build(R(0x1000, 0x2000), R(0x2000, 0x2000, MemoryKind.Reserved));
            var (_, b, wb) = Build(R(0x2000, 0x2000, MemoryKind.Reserved), R(0x1000, 0x2000));
            Assert.Equal(expected, Regions(a));
            Assert.Equal(expected, Regions(b));
            Assert.Equal((0x2000UL, 0x3000UL), (wa[0].First, wa[0].Second));
            Assert.Equal((0x2000UL, 0x3000UL), (wb[0].First, wb[0].Second));
        }

        [Fact]
        public void UsableInsideReserved_DisappearsEntirely()
        {
            var (status, map, warnings) = Build(R(0, 0x1000), R(0x10000, 0x10000, MemoryKind.Reserved), R(0x14000, 0x1000));
            Assert.Equal(MemoryMapStatus.Ok, status);
            Assert.Equal(new[] { R(0, 0x1000), R(0x10000, 0x10000, MemoryKind.Reserved) }, Regions(map));
            Assert.False(map.IsUsable(0x14000, 0x1000));
            Assert.Equal(1, warnings.Count);
        }

        [Fact]
        public void NvsAndBadMemory_WinOverReservedAndAcpiData()
        {
            var (_, map, _) = Build(
                R(0x1000, 0x4000, MemoryKind.AcpiReclaimable),
                R(0x2000, 0x1000, MemoryKind.AcpiNvs),
                R(0x1000, 0x4000, MemoryKind.Reserved),
                R(0x4000, 0x1000, MemoryKind.BadMemory));
            Assert.Equal(new[]
            {
                R(0x1000, 0x1000, MemoryKind.Reserved),
                R(0x2000, 0x1000, MemoryKind.AcpiNvs),
                R(0x3000, 0x1000, MemoryKind.Reserved),
                R(0x4000, 0x1000, MemoryKind.BadMemory),
            }, Regions(map));
        }

        [Fact]
        public void AdjacentAndOverlappingRegionsOfSameKind_MergeSilently()
        {
            var (_, map, warnings) = Build(R(0, 0x1000), R(0x1000, 0x1000), R(0x1800, 0x1000), R(0x5000, 0x1000));
            Assert.Equal(new[] { R(0, 0x2800), R(0x5000, 0x1000) }, Regions(map));
            Assert.Equal(0, warnings.Count);
        }

        [Fact]
        public void ChainedOverlaps_GiveOneWarningPerContiguousConflict()
        {
            var (_, _, warnings) = Build(R(0, 0x10000), R(0x2000, 0x2000, MemoryKind.Reserved), R(0x3000, 0x3000, MemoryKind.AcpiNvs),
                R(0x8000, 0x1000, MemoryKind.Reserved));
            Assert.Equal(2, warnings.Count);
            Assert.Equal((0x2000UL, 0x6000UL), (warnings[0].First, warnings[0].Second));
            Assert.Equal((0x8000UL, 0x9000UL), (warnings[1].First, warnings[1].Second));
        }

        [Fact]
        public void ZeroLengthRegions_AreDroppedWithWarning()
        {
            var (status, map, warnings) = Build(R(0x5000, 0), R(0x100000, 0x100000));
            Assert.Equal(MemoryMapStatus.Ok, status);
            Assert.Equal(1, map.Count);
            Assert.True(warnings.Contains(MemoryMap.ZeroLengthMessage));
            Assert.Equal(0x5000UL, warnings[0].First);
        }

        [Fact]
        public void RegionOverflowing2To64_IsClippedWithWarning()
        {
            var (status, map, warnings) = Build(R(0x100000, 0x100000), R(0xFFFF_FFFF_0000_0000, 0x2_0000_0000, MemoryKind.Reserved));
            Assert.Equal(MemoryMapStatus.Ok, status);
            Assert.True(warnings.Contains(MemoryMap.ClippedMessage));
            var top = map[map.Count - 1];
            Assert.Equal(0xFFFF_FFFF_0000_0000UL, top.Base);
            Assert.Equal(MemoryMap.AddressLimit, top.End);
        }

        [Fact]
        public void UsableRegionOverflowing_IsClipped_AndTotalsStaySane()
        {
            var (_, map, warnings) = Build(R(0xFFFF_FFFF_FFFF_0000, ulong.MaxValue));
            Assert.True(warnings.Contains(MemoryMap.ClippedMessage));
            Assert.Equal(MemoryMap.AddressLimit, map.HighestUsableAddress);
            Assert.Equal(MemoryMap.AddressLimit - 0xFFFF_FFFF_FFFF_0000, map.TotalUsableBytes);
        }

        [Fact]
        public void RegionInTheLastPage_IsDroppedWithWarning()
        {
            var (_, map, warnings) = Build(R(0, 0x1000), R(0xFFFF_FFFF_FFFF_F800, 0x100));
            Assert.Equal(1, map.Count);
            Assert.True(warnings.Contains(MemoryMap.UnrepresentableMessage));
        }

        [Fact]
        public void EmptyMap_IsAFailure()
        {
            var (status, map, _) = Build();
            Assert.Equal(MemoryMapStatus.Empty, status);
            Assert.NotNull(map);
            Assert.Equal(0, map.Count);
            Assert.Equal(MemoryMapStatus.Empty, MemoryMap.Build(null, null, out _));
            Assert.Equal(MemoryMapStatus.Empty, Build(R(0x1000, 0)).Status);
            Assert.Contains("no memory map", MemoryMap.Describe(MemoryMapStatus.Empty));
        }

        [Fact]
        public void NoUsableMemory_IsAFailure()
        {
            var (status, map, _) = Build(R(0, 0x1000, MemoryKind.Reserved), R(0x1000, 0x1000, MemoryKind.AcpiNvs));
            Assert.Equal(MemoryMapStatus.NoUsableMemory, status);
            Assert.Equal(2, map.Count);
            Assert.Equal(0UL, map.HighestUsableAddress);
            Assert.Contains("no usable RAM", MemoryMap.Describe(status));
        }

        [Fact]
        public void IsUsable_ChecksWholeRange()
        {
            var (_, map, _) = Build(R(0, 0x9F000), R(0x100000, 0x100000), R(0x200000, 0x100000));
            Assert.True(map.IsUsable(0x1000, 0x1000));
            Assert.True(map.IsUsable(0x1F0000, 0x20000)); // spans two merged firmware entries
            Assert.False(map.IsUsable(0x9E000, 0x2000)); // runs into the hole
            Assert.False(map.IsUsable(0xA0000, 0x1000)); // in the hole
            Assert.False(map.IsUsable(0x100000, 0)); // zero length
            Assert.False(map.IsUsable(0x100000, ulong.MaxValue)); // wraps
            Assert.False(map.IsUsable(0x2FF000, 0x2000)); // past the end
        }

        [Fact]
        public void TryGetKind_ReportsHoles()
        {
            var (_, map, _) = Build(R(0, 0x1000), R(0x2000, 0x1000, MemoryKind.AcpiReclaimable));
            Assert.True(map.TryGetKind(0x2800, out var kind));
            Assert.Equal(MemoryKind.AcpiReclaimable, kind);
            Assert.False(map.TryGetKind(0x1800, out _));
        }

        [Fact]
        public void RawInputArray_IsNotModified()
        {
            var raw = new[] { R(0x2000, 0x1000), R(0, 0x1000) };
            MemoryMap.Build(raw, null, out _);
            Assert.Equal(0x2000UL, raw[0].Base);
        }
    
        [Fact]
        public void WriteTo_PrintsOneLinePerRegion()
        {
            var (_, map, _) = Build(R(0, 0x9FC00), R(0x9FC00, 0x400, MemoryKind.Reserved));
            var (log, sink) = CapturingSink.NewLog();
            map.WriteTo(log, LogLevel.Info);
            Assert.Equal(
                "(HV)  [0x0000000000000000-0x000000000009fc00) usable 639 KiB\n" +
                "(HV)  [0x000000000009fc00-0x00000000000a0000) reserved 1 KiB\n",
                sink.Text);
        }
    }
}
