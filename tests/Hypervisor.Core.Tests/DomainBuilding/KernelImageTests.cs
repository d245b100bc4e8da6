using System;
using Hypervisor.Abi;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.DomainBuilding
{
    /// <summary>
    /// KernelImage.Inspect reads a PV kernel where the boot loader left it. Each test maps only the
    /// module's bytes in a fresh FakeMemory, so any read past the module throws and fails the test.
    /// </summary>
    public class KernelImageTests
    {
        private const ulong VirtBase = PvKernelElfBuilder.VirtBase;

        private static KernelImage Inspect(PvKernelElfBuilder elf)
        {
            var (memory, address, length) = elf.PlaceAlone();
            return KernelImage.Inspect(memory, address, length);
        }

        private static void AssertRefused(PvKernelElfBuilder elf, KernelImageProblem problem, ulong? value = null)
        {
            KernelImage image = Inspect(elf);
            Assert.False(image.IsValid);
            Assert.Equal(problem, image.Problem);
            if (value.HasValue)
            {
                Assert.Equal(value.Value, image.ProblemValue);
            }
        }

        private static string Describe(KernelImageProblem problem, ulong value)
        {
            var (log, sink) = CapturingSink.NewLog();
            KernelImageProblems.Describe(log.Error(), problem, value).End();
            return sink.Text;
        }

        // ---- A valid image ----

        [Fact]
        public void ValidImage_EntryVirtBaseHypercallPageAndSegments()
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default();
            KernelImage image = Inspect(elf);

            Assert.True(image.IsValid, image.Problem.ToString());
            Assert.Equal(KernelImageProblem.None, image.Problem);
            Assert.Equal(PvKernelElfBuilder.Entry, image.Entry);
            Assert.Equal(VirtBase, image.VirtBase);
            Assert.Equal(PvKernelElfBuilder.HypercallPageAddress, image.HypercallPage);
            Assert.Equal(VirtBase, image.KernelStart);
            Assert.Equal(PvKernelElfBuilder.KernelEnd, image.KernelEnd);
            Assert.False(image.ModuleByFrameNumber);

            Assert.Equal(2, image.SegmentCount);
            LoadSegment text = image.Segments[0], data = image.Segments[1];
            Assert.Equal(VirtBase, text.VirtualStart);
            Assert.Equal((ulong)(PvKernelElfBuilder.TextPages * 4096), text.FileSize);
            Assert.Equal(text.FileSize, text.MemorySize);
            Assert.Equal(elf.Text.FileOffset, text.FileOffset);
            Assert.Equal(PvKernelElfBuilder.DataAddress, data.VirtualStart);
            Assert.Equal((ulong)PvKernelElfBuilder.DataFileBytes, data.FileSize);
            Assert.Equal(PvKernelElfBuilder.DataFileBytes + PvKernelElfBuilder.BssBytes, data.MemorySize);
            Assert.Equal(elf.Data.FileOffset, data.FileOffset);
        }

        [Fact]
        public void ValidImage_NoteStringsAndFeatures()
        {
            KernelImage image = Inspect(PvKernelElfBuilder.Default());
            Assert.Equal("TestOS", Ascii.Str(image.GuestOs));
            Assert.Equal("1.2", Ascii.Str(image.GuestVersion));
            Assert.Equal("generic", Ascii.Str(image.Loader));
            Assert.Equal("xen-3.0", Ascii.Str(image.XenVersion));
            uint expected = (1u << XenFeature.WritableDescriptorTables) | (1u << XenFeature.PaePgdirAbove4gb) | (1u << XenFeature.Dom0);
            Assert.Equal(expected, image.SupportedFeatures);
            Assert.Equal(0u, image.RequiredFeatures);
        }

        [Fact]
        public void SegmentsMoveByVirtBaseMinusPaddrOffset()
        {
            // Linux style: p_paddr are physical (16 MiB up), PADDR_OFFSET 0, VIRT_BASE the kernel map.
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default().MoveSegments(0x100_0000);
            foreach (var s in elf.Segments)
            {
                s.VirtualAddress = 0x1234;     // p_vaddr is ignored: p_paddr + offset is what counts
            }

            elf.SetNumericNote(ElfNoteType.Entry, VirtBase + 0x100_0000);
            elf.SetNumericNote(ElfNoteType.HypercallPage, VirtBase + 0x100_1000);
            KernelImage image = Inspect(elf);
            Assert.True(image.IsValid, image.Problem.ToString());
            Assert.Equal(VirtBase + 0x100_0000, image.KernelStart);
            Assert.Equal(VirtBase + 0x100_0000, image.Segments[0].VirtualStart);

            // With PADDR_OFFSET = 16 MiB the same segments land at VIRT_BASE itself.
            elf.SetNumericNote(ElfNoteType.PaddrOffset, 0x100_0000);
            elf.SetNumericNote(ElfNoteType.Entry, VirtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, VirtBase + 0x1000);
            image = Inspect(elf);
            Assert.True(image.IsValid, image.Problem.ToString());
            Assert.Equal(VirtBase, image.KernelStart);
        }

        [Fact]
        public void WithoutEntryNote_TheElfEntryIsUsed()
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default().RemoveNote(ElfNoteType.Entry);
            elf.ElfEntry = VirtBase + 0x2010;
            KernelImage image = Inspect(elf);
            Assert.True(image.IsValid);
            Assert.Equal(VirtBase + 0x2010, image.Entry);
        }

        [Fact]
        public void WithoutVirtBaseNotes_VirtualEqualsPhysical()
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default()
                .RemoveNote(ElfNoteType.VirtBase).RemoveNote(ElfNoteType.PaddrOffset).RemoveNote(ElfNoteType.Entry)
                .RemoveNote(ElfNoteType.HypercallPage).MoveSegments(0x40_0000);
            elf.ElfEntry = 0x40_0000;
            KernelImage image = Inspect(elf);
            Assert.True(image.IsValid, image.Problem.ToString());
            Assert.Equal(0UL, image.VirtBase);
            Assert.Equal(0x40_0000UL, image.KernelStart);
            Assert.Equal(0x40_0000UL, image.Entry);
            Assert.Equal(0UL, image.HypercallPage);
        }

        [Fact]
        public void NumericNotesOfFourBytesAreAccepted()
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default().MoveSegments(0x40_0000);
            elf.SetNumericNote(ElfNoteType.VirtBase, 0, 4);
            elf.SetNumericNote(ElfNoteType.PaddrOffset, 0, 4);
            elf.SetNumericNote(ElfNoteType.Entry, 0x40_0000, 4);
            elf.SetNumericNote(ElfNoteType.HypercallPage, 0x40_1000, 4);
            KernelImage image = Inspect(elf);
            Assert.True(image.IsValid, image.Problem.ToString());
            Assert.Equal(0x40_0000UL, image.Entry);
            Assert.Equal(0x40_1000UL, image.HypercallPage);
        }

        [Fact]
        public void ModStartPfnNote_AsksForTheInitrdByFrameNumber()
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.ModStartPfn, 1);
            Assert.True(Inspect(elf).ModuleByFrameNumber);
            elf.SetNumericNote(ElfNoteType.ModStartPfn, 0);
            Assert.False(Inspect(elf).ModuleByFrameNumber);
        }

        [Fact]
        public void LinuxGuestOs_StandsInForTheGenericLoader()
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default().RemoveNote(ElfNoteType.Loader).SetStringNote(ElfNoteType.GuestOs, "linux");
            Assert.True(Inspect(elf).IsValid);
        }

        [Fact]
        public void ForeignNotesAreSkipped()
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default();
            elf.Notes.Insert(0, new PvKernelElfBuilder.Note { Name = "GNU", Type = 3, Descriptor = new byte[] { 1, 2, 3, 4, 5 } });
            // A foreign note with the type of Xen's ENTRY and a silly value must not be taken for it.
            elf.AddForeignNote("Xen2", ElfNoteType.Entry, BitConverter.GetBytes(0xDEADUL));
            KernelImage image = Inspect(elf);
            Assert.True(image.IsValid, image.Problem.ToString());
            Assert.Equal(PvKernelElfBuilder.Entry, image.Entry);
        }

        [Theory]
        [InlineData("dom0")]
        [InlineData("!dom0")]
        [InlineData("!pae_pgdir_above_4gb|writable_page_tables")]
        [InlineData("")]
        [InlineData("|||")]
        [InlineData("unknown_feature|!dom0")]
        public void OfferedOrOptionalFeatures_AreAccepted(string features)
        {
            PvKernelElfBuilder elf = PvKernelElfBuilder.Default().SetStringNote(ElfNoteType.Features, features);
            KernelImage image = Inspect(elf);
            Assert.True(image.IsValid, image.Problem.ToString());
        }

        // ---- Refusals ----

        [Fact]
        public void TooSmall()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.TruncateTo = 63;
            AssertRefused(elf, KernelImageProblem.TooSmall, 63);
            elf.TruncateTo = 0;
            AssertRefused(elf, KernelImageProblem.TooSmall, 0);
        }

        [Fact]
        public void NotElf()
        {
            byte[] file = PvKernelElfBuilder.Default().Build();
            file[1] = (byte)'X';
            var memory = new FakeMemory().Map(0x40_0000, file.Length);
            memory.WriteBytes(0x40_0000, file);
            KernelImage image = KernelImage.Inspect(memory, 0x40_0000, (ulong)file.Length);
            Assert.Equal(KernelImageProblem.NotElf, image.Problem);
        }

        [Fact]
        public void Elf32_IsNot64Bit()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.Class = 1;
            AssertRefused(elf, KernelImageProblem.Not64Bit, 1);
        }

        [Fact]
        public void BigEndian()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.DataEncoding = 2;
            AssertRefused(elf, KernelImageProblem.NotLittleEndian);
        }

        [Theory]
        [InlineData(3)]    // ET_DYN
        [InlineData(1)]    // ET_REL
        [InlineData(4)]    // ET_CORE
        public void NotAnExecutable(ushort type)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.ElfType = type;
            AssertRefused(elf, KernelImageProblem.NotExecutable, type);
        }

        [Theory]
        [InlineData(3)]      // EM_386
        [InlineData(183)]    // EM_AARCH64
        public void WrongMachine(ushort machine)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.Machine = machine;
            AssertRefused(elf, KernelImageProblem.NotX86_64, machine);
        }

        [Fact]
        public void TruncatedProgramHeaders()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.TruncateTo = PvKernelElfBuilder.ElfHeaderSize + PvKernelElfBuilder.ProgramHeaderSize + 10;
            AssertRefused(elf, KernelImageProblem.BadProgramHeaders);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(65)]
        [InlineData(0xFFFF)]
        public void BadProgramHeaderCount(ushort count)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.ProgramHeaderCountOverride = count;
            AssertRefused(elf, KernelImageProblem.BadProgramHeaders);
        }

        [Theory]
        [InlineData(32)]
        [InlineData(64)]
        public void BadProgramHeaderSize(ushort size)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.ProgramHeaderSizeOverride = size;
            AssertRefused(elf, KernelImageProblem.BadProgramHeaders);
        }

        [Theory]
        [InlineData(0x10_0000UL)]
        [InlineData(0xFFFF_FFFF_FFFF_FFF0UL)]    // offset + size wraps
        public void ProgramHeaderTableOutsideTheFile(ulong offset)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.ProgramHeaderOffsetOverride = offset;
            AssertRefused(elf, KernelImageProblem.BadProgramHeaders);
        }

        [Fact]
        public void NoteSegmentOutsideTheFile_NamesItsIndex()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.NoteSegmentSizeOverride = 0x100_0000;
            AssertRefused(elf, KernelImageProblem.BadProgramHeaders, 2);     // two PT_LOADs, then PT_NOTE
            elf.NoteSegmentSizeOverride = null;
            elf.NoteSegmentOffsetOverride = ulong.MaxValue - 4;
            AssertRefused(elf, KernelImageProblem.BadProgramHeaders, 2);
        }

        [Fact]
        public void SegmentFileBytesBeyondTheFile()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.Data.FileSizeOverride = 0x10_0000;
            elf.Data.MemorySize = 0x20_0000;
            AssertRefused(elf, KernelImageProblem.SegmentOutsideFile, 1);

            elf = PvKernelElfBuilder.Default();
            elf.Text.FileOffsetOverride = ulong.MaxValue - 0x100;
            AssertRefused(elf, KernelImageProblem.SegmentOutsideFile, 0);
        }

        [Fact]
        public void SegmentFileSizeAboveMemorySize()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.Data.MemorySize = 0x800;
            AssertRefused(elf, KernelImageProblem.SegmentOutsideFile, 1);
        }

        [Fact]
        public void NoLoadableSegment()
        {
            var elf = PvKernelElfBuilder.Default();
            foreach (var s in elf.Segments)
            {
                s.Type = 6;   // PT_PHDR
            }

            AssertRefused(elf, KernelImageProblem.NoLoadableSegment);

            // Empty PT_LOADs (memory size 0) do not count either.
            elf = PvKernelElfBuilder.Default();
            foreach (var s in elf.Segments)
            {
                s.Bytes = Array.Empty<byte>();
                s.MemorySize = 0;
            }

            AssertRefused(elf, KernelImageProblem.NoLoadableSegment);
        }

        [Fact]
        public void OverlappingSegments()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.AddSegment(PvKernelElfBuilder.DataAddress + 0x2000, new byte[16], 0x1000);    // inside .bss
            AssertRefused(elf, KernelImageProblem.SegmentsOverlap, 2);
        }

        [Fact]
        public void TouchingSegments_DoNotOverlap()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.AddSegment(PvKernelElfBuilder.KernelEnd, new byte[16], 0x1000);
            KernelImage image = Inspect(elf);
            Assert.True(image.IsValid, image.Problem.ToString());
            Assert.Equal(PvKernelElfBuilder.KernelEnd + 0x1000, image.KernelEnd);
        }

        [Fact]
        public void NoXenNotes()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.IncludeNoteSegment = false;
            AssertRefused(elf, KernelImageProblem.NoXenNotes);

            elf = PvKernelElfBuilder.Default();
            elf.Notes.Clear();
            AssertRefused(elf, KernelImageProblem.NoXenNotes);

            elf = PvKernelElfBuilder.Default();
            elf.Notes.Clear();
            elf.AddForeignNote("GNU", 3, new byte[20]);
            elf.AddForeignNote("Xe", ElfNoteType.Loader, Ascii.Bytes("generic\0"));
            AssertRefused(elf, KernelImageProblem.NoXenNotes);
        }

        [Theory]
        [InlineData(ElfNoteType.Entry, 3)]
        [InlineData(ElfNoteType.VirtBase, 16)]
        [InlineData(ElfNoteType.HypercallPage, 0)]
        [InlineData(ElfNoteType.PaddrOffset, 7)]
        [InlineData(ElfNoteType.ModStartPfn, 5)]
        public void NumericNoteOfBadSize(uint type, int size)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.SetNote(type, new byte[size]);
            AssertRefused(elf, KernelImageProblem.BadNote, type);
        }

        [Theory]
        [InlineData(ElfNoteType.GuestOs, "linux")]
        [InlineData(ElfNoteType.Loader, "generic")]
        [InlineData(ElfNoteType.XenVersion, "xen-3.0")]
        [InlineData(ElfNoteType.Features, "dom0")]
        public void StringNoteWithoutNul_EndsWithItsDescriptor(uint type, string text)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.SetNote(type, Ascii.Bytes(text));
            KernelImage image = Inspect(elf);
            Assert.Equal(KernelImageProblem.None, image.Problem);
        }

        // Debian's Linux 6.1 (CONFIG_XEN_PV): the features note is 41 bytes with no NUL, and requires
        // writable page tables. Xen 4.17 boots it; so must we.
        [Fact]
        public void LinuxFeaturesNote()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.SetNote(ElfNoteType.Features, Ascii.Bytes("!writable_page_tables|pae_pgdir_above_4gb"));
            KernelImage image = Inspect(elf);
            Assert.Equal(KernelImageProblem.None, image.Problem);
            Assert.Equal(1u << XenFeature.WritablePageTables, image.RequiredFeatures);
            Assert.Equal((1u << XenFeature.WritablePageTables) | (1u << XenFeature.PaePgdirAbove4gb), image.SupportedFeatures);
        }

        [Fact]
        public void StringNoteLongerThan256Bytes()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.SetStringNote(ElfNoteType.GuestVersion, new string('v', 300));
            AssertRefused(elf, KernelImageProblem.BadNote, ElfNoteType.GuestVersion);
        }

        [Fact]
        public void NoteRunningPastItsSegment()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.FindNote(ElfNoteType.Features).DescriptorSizeOverride = 0x10000;
            AssertRefused(elf, KernelImageProblem.BadNote, ElfNoteType.Features);

            elf = PvKernelElfBuilder.Default();
            elf.FindNote(ElfNoteType.GuestOs).NameSizeOverride = 0xFFFF_FFFF;
            AssertRefused(elf, KernelImageProblem.BadNote, ElfNoteType.GuestOs);
        }

        [Fact]
        public void WrongLoader()
        {
            var elf = PvKernelElfBuilder.Default().SetStringNote(ElfNoteType.Loader, "elf");
            AssertRefused(elf, KernelImageProblem.WrongLoader);
            elf = PvKernelElfBuilder.Default().RemoveNote(ElfNoteType.Loader);
            AssertRefused(elf, KernelImageProblem.WrongLoader);
        }

        [Fact]
        public void WrongXenVersion()
        {
            var elf = PvKernelElfBuilder.Default().SetStringNote(ElfNoteType.XenVersion, "xen-2.0");
            AssertRefused(elf, KernelImageProblem.WrongXenVersion);
            elf = PvKernelElfBuilder.Default().RemoveNote(ElfNoteType.XenVersion);
            AssertRefused(elf, KernelImageProblem.WrongXenVersion);
        }

        [Fact]
        public void PaddrOffsetWithoutVirtBase()
        {
            var elf = PvKernelElfBuilder.Default().RemoveNote(ElfNoteType.VirtBase);
            AssertRefused(elf, KernelImageProblem.PaddrOffsetWithoutVirtBase);
        }

        [Fact]
        public void EntryOutsideTheKernel()
        {
            var elf = PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.Entry, PvKernelElfBuilder.KernelEnd);
            AssertRefused(elf, KernelImageProblem.EntryOutsideKernel, PvKernelElfBuilder.KernelEnd);
            elf = PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.Entry, VirtBase - 1);
            AssertRefused(elf, KernelImageProblem.EntryOutsideKernel, VirtBase - 1);

            // Without the ENTRY note the ELF header's entry is checked the same way.
            elf = PvKernelElfBuilder.Default().RemoveNote(ElfNoteType.Entry);
            elf.ElfEntry = 0x1000;
            AssertRefused(elf, KernelImageProblem.EntryOutsideKernel, 0x1000);
        }

        [Fact]
        public void VirtBaseAboveTheKernel()
        {
            // PADDR_OFFSET above the lowest p_paddr puts the kernel below VIRT_BASE.
            var elf = PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.PaddrOffset, 0x1000);
            AssertRefused(elf, KernelImageProblem.VirtBaseAboveKernel, VirtBase);
        }

        [Theory]
        [InlineData(0xFFFF_8000_0000_0000UL)]    // the M2P
        [InlineData(0xFFFF_8400_0000_0000UL)]
        [InlineData(0xFFFF_87FF_FFFF_0000UL)]    // the last pages of the range
        public void SegmentInTheHypervisorRange(ulong virtBase)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            KernelImage image = Inspect(elf);
            Assert.Equal(KernelImageProblem.OverlapsHypervisor, image.Problem);
            Assert.Equal(virtBase + PvKernelElfBuilder.KernelEnd - VirtBase - 1, image.ProblemValue);
        }

        [Fact]
        public void KernelEndingRightBelowTheHypervisorRange_IsNotInIt()
        {
            // Upper half, just above the range: fine.
            ulong virtBase = 0xFFFF_8800_0000_0000UL;
            var elf = PvKernelElfBuilder.Default();
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            Assert.True(Inspect(elf).IsValid);
        }

        [Theory]
        [InlineData(0x0000_8000_0000_0000UL)]    // first non-canonical
        [InlineData(0x1234_0000_0000_0000UL)]
        [InlineData(0x0000_7FFF_FFFF_E000UL)]    // starts canonical, runs into the hole
        public void NonCanonicalSegment(ulong virtBase)
        {
            var elf = PvKernelElfBuilder.Default();
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            AssertRefused(elf, KernelImageProblem.NonCanonical, virtBase);
        }

        [Fact]
        public void SegmentWrappingAroundTheTop()
        {
            var elf = PvKernelElfBuilder.Default();
            ulong virtBase = 0xFFFF_FFFF_FFFF_E000UL;
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            AssertRefused(elf, KernelImageProblem.NonCanonical, virtBase);
        }

        [Theory]
        [InlineData(PvKernelElfBuilder.HypercallPageAddress + 8)]     // not page-aligned
        [InlineData(PvKernelElfBuilder.KernelEnd)]                    // just past the kernel
        [InlineData(0x1000UL)]                                        // nowhere near it
        public void HypercallPageOutsideTheKernel(ulong page)
        {
            var elf = PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.HypercallPage, page);
            AssertRefused(elf, KernelImageProblem.HypercallPageOutsideKernel, page);
        }

        [Theory]
        [InlineData("!writable_descriptor_tables", XenFeature.WritableDescriptorTables)]
        [InlineData("dom0|!auto_translated_physmap", XenFeature.AutoTranslatedPhysmap)]
        [InlineData("!writable_page_tables|!supervisor_mode_kernel", XenFeature.SupervisorModeKernel)]
        [InlineData("!something_new", XenFeatureString.UnknownRequiredBit)]
        public void RequiredFeatureUnsupported(string features, int bit)
        {
            var elf = PvKernelElfBuilder.Default().SetStringNote(ElfNoteType.Features, features);
            AssertRefused(elf, KernelImageProblem.RequiredFeatureUnsupported, (ulong)bit);
        }

        [Fact]
        public void RefusalsNeverReadOutsideTheModule()
        {
            // Every truncation of a valid file: whatever is refused, FakeMemory throws on a stray read.
            byte[] file = PvKernelElfBuilder.Default().Build();
            for (int length = 0; length < file.Length; length += length < 0x200 ? 1 : 0x1FF)
            {
                var memory = new FakeMemory();
                if (length > 0)
                {
                    memory.Map(0x40_0000, length);
                    memory.WriteBytes(0x40_0000, file.AsSpan(0, length).ToArray());
                }

                KernelImage image = KernelImage.Inspect(memory, 0x40_0000, (ulong)length);
                Assert.False(image.IsValid, $"length {length}");
            }
        }

        // ---- Messages ----

        [Theory]
        [InlineData(KernelImageProblem.TooSmall, 63UL, "63 bytes long")]
        [InlineData(KernelImageProblem.NotElf, 0UL, "not an ELF file")]
        [InlineData(KernelImageProblem.Not64Bit, 1UL, "32-bit")]
        [InlineData(KernelImageProblem.NotLittleEndian, 0UL, "big-endian")]
        [InlineData(KernelImageProblem.NotX86_64, 3UL, "machine is 3")]
        [InlineData(KernelImageProblem.NotExecutable, 3UL, "type is 3")]
        [InlineData(KernelImageProblem.BadProgramHeaders, 0UL, "program header")]
        [InlineData(KernelImageProblem.SegmentOutsideFile, 1UL, "segment 1")]
        [InlineData(KernelImageProblem.NoLoadableSegment, 0UL, "PT_LOAD")]
        [InlineData(KernelImageProblem.SegmentsOverlap, 2UL, "segment 2 overlaps")]
        [InlineData(KernelImageProblem.NoXenNotes, 0UL, "no Xen ELF notes")]
        [InlineData(KernelImageProblem.BadNote, 10UL, "note type 10")]
        [InlineData(KernelImageProblem.WrongLoader, 0UL, "LOADER")]
        [InlineData(KernelImageProblem.WrongXenVersion, 0UL, "XEN_VERSION")]
        [InlineData(KernelImageProblem.PaddrOffsetWithoutVirtBase, 0UL, "PADDR_OFFSET")]
        [InlineData(KernelImageProblem.EntryOutsideKernel, 0x1000UL, "entry point 0x0000000000001000")]
        [InlineData(KernelImageProblem.VirtBaseAboveKernel, 0xFFFFFFFF80000000UL, "VIRT_BASE 0xffffffff80000000")]
        [InlineData(KernelImageProblem.OverlapsHypervisor, 0xFFFF800000006FFFUL, "0xffff800000006fff")]
        [InlineData(KernelImageProblem.NonCanonical, 0x800000000000UL, "0x0000800000000000 is not canonical")]
        [InlineData(KernelImageProblem.HypercallPageOutsideKernel, 0x1008UL, "HYPERCALL_PAGE 0x0000000000001008")]
        [InlineData(KernelImageProblem.RequiredFeatureUnsupported, 0UL, "XENFEAT bit 0")]
        [InlineData(KernelImageProblem.P2mBaseOutOfRange, 0x800000000000UL, "INIT_P2M address 0x0000800000000000")]
        public void EveryProblemHasASentence(KernelImageProblem problem, ulong value, string expected)
        {
            string text = Describe(problem, value);
            Assert.StartsWith("(HV) Error: ", text);
            Assert.Contains(expected, text, StringComparison.OrdinalIgnoreCase);
            Assert.EndsWith("\n", text);
        }

        [Fact]
        public void EveryProblemValueIsDescribed()
        {
            foreach (KernelImageProblem problem in Enum.GetValues<KernelImageProblem>())
            {
                Assert.DoesNotContain("unknown problem", Describe(problem, 1));
            }
        }

        [Fact]
        public void RefusedImage_MessageNamesTheProblem()
        {
            var elf = PvKernelElfBuilder.Default().SetStringNote(ElfNoteType.Features, "!supervisor_mode_kernel");
            KernelImage image = Inspect(elf);
            Assert.Contains("requires a feature this hypervisor does not offer (XENFEAT bit 3)", Describe(image.Problem, image.ProblemValue));
        }
    }
}
