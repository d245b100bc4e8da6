using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class Multiboot1ParserTests
    {
        [Fact]
        public void FullInfo_IsParsed()
        {
            var b = new Multiboot1Builder()
                .BasicMemory(639, 130048)
                .CommandLine("hypervisor.elf console=com1 loglvl=all")
                .LoaderName("qemu")
                .Module(0x200000, 0x280000, "dom0.elf root=/dev/xvda")
                .Module(0x280000, 0x290000, "initrd")
                .Region(0, 0x9FC00, 1)
                .Region(0x9FC00, 0x400, 2)
                .Region(0x100000, 0x7EE0000, 1, size: 24)
                .Region(0xFFFC0000, 0x40000, 2);
            ulong info = b.Build();

            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, info);

            Assert.True(result.Succeeded, result.FailureReason);
            Assert.Equal(0, result.Warnings.Count);
            var bi = result.Info;
            Assert.Equal(BootProtocol.Multiboot1, bi.Protocol);
            Assert.Equal("hypervisor.elf console=com1 loglvl=all", Ascii.Str(bi.CommandLine));
            Assert.Equal("qemu", Ascii.Str(bi.LoaderName));
            Assert.True(bi.HasBasicMemory);
            Assert.Equal(639u, bi.MemoryLowerKiB);
            Assert.Equal(130048u, bi.MemoryUpperKiB);
            Assert.False(bi.MemoryFromBasicInfo);
            Assert.Equal(2, bi.Modules.Length);
            Assert.Equal(0x200000UL, bi.Modules[0].Start);
            Assert.Equal(0x280000UL, bi.Modules[0].End);
            Assert.Equal(0x80000UL, bi.Modules[0].Length);
            Assert.Equal("dom0.elf root=/dev/xvda", Ascii.Str(bi.Modules[0].CommandLine));
            Assert.Equal("initrd", Ascii.Str(bi.Modules[1].CommandLine));
            Assert.Equal(4, bi.MemoryRegions.Length);
            Assert.Equal(new MemoryRegion(0x100000, 0x7EE0000, MemoryKind.Usable), bi.MemoryRegions[2]);
            Assert.Equal(MemoryKind.Reserved, bi.MemoryRegions[1].Kind);
            Assert.Equal(info, bi.InfoAddress);
            Assert.False(bi.HasRsdp);
        }

        [Theory]
        [InlineData(1u, MemoryKind.Usable)]
        [InlineData(2u, MemoryKind.Reserved)]
        [InlineData(3u, MemoryKind.AcpiReclaimable)]
        [InlineData(4u, MemoryKind.AcpiNvs)]
        [InlineData(5u, MemoryKind.BadMemory)]
        [InlineData(0u, MemoryKind.Reserved)]
        [InlineData(12u, MemoryKind.Reserved)]
        public void MemoryTypes_MapToKinds(uint type, MemoryKind kind)
        {
            var b = new Multiboot1Builder().Region(0x100000, 0x1000, 1).Region(0x200000, 0x1000, type);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, b.Build());
            Assert.Equal(kind, result.Info.MemoryRegions[1].Kind);
        }

        [Fact]
        public void BadMagic_Fails_WithTheMagicAsValue()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1);
            var result = Multiboot1Parser.Parse(b.Memory, 0x12345678, b.Build());
            Assert.False(result.Succeeded);
            Assert.Equal(Multiboot1Parser.BadMagicReason, result.FailureReason);
            Assert.Equal(0x12345678UL, result.FailureValue);
        }

        [Fact]
        public void UnreadableInfo_Fails_WithoutReadingAnything()
        {
            var memory = new Mock<PhysicalMemory>(MockBehavior.Strict);
            memory.Setup(m => m.IsReadable(It.IsAny<ulong>(), It.IsAny<ulong>())).Returns(false);
            var result = Multiboot1Parser.Parse(memory.Object, Multiboot1Parser.Magic, 0xDEAD0000);
            Assert.False(result.Succeeded);
            Assert.Equal(Multiboot1Parser.UnreadableReason, result.FailureReason);
            Assert.Equal(0xDEAD0000UL, result.FailureValue);
            memory.Verify(m => m.Read8(It.IsAny<ulong>()), Times.Never);
        }

        [Fact]
        public void NoMemoryMap_FallsBackToMemLowerUpper_WithWarning()
        {
            var b = new Multiboot1Builder().BasicMemory(640, 1024 * 63);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, b.Build());
            Assert.True(result.Succeeded);
            Assert.True(result.Info.MemoryFromBasicInfo);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.BasicMemoryFallbackMessage));
            Assert.Equal(
                new[] { new MemoryRegion(0, 640 * 1024, MemoryKind.Usable), new MemoryRegion(0x100000, 63UL << 20, MemoryKind.Usable) },
                result.Info.MemoryRegions);
        }

        [Fact]
        public void EmptyMemoryMap_AlsoFallsBack()
        {
            var b = new Multiboot1Builder().BasicMemory(640, 2048).EmptyMemoryMap();
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, b.Build());
            Assert.True(result.Succeeded);
            Assert.True(result.Info.MemoryFromBasicInfo);
        }

        [Fact]
        public void NoMemoryInformationAtAll_Fails()
        {
            var b = new Multiboot1Builder().CommandLine("x");
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, b.Build());
            Assert.False(result.Succeeded);
            Assert.Equal(Multiboot1Parser.NoMemoryReason, result.FailureReason);
            Assert.Equal("x", Ascii.Str(result.Info.CommandLine)); // what was read is still there
        }

        [Fact]
        public void AbsentCommandLine_IsEmptyNotNull_AndLoaderNameNull()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, b.Build());
            Assert.NotNull(result.Info.CommandLine);
            Assert.Empty(result.Info.CommandLine);
            Assert.Null(result.Info.LoaderName);
            Assert.Empty(result.Info.Modules);
        }

        [Fact]
        public void MemoryMapEntryWithTooSmallSize_StopsTheMap_WithWarning()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1).Region(0x100000, 0x1000, 1, size: 8).Region(0x200000, 0x1000, 1);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, b.Build());
            Assert.True(result.Succeeded);
            Assert.Single(result.Info.MemoryRegions);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.MemoryMapEntryTooSmallMessage));
        }

        [Fact]
        public void MemoryMapLengthCuttingAnEntry_StopsThere_WithWarning()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1).Region(0x100000, 0x1000, 1);
            ulong info = b.Build();
            b.Memory.Write32(info + 44, b.MemoryMapLength - 4); // the second entry no longer fits
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, info);
            Assert.Single(result.Info.MemoryRegions);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.MemoryMapTruncatedMessage));
        }

        [Fact]
        public void MemoryMapPointingOutsideMemory_IsAWarning_ThenFallback()
        {
            var b = new Multiboot1Builder().BasicMemory(640, 4096).Region(0, 0x1000, 1);
            ulong info = b.Build();
            b.Memory.Write32(info + 48, 0x7000_0000);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, info);
            Assert.True(result.Succeeded);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.MemoryMapUnreadableMessage));
            Assert.True(result.Info.MemoryFromBasicInfo);
        }

        [Fact]
        public void CommandLinePointingOutsideMemory_IsAWarning()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1).CommandLine("abc");
            ulong info = b.Build();
            b.Memory.Write32(info + 16, 0x9000_0000);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, info);
            Assert.True(result.Succeeded);
            Assert.Empty(result.Info.CommandLine);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.CommandLineUnreadableMessage));
        }

        [Fact]
        public void CommandLineRunningOffTheEndOfMemory_IsKeptTruncated_WithWarning()
        {
            var memory = new FakeMemory().Map(0x80000, 8);
            memory.WriteBytes(0x80000, Ascii.Bytes("ABCDEFGH")); // no NUL before unmapped memory
            var b = new Multiboot1Builder(memory).Region(0, 0x1000, 1).CommandLine("x");
            ulong info = b.Build();
            b.Memory.Write32(info + 16, 0x80000);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, info);
            Assert.Equal("ABCDEFGH", Ascii.Str(result.Info.CommandLine));
            Assert.True(result.Warnings.Contains(Multiboot1Parser.CommandLineUnreadableMessage));
        }

        [Fact]
        public void TruncatedInfoStructure_WarnsForUnreadableFields()
        {
            // Only the first 12 bytes of the structure are mapped, but flags claim a memory map.
            var memory = new FakeMemory().Map(0x30000, 12);
            memory.Write32(0x30000, (1u << 0) | (1u << 6));
            memory.Write32(0x30004, 640);
            memory.Write32(0x30008, 1024);
            var result = Multiboot1Parser.Parse(memory, Multiboot1Parser.Magic, 0x30000);
            Assert.True(result.Succeeded);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.TruncatedInfoMessage));
            Assert.Equal(44UL, result.Warnings[0].First);
            Assert.True(result.Info.MemoryFromBasicInfo);
        }

        [Fact]
        public void ModuleListOutsideMemory_IsAWarning()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1).Module(0x200000, 0x201000, "m");
            ulong info = b.Build();
            b.Memory.Write32(info + 24, 0x6000_0000);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, info);
            Assert.Empty(result.Info.Modules);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.ModulesUnreadableMessage));
        }

        [Fact]
        public void ModuleWithoutString_HasEmptyCommandLine_AndBackwardsModuleWarns()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1).Module(0x300000, 0x200000, null);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, b.Build());
            Assert.Single(result.Info.Modules);
            Assert.Empty(result.Info.Modules[0].CommandLine);
            Assert.Equal(0UL, result.Info.Modules[0].Length);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.ModuleBackwardsMessage));
        }

        [Fact]
        public void AbsurdModuleCount_IsCapped()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1).Module(0x200000, 0x201000, "m");
            ulong info = b.Build();
            b.Memory.Write32(info + 20, 1_000_000);
            var result = Multiboot1Parser.Parse(b.Memory, Multiboot1Parser.Magic, info);
            Assert.True(result.Warnings.Contains(Multiboot1Parser.TooManyModulesMessage));
            Assert.True(result.Succeeded);
        }

        [Fact]
        public void Dispatcher_PicksParserByMagic()
        {
            var b = new Multiboot1Builder().Region(0, 0x1000, 1);
            ulong info = b.Build();
            Assert.Equal(BootProtocol.Multiboot1, MultibootParser.Parse(b.Memory, Multiboot1Parser.Magic, info).Info.Protocol);
            var unknown = MultibootParser.Parse(b.Memory, 0xCAFE, info);
            Assert.False(unknown.Succeeded);
            Assert.Equal(MultibootParser.UnknownMagicReason, unknown.FailureReason);
            Assert.Equal(0xCAFEUL, unknown.FailureValue);
        }
    }
}
