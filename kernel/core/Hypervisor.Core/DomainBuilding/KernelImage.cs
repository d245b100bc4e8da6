using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Text;

namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>
    /// What the domain builder needs to know about a PV kernel: its loadable segments moved into the
    /// guest's virtual space and the parameters of its Xen ELF notes. <see cref="Inspect"/> reads the
    /// ELF file where the boot loader left it, checking every offset against the file's length, so a
    /// damaged or hostile image is refused with a <see cref="KernelImageProblem"/> instead of being
    /// half-loaded.
    /// </summary>
    public sealed class KernelImage
    {
        private const int ElfHeaderSize = 64;
        private const int ProgramHeaderSize = 56;
        private const int MaxProgramHeaders = 64;
        private const uint ProgramLoad = 1;
        private const uint ProgramNote = 4;
        private const int MaxNoteString = 256;
        private const ulong Unset = ulong.MaxValue;

        /// <summary>The Xen features a PV kernel may require of this hypervisor (XENFEAT bit numbers):
        /// writable page tables (writes to its L1 tables are emulated, PageTableWriteEmulation; Linux
        /// requires it), page directories above 4 GiB (always true in 64-bit mode) and running as dom0.</summary>
        public const uint OfferedFeatures = (1u << XenFeature.WritablePageTables) | (1u << XenFeature.PaePgdirAbove4gb) | (1u << XenFeature.Dom0);

        public KernelImageProblem Problem;
        /// <summary>The number the problem's sentence refers to (a size, an index, an address).</summary>
        public ulong ProblemValue;

        public LoadSegment[] Segments;
        public int SegmentCount;

        /// <summary>Virtual address of the first instruction.</summary>
        public ulong Entry;
        /// <summary>XEN_ELFNOTE_VIRT_BASE: the virtual address of guest pseudo-physical address 0.</summary>
        public ulong VirtBase;
        /// <summary>Lowest and end virtual address of the loaded kernel.</summary>
        public ulong KernelStart;
        public ulong KernelEnd;
        /// <summary>XEN_ELFNOTE_HYPERCALL_PAGE, or 0 when the kernel has none.</summary>
        public ulong HypercallPage;
        /// <summary>Where the kernel wants its initial P2M list, outside the bootstrap region
        /// (INIT_P2M note; Linux asks for 0x8000000000), or 0: inside the region, after the initrd.</summary>
        public ulong P2mBase;
        /// <summary>XEN_ELFNOTE_MOD_START_PFN: the initrd is given by frame number, unmapped.</summary>
        public bool ModuleByFrameNumber;
        public uint RequiredFeatures;
        public uint SupportedFeatures;
        public byte[] GuestOs;
        public byte[] GuestVersion;
        public byte[] Loader;
        public byte[] XenVersion;

        public bool IsValid => Problem == KernelImageProblem.None;

        /// <summary>Inspects the ELF file at [address, address + length) of physical memory.</summary>
        public static KernelImage Inspect(PhysicalMemory memory, ulong address, ulong length)
        {
            var image = new KernelImage();
            image.GuestOs = new byte[0];
            image.GuestVersion = image.GuestOs;
            image.Loader = image.GuestOs;
            image.XenVersion = image.GuestOs;
            image.Segments = new LoadSegment[0];
            var file = new FileView(memory, address, length);
            if (!image.ReadHeader(file, out ulong entry, out ulong phoff, out int phnum))
                return image;

            ulong virtBase = Unset, paddrOffset = Unset, noteEntry = Unset;
            int notes = 0;
            for (int i = 0; i < phnum; i++)
            {
                ulong header = phoff + (ulong)i * ProgramHeaderSize;
                if (file.Read32(header) != ProgramNote)
                    continue;
                ulong offset = file.Read64(header + 8), size = file.Read64(header + 32);
                if (!file.Contains(offset, size))
                    return image.Fail(KernelImageProblem.BadProgramHeaders, (ulong)i);
                if (!image.ReadNotes(file, offset, size, ref notes, ref virtBase, ref paddrOffset, ref noteEntry))
                    return image;
            }
            if (notes == 0)
                return image.Fail(KernelImageProblem.NoXenNotes, 0);
            if (!AsciiBytes.StartsWith(image.Loader, "generic") && !AsciiBytes.StartsWith(image.GuestOs, "linux"))
                return image.Fail(KernelImageProblem.WrongLoader, 0);
            if (!AsciiBytes.StartsWith(image.XenVersion, "xen-3.0"))
                return image.Fail(KernelImageProblem.WrongXenVersion, 0);
            if (paddrOffset != Unset && virtBase == Unset)
                return image.Fail(KernelImageProblem.PaddrOffsetWithoutVirtBase, 0);
            if (virtBase == Unset)
                virtBase = 0;
            if (paddrOffset == Unset)
                paddrOffset = 0;
            if ((image.RequiredFeatures & ~OfferedFeatures) != 0)
                return image.Fail(KernelImageProblem.RequiredFeatureUnsupported, LowestBit(image.RequiredFeatures & ~OfferedFeatures));

            if (!image.ReadSegments(file, phoff, phnum, virtBase - paddrOffset))
                return image;
            image.VirtBase = virtBase;
            image.Entry = noteEntry != Unset ? noteEntry : entry;
            return image.CheckAddresses();
        }

        private bool ReadHeader(FileView file, out ulong entry, out ulong phoff, out int phnum)
        {
            entry = 0;
            phoff = 0;
            phnum = 0;
            if (file.Length < ElfHeaderSize)
                return FailBool(KernelImageProblem.TooSmall, file.Length);
            if (file.Read32(0) != 0x464C457F)
                return FailBool(KernelImageProblem.NotElf, 0);
            if (file.Read8(4) != 2)
                return FailBool(KernelImageProblem.Not64Bit, file.Read8(4));
            if (file.Read8(5) != 1)
                return FailBool(KernelImageProblem.NotLittleEndian, 0);
            if (file.Read16(16) != 2)
                return FailBool(KernelImageProblem.NotExecutable, file.Read16(16));
            if (file.Read16(18) != 62)
                return FailBool(KernelImageProblem.NotX86_64, file.Read16(18));
            entry = file.Read64(24);
            phoff = file.Read64(32);
            ushort entrySize = file.Read16(54);
            phnum = file.Read16(56);
            if (entrySize != ProgramHeaderSize || phnum == 0 || phnum > MaxProgramHeaders
                || !file.Contains(phoff, (ulong)phnum * ProgramHeaderSize))
                return FailBool(KernelImageProblem.BadProgramHeaders, 0);
            return true;
        }

        private bool ReadNotes(FileView file, ulong offset, ulong size, ref int notes, ref ulong virtBase, ref ulong paddrOffset, ref ulong entry)
        {
            ulong at = offset, end = offset + size;
            while (end - at >= 12)
            {
                uint nameSize = file.Read32(at), descSize = file.Read32(at + 4), type = file.Read32(at + 8);
                ulong name = at + 12;
                ulong desc = name + Align4(nameSize);
                ulong next = desc + Align4(descSize);
                if (next > end || next < at)
                    return FailBool(KernelImageProblem.BadNote, type);
                at = next;
                if (nameSize != 4 || file.Read32(name) != 0x006E6558)   // "Xen\0"
                    continue;
                notes++;
                switch (type)
                {
                    case ElfNoteType.Entry: if (!Numeric(file, desc, descSize, type, out entry)) return false; break;
                    case ElfNoteType.VirtBase: if (!Numeric(file, desc, descSize, type, out virtBase)) return false; break;
                    case ElfNoteType.PaddrOffset: if (!Numeric(file, desc, descSize, type, out paddrOffset)) return false; break;
                    case ElfNoteType.HypercallPage: if (!Numeric(file, desc, descSize, type, out HypercallPage)) return false; break;
                    case ElfNoteType.InitP2m:
                        if (!Numeric(file, desc, descSize, type, out ulong p2mBase)) return false;
                        P2mBase = p2mBase == Unset ? 0 : p2mBase;   // all ones is Xen's "unset"
                        break;
                    case ElfNoteType.ModStartPfn:
                        if (!Numeric(file, desc, descSize, type, out ulong byFrame)) return false;
                        ModuleByFrameNumber = byFrame != 0;
                        break;
                    case ElfNoteType.GuestOs: if (!Text(file, desc, descSize, type, out GuestOs)) return false; break;
                    case ElfNoteType.GuestVersion: if (!Text(file, desc, descSize, type, out GuestVersion)) return false; break;
                    case ElfNoteType.Loader: if (!Text(file, desc, descSize, type, out Loader)) return false; break;
                    case ElfNoteType.XenVersion: if (!Text(file, desc, descSize, type, out XenVersion)) return false; break;
                    case ElfNoteType.Features:
                        if (!Text(file, desc, descSize, type, out byte[] features)) return false;
                        XenFeatureString.Parse(features, ref SupportedFeatures, ref RequiredFeatures);
                        break;
                }
            }
            return true;
        }

        private bool ReadSegments(FileView file, ulong phoff, int phnum, ulong virtOffset)
        {
            var segments = new LoadSegment[phnum];
            int count = 0;
            for (int i = 0; i < phnum; i++)
            {
                ulong header = phoff + (ulong)i * ProgramHeaderSize;
                if (file.Read32(header) != ProgramLoad)
                    continue;
                LoadSegment segment;
                segment.FileOffset = file.Read64(header + 8);
                segment.VirtualStart = file.Read64(header + 24) + virtOffset;   // p_paddr moved to virtual
                segment.FileSize = file.Read64(header + 32);
                segment.MemorySize = file.Read64(header + 40);
                if (segment.MemorySize == 0)
                    continue;
                if (segment.FileSize > segment.MemorySize || !file.Contains(segment.FileOffset, segment.FileSize))
                    return FailBool(KernelImageProblem.SegmentOutsideFile, (ulong)i);
                // Both ends canonical and on the same side of the hole (no wrap-around through it).
                if (segment.VirtualEnd < segment.VirtualStart || !Canonical.IsCanonical(segment.VirtualStart)
                    || !Canonical.IsCanonical(segment.VirtualEnd - 1) || (segment.VirtualStart >> 63) != ((segment.VirtualEnd - 1) >> 63))
                    return FailBool(KernelImageProblem.NonCanonical, segment.VirtualStart);
                for (int j = 0; j < count; j++)
                {
                    if (segment.VirtualStart < segments[j].VirtualEnd && segments[j].VirtualStart < segment.VirtualEnd)
                        return FailBool(KernelImageProblem.SegmentsOverlap, (ulong)i);
                }
                segments[count++] = segment;
            }
            if (count == 0)
                return FailBool(KernelImageProblem.NoLoadableSegment, 0);
            Segments = segments;
            SegmentCount = count;
            KernelStart = ulong.MaxValue;
            KernelEnd = 0;
            for (int i = 0; i < count; i++)
            {
                if (segments[i].VirtualStart < KernelStart) KernelStart = segments[i].VirtualStart;
                if (segments[i].VirtualEnd > KernelEnd) KernelEnd = segments[i].VirtualEnd;
            }
            return true;
        }

        private KernelImage CheckAddresses()
        {
            if (VirtBase > KernelStart)
                return Fail(KernelImageProblem.VirtBaseAboveKernel, VirtBase);
            if (Entry < KernelStart || Entry >= KernelEnd)
                return Fail(KernelImageProblem.EntryOutsideKernel, Entry);
            if (KernelStart < AddressSpaceLayout.HypervisorVirtEnd && KernelEnd > AddressSpaceLayout.HypervisorVirtStart)
                return Fail(KernelImageProblem.OverlapsHypervisor, KernelEnd - 1);
            if (HypercallPage != 0 && ((HypercallPage & 0xFFF) != 0 || HypercallPage < KernelStart || HypercallPage >= KernelEnd))
                return Fail(KernelImageProblem.HypercallPageOutsideKernel, HypercallPage);
            // Where the list ends depends on the domain's size, so the builder checks the rest.
            if (P2mBase != 0 && (!Canonical.IsCanonical(P2mBase) || (P2mBase >= KernelStart && P2mBase < KernelEnd)
                                 || (P2mBase >= AddressSpaceLayout.HypervisorVirtStart && P2mBase < AddressSpaceLayout.HypervisorVirtEnd)))
                return Fail(KernelImageProblem.P2mBaseOutOfRange, P2mBase);
            return this;
        }

        private static ulong Align4(uint value) => ((ulong)value + 3) & ~3UL;

        private static ulong LowestBit(uint bits)
        {
            ulong bit = 0;
            while ((bits & 1) == 0)
            {
                bits >>= 1;
                bit++;
            }
            return bit;
        }

        private bool Numeric(FileView file, ulong desc, uint size, uint type, out ulong value)
        {
            switch (size)
            {
                case 1: value = file.Read8(desc); return true;
                case 2: value = file.Read16(desc); return true;
                case 4: value = file.Read32(desc); return true;
                case 8: value = file.Read64(desc); return true;
            }
            value = 0;
            return FailBool(KernelImageProblem.BadNote, type);
        }

        // A string ends at its NUL or, when it has none, at the descriptor's end: Linux's FEATURES note
        // has no NUL (Xen's loader reads the note's zero padding as one).
        private bool Text(FileView file, ulong desc, uint size, uint type, out byte[] text)
        {
            text = null;
            int length = 0;
            while ((ulong)length < size && length <= MaxNoteString && file.Read8(desc + (ulong)length) != 0)
                length++;
            if (length > MaxNoteString)
                return FailBool(KernelImageProblem.BadNote, type);
            text = new byte[length];
            for (int i = 0; i < length; i++)
                text[i] = file.Read8(desc + (ulong)i);
            return true;
        }

        private KernelImage Fail(KernelImageProblem problem, ulong value)
        {
            Problem = problem;
            ProblemValue = value;
            return this;
        }

        private bool FailBool(KernelImageProblem problem, ulong value)
        {
            Fail(problem, value);
            return false;
        }
    }
}
