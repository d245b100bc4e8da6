using System;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class Multiboot2ParserTests
    {
        private static BootParseResult Parse(Multiboot2Builder b, uint? totalSize = null, int? mapped = null)
        {
            var memory = new FakeMemory();
            ulong info = b.PlaceIn(memory, totalSize, mapped);
            return Multiboot2Parser.Parse(memory, Multiboot2Parser.Magic, info);
        }

        [Fact]
        public void FullInfo_IsParsed()
        {
            var rsdp = AcpiBuilder.Rsdp(2, 0xE1000, 0xE2000);
            var b = new Multiboot2Builder()
                .CommandLine("console=com1 loglvl=debug")
                .LoaderName("GRUB 2.12")
                .BasicMemory(639, 523136)
                .Module(0x400000, 0x500000, "dom0.elf console=hvc0")
                .Framebuffer()
                .MemoryMap((0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0x100000, 0x1FEE0000, 1), (0x1FFE0000, 0x20000, 3), (0xFEC00000, 0x1000, 4))
                .NewRsdp(rsdp)
                .End();
            var result = Parse(b);

            Assert.True(result.Succeeded, result.FailureReason);
            Assert.Equal(0, result.Warnings.Count);
            var bi = result.Info;
            Assert.Equal(BootProtocol.Multiboot2, bi.Protocol);
            Assert.Equal("console=com1 loglvl=debug", Ascii.Str(bi.CommandLine));
            Assert.Equal("GRUB 2.12", Ascii.Str(bi.LoaderName));
            Assert.Equal(639u, bi.MemoryLowerKiB);
            Assert.Single(bi.Modules);
            Assert.Equal(0x400000UL, bi.Modules[0].Start);
            Assert.Equal(0x500000UL, bi.Modules[0].End);
            Assert.Equal("dom0.elf console=hvc0", Ascii.Str(bi.Modules[0].CommandLine));
            Assert.Equal(5, bi.MemoryRegions.Length);
            Assert.Equal(new MemoryRegion(0x1FFE0000, 0x20000, MemoryKind.AcpiReclaimable), bi.MemoryRegions[3]);
            Assert.Equal(MemoryKind.AcpiNvs, bi.MemoryRegions[4].Kind);
            Assert.True(bi.HasRsdp);
            Assert.Equal(rsdp, bi.Rsdp);
            Assert.Equal((ulong)b.ToArray().Length, bi.InfoLength);
        }

        [Fact]
        public void RsdpAddress_PointsAtTheCopyInsideTheBlock()
        {
            var rsdp = AcpiBuilder.Rsdp(0, 0xE1000, 0);
            var b = new Multiboot2Builder().MemoryMap((0, 0x1000, 1));
            int tagOffset = b.NextTagOffset;
            b.OldRsdp(rsdp).End();
            var memory = new FakeMemory();
            ulong info = b.PlaceIn(memory);
            var result = Multiboot2Parser.Parse(memory, Multiboot2Parser.Magic, info);
            Assert.Equal(info + (ulong)tagOffset + 8, result.Info.RsdpAddress);
            Assert.Equal(memory.Read64(result.Info.RsdpAddress), BitConverter.ToUInt64(rsdp, 0));
        }

        [Fact]
        public void NewRsdp_IsPreferredOverOld_InEitherOrder()
        {
            var old = AcpiBuilder.Rsdp(0, 0x1111, 0);
            var neu = AcpiBuilder.Rsdp(2, 0x2222, 0x3333);
            var r1 = Parse(new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).OldRsdp(old).NewRsdp(neu).End());
            var r2 = Parse(new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).NewRsdp(neu).OldRsdp(old).End());
            Assert.Equal(neu, r1.Info.Rsdp);
            Assert.Equal(neu, r2.Info.Rsdp);
        }

        [Fact]
        public void BadMagic_Fails()
        {
            var memory = new FakeMemory();
            ulong info = new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).End().PlaceIn(memory);
            var result = Multiboot2Parser.Parse(memory, Multiboot1Parser.Magic, info);
            Assert.False(result.Succeeded);
            Assert.Equal(Multiboot2Parser.BadMagicReason, result.FailureReason);
            Assert.Equal((ulong)Multiboot1Parser.Magic, result.FailureValue);
        }

        [Fact]
        public void UnreadableBlock_FailsWithoutReading()
        {
            var memory = new Mock<PhysicalMemory>(MockBehavior.Strict);
            memory.Setup(m => m.IsReadable(It.IsAny<ulong>(), It.IsAny<ulong>())).Returns(false);
            var result = Multiboot2Parser.Parse(memory.Object, Multiboot2Parser.Magic, 0x20000);
            Assert.False(result.Succeeded);
            Assert.Equal(Multiboot2Parser.UnreadableReason, result.FailureReason);
        }

        [Fact]
        public void TotalSizeTooSmall_Fails()
        {
            var result = Parse(new Multiboot2Builder().End(), totalSize: 4);
            Assert.False(result.Succeeded);
            Assert.Equal(Multiboot2Parser.TooSmallReason, result.FailureReason);
        }

        [Fact]
        public void TagRunningPastTotalSize_StopsParsing_KeepsEarlierTags()
        {
            var b = new Multiboot2Builder().MemoryMap((0, 0x1000, 1));
            int cmdlineOffset = b.NextTagOffset;
            b.CommandLine("console=com1").End();
            // total_size ends in the middle of the command-line tag.
            var result = Parse(b, totalSize: (uint)cmdlineOffset + 12);

            Assert.True(result.Succeeded);
            Assert.Single(result.Info.MemoryRegions);
            Assert.Empty(result.Info.CommandLine);
            Assert.True(result.Warnings.Contains(Multiboot2Parser.TagOverrunMessage));
            var warning = result.Warnings[0];
            Assert.Equal(1UL, warning.First); // tag type
            Assert.Equal((ulong)cmdlineOffset, warning.Second);
        }

        [Fact]
        public void TagWithHugeSize_StopsParsing()
        {
            var b = new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).Tag(1, Ascii.Bytes("abc\0"), sizeOverride: 0xFFFFFFF0).End();
            var result = Parse(b);
            Assert.True(result.Succeeded);
            Assert.True(result.Warnings.Contains(Multiboot2Parser.TagOverrunMessage));
        }

        [Fact]
        public void TagWithSizeBelowHeader_StopsParsing()
        {
            var b = new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).Tag(2, new byte[8], sizeOverride: 4).LoaderName("late").End();
            var result = Parse(b);
            Assert.True(result.Warnings.Contains(Multiboot2Parser.TagBadSizeMessage));
            Assert.Null(result.Info.LoaderName);
        }

        [Fact]
        public void MissingEndTag_IsAWarning()
        {
            var result = Parse(new Multiboot2Builder().MemoryMap((0, 0x1000, 1)));
            Assert.True(result.Succeeded);
            Assert.True(result.Warnings.Contains(Multiboot2Parser.NoEndTagMessage));
        }

        [Fact]
        public void BlockLongerThanReadableMemory_StopsAtTheUnreadableTag()
        {
            var b = new Multiboot2Builder().MemoryMap((0, 0x1000, 1));
            int cut = b.NextTagOffset;
            b.CommandLine("console=vga").End();
            var result = Parse(b, mapped: cut + 4);
            Assert.True(result.Succeeded);
            Assert.True(result.Warnings.Contains(Multiboot2Parser.TagUnreadableMessage));
            Assert.Single(result.Info.MemoryRegions);
        }

        [Fact]
        public void TagsAfterTheEndTag_AreIgnored()
        {
            var b = new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).End().CommandLine("ignored");
            var result = Parse(b);
            Assert.Empty(result.Info.CommandLine);
            Assert.Equal(0, result.Warnings.Count);
        }

        [Fact]
        public void NoMemoryMap_FallsBackToBasicMemory()
        {
            var result = Parse(new Multiboot2Builder().BasicMemory(640, 1024).End());
            Assert.True(result.Succeeded);
            Assert.True(result.Info.MemoryFromBasicInfo);
            Assert.Equal(2, result.Info.MemoryRegions.Length);
            Assert.Equal(0x100000UL, result.Info.MemoryRegions[1].Base);
            Assert.Equal(1UL << 20, result.Info.MemoryRegions[1].Length);
            Assert.True(result.Warnings.Contains(Multiboot2Parser.BasicMemoryFallbackMessage));
        }

        [Fact]
        public void NoMemoryInformation_Fails()
        {
            var result = Parse(new Multiboot2Builder().CommandLine("x").End());
            Assert.False(result.Succeeded);
            Assert.Equal(Multiboot2Parser.NoMemoryReason, result.FailureReason);
        }

        [Fact]
        public void LargerEntrySize_IsHonoured()
        {
            var result = Parse(new Multiboot2Builder().MemoryMapWithEntrySize(32, (0, 0x1000, 1), (0x100000, 0x2000, 2)).End());
            Assert.Equal(2, result.Info.MemoryRegions.Length);
            Assert.Equal(new MemoryRegion(0x100000, 0x2000, MemoryKind.Reserved), result.Info.MemoryRegions[1]);
        }

        [Fact]
        public void TooSmallEntrySize_IgnoresTheMap()
        {
            var result = Parse(new Multiboot2Builder().MemoryMapWithEntrySize(16, (0, 0x1000, 1)).BasicMemory(640, 0).End());
            Assert.True(result.Warnings.Contains(Multiboot2Parser.MemoryMapEntrySizeMessage));
            Assert.True(result.Info.MemoryFromBasicInfo);
        }

        [Fact]
        public void StringTagWithoutNul_IsKept_WithWarning()
        {
            var result = Parse(new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).Tag(1, Ascii.Bytes("abc")).End());
            Assert.Equal("abc", Ascii.Str(result.Info.CommandLine));
            Assert.True(result.Warnings.Contains(Multiboot2Parser.StringNotTerminatedMessage));
        }

        [Fact]
        public void ShortModuleTag_IsIgnored_WithWarning()
        {
            var result = Parse(new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).Tag(3, new byte[4]).End());
            Assert.Empty(result.Info.Modules);
            Assert.True(result.Warnings.Contains(Multiboot2Parser.TagTooSmallMessage));
        }

        [Fact]
        public void ManyModulesAndRegions_GrowBeyondInitialCapacity()
        {
            var b = new Multiboot2Builder();
            var entries = new (ulong, ulong, uint)[40];
            for (int i = 0; i < 40; i++)
            {
                entries[i] = ((ulong)i * 0x10000, 0x10000, 1);
                b.Module((uint)(0x1000000 + i * 0x1000), (uint)(0x1001000 + i * 0x1000), "m" + i);
            }

            var result = Parse(b.MemoryMap(entries).End());
            Assert.Equal(40, result.Info.Modules.Length);
            Assert.Equal(40, result.Info.MemoryRegions.Length);
            Assert.Equal("m39", Ascii.Str(result.Info.Modules[39].CommandLine));
        }

        [Fact]
        public void Dispatcher_RecognisesMultiboot2()
        {
            var memory = new FakeMemory();
            ulong info = new Multiboot2Builder().MemoryMap((0, 0x1000, 1)).End().PlaceIn(memory);
            var result = MultibootParser.Parse(memory, Multiboot2Parser.Magic, info);
            Assert.True(result.Succeeded);
            Assert.Equal(BootProtocol.Multiboot2, result.Info.Protocol);
        }
    }
}
