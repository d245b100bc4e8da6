using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>One PT_LOAD segment of a kernel image: file bytes [FileOffset, +FileSize) go to
    /// [Virtual, +FileSize), the rest up to MemorySize is zero (.bss).</summary>
    public struct ElfSegment
    {
        public ulong FileOffset;
        public ulong FileSize;
        public ulong MemorySize;
        public ulong Virtual;
    }

    /// <summary>
    /// A 64-bit x86 PV kernel image as Xen's loader (libelf) reads it: the ELF64 header, the PT_LOAD
    /// segments (placed by their physical address: virtual = p_paddr - PADDR_OFFSET + VIRT_BASE) and the
    /// Xen notes of the PT_NOTE segments (ENTRY, HYPERCALL_PAGE, VIRT_BASE, PADDR_OFFSET). A bad image is
    /// refused with <see cref="Error"/> saying why; nothing is trusted before it is checked against the
    /// image's length.
    /// </summary>
    public sealed unsafe class ElfImage
    {
        public const int MaxSegments = 16;
        public const ulong PageSize = 4096;

        private const uint PtLoad = 1;
        private const uint PtNote = 4;
        private const ushort MachineX86_64 = 62;
        private const int HeaderSize = 64;
        private const int ProgramHeaderSize = 56;

        private readonly ElfSegment[] segments = new ElfSegment[MaxSegments];

        public byte* Bytes { get; private set; }
        public ulong Length { get; private set; }

        /// <summary>Why the image was refused (null when it was accepted).</summary>
        public string Error { get; private set; }

        public int SegmentCount { get; private set; }

        /// <summary>XEN_ELFNOTE_ENTRY, or e_entry without the note.</summary>
        public ulong Entry { get; private set; }

        /// <summary>XEN_ELFNOTE_VIRT_BASE (0 without the note).</summary>
        public ulong VirtBase { get; private set; }

        /// <summary>XEN_ELFNOTE_PADDR_OFFSET (0 without the note).</summary>
        public ulong PaddrOffset { get; private set; }

        /// <summary>XEN_ELFNOTE_HYPERCALL_PAGE, when <see cref="HasHypercallPage"/>.</summary>
        public ulong HypercallPage { get; private set; }
        public bool HasHypercallPage { get; private set; }

        /// <summary>The kernel's virtual range: the lowest segment start and the highest segment end
        /// rounded up to a page.</summary>
        public ulong KernelStart { get; private set; }
        public ulong KernelEnd { get; private set; }

        public ElfSegment Segment(int index) => segments[index];

        /// <summary>Reads the image; false (with <see cref="Error"/>) when it is not a loadable x86-64 PV kernel.</summary>
        public bool Parse(byte* image, ulong length)
        {
            Bytes = image;
            Length = length;
            Error = null;
            SegmentCount = 0;
            HasHypercallPage = false;
            if (image == null || length < HeaderSize)
                return Refuse("the image is shorter than an ELF header");
            if (image[0] != 0x7F || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                return Refuse("not an ELF file (no \\x7fELF magic)");
            if (image[4] != 2)
                return Refuse("not ELF64 (EI_CLASS is not ELFCLASS64)");
            if (image[5] != 1)
                return Refuse("not little-endian (EI_DATA is not ELFDATA2LSB)");
            if (*(ushort*)(image + 18) != MachineX86_64)
                return Refuse("not an x86-64 image (e_machine is not EM_X86_64)");
            ulong phoff = *(ulong*)(image + 32);
            ushort phentsize = *(ushort*)(image + 54);
            ushort phnum = *(ushort*)(image + 56);
            if (phentsize != ProgramHeaderSize)
                return Refuse("unexpected program header size (e_phentsize is not 56)");
            if (phoff > length || (ulong)phnum * ProgramHeaderSize > length - phoff)
                return Refuse("the program headers lie beyond the image");

            ulong virtBase = 0, paddrOffset = 0, entry = *(ulong*)(image + 24), hypercallPage = 0;
            for (int i = 0; i < phnum; i++)
            {
                byte* ph = image + phoff + (ulong)i * ProgramHeaderSize;
                uint type = *(uint*)ph;
                ulong offset = *(ulong*)(ph + 8);
                ulong paddr = *(ulong*)(ph + 24);
                ulong filesz = *(ulong*)(ph + 32);
                ulong memsz = *(ulong*)(ph + 40);
                if (type != PtLoad && type != PtNote)
                    continue;
                if (offset > length || filesz > length - offset)
                    return Refuse("a segment lies beyond the image (p_offset + p_filesz > file size)");
                if (type == PtNote)
                {
                    if (!ReadNotes(image + offset, filesz, ref virtBase, ref paddrOffset, ref entry, ref hypercallPage))
                        return false;
                    continue;
                }
                if (memsz < filesz)
                    return Refuse("a PT_LOAD segment's p_memsz is below its p_filesz");
                if (memsz == 0)
                    continue;
                if (SegmentCount == MaxSegments)
                    return Refuse("more PT_LOAD segments than the builder takes (16)");
                ElfSegment segment;
                segment.FileOffset = offset;
                segment.FileSize = filesz;
                segment.MemorySize = memsz;
                segment.Virtual = paddr;      // made virtual below, once the notes are known
                segments[SegmentCount++] = segment;
            }
            if (SegmentCount == 0)
                return Refuse("no PT_LOAD segment");

            ulong start = ulong.MaxValue, end = 0;
            for (int i = 0; i < SegmentCount; i++)
            {
                ulong va = segments[i].Virtual - paddrOffset + virtBase;
                if (segments[i].Virtual < paddrOffset || va < virtBase || va + segments[i].MemorySize < va)
                    return Refuse("a PT_LOAD segment lies below VIRT_BASE (check the PADDR_OFFSET note)");
                segments[i].Virtual = va;
                if (va < start)
                    start = va;
                if (va + segments[i].MemorySize > end)
                    end = va + segments[i].MemorySize;
            }
            if ((start & (PageSize - 1)) != 0 || start != virtBase)
                return Refuse("the kernel does not start at VIRT_BASE on a page boundary");
            VirtBase = virtBase;
            PaddrOffset = paddrOffset;
            Entry = entry;
            KernelStart = start;
            KernelEnd = (end + PageSize - 1) & ~(PageSize - 1);
            if (entry < start || entry >= end)
                return Refuse("the entry point lies outside the kernel");
            if (hypercallPage != 0)
            {
                if (hypercallPage < start || hypercallPage >= KernelEnd || (hypercallPage & (PageSize - 1)) != 0)
                    return Refuse("the HYPERCALL_PAGE note names no page of the kernel");
                HypercallPage = hypercallPage;
                HasHypercallPage = true;
            }
            return true;
        }

        // Xen notes: name size, descriptor size, type, the name "Xen\0" and the descriptor, each padded to 4.
        private bool ReadNotes(byte* notes, ulong size, ref ulong virtBase, ref ulong paddrOffset, ref ulong entry, ref ulong hypercallPage)
        {
            ulong at = 0;
            while (at + 12 <= size)
            {
                uint nameSize = *(uint*)(notes + at);
                uint descSize = *(uint*)(notes + at + 4);
                uint type = *(uint*)(notes + at + 8);
                ulong name = at + 12;
                ulong desc = name + ((nameSize + 3UL) & ~3UL);
                ulong next = desc + ((descSize + 3UL) & ~3UL);
                if (next > size)
                    return Refuse("a note runs past its PT_NOTE segment");
                bool xen = nameSize == 4 && notes[name] == (byte)'X' && notes[name + 1] == (byte)'e' && notes[name + 2] == (byte)'n' && notes[name + 3] == 0;
                if (xen && (descSize == 8 || descSize == 4))
                {
                    ulong value = descSize == 8 ? *(ulong*)(notes + desc) : *(uint*)(notes + desc);
                    switch (type)
                    {
                        case ElfNoteType.Entry: entry = value; break;
                        case ElfNoteType.HypercallPage: hypercallPage = value; break;
                        case ElfNoteType.VirtBase: virtBase = value; break;
                        case ElfNoteType.PaddrOffset: paddrOffset = value; break;
                    }
                }
                at = next;
            }
            return true;
        }

        private bool Refuse(string why)
        {
            Error = why;
            return false;
        }
    }
}
