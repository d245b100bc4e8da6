using System;
using System.Collections.Generic;
using System.Text;
using Hypervisor.Abi;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>
    /// Builds, in a byte array, a small x86-64 ELF64 executable shaped like a Xen PV kernel: an ELF
    /// header, a program header table (PT_LOAD segments, then one PT_NOTE segment with the Xen notes),
    /// the notes, then each segment's file bytes at a 4 KiB-aligned file offset.
    /// <para>
    /// <see cref="Default"/> is a valid kernel at <see cref="VirtBase"/> (PADDR_OFFSET 0, so a segment's
    /// virtual address is VirtBase + its physical address): a text segment of
    /// <see cref="TextPages"/> pages (page 0 code with a recognisable pattern, page 1 the hypercall page,
    /// left zero in the file, page 2 more pattern), and a data segment at <see cref="DataAddress"/> with
    /// one page of file bytes and <see cref="BssBytes"/> of .bss. Every field and note can be removed,
    /// replaced or corrupted through the public members, so each refusal of the inspector can be built.
    /// </para>
    /// </summary>
    public sealed class PvKernelElfBuilder
    {
        public const ulong VirtBase = 0xFFFF_FFFF_8000_0000UL;
        public const ulong Entry = VirtBase;
        public const ulong HypercallPageAddress = VirtBase + 0x1000;
        public const int TextPages = 3;
        public const ulong DataAddress = VirtBase + 0x4000;
        public const int DataFileBytes = 0x1000;
        public const ulong BssBytes = 0x2000;
        /// <summary>End of the default kernel's virtual range (end of .bss).</summary>
        public const ulong KernelEnd = DataAddress + DataFileBytes + BssBytes;

        public const uint PtLoad = 1;
        public const uint PtNote = 4;
        public const int ElfHeaderSize = 64;
        public const int ProgramHeaderSize = 56;

        /// <summary>One program header and the bytes it stands for in the file.</summary>
        public sealed class Segment
        {
            public uint Type = PtLoad;
            public uint Flags = 7;
            public ulong VirtualAddress;
            public ulong PhysicalAddress;
            public byte[] Bytes = Array.Empty<byte>();
            public ulong MemorySize;
            /// <summary>Overrides for the header fields (null: the real offset / Bytes.Length).</summary>
            public ulong? FileOffsetOverride;
            public ulong? FileSizeOverride;

            /// <summary>Where <see cref="Build"/> put <see cref="Bytes"/> in the file.</summary>
            public ulong FileOffset { get; internal set; }
        }

        /// <summary>One ELF note of the PT_NOTE segment.</summary>
        public sealed class Note
        {
            public string Name = ElfNoteType.OwnerName;
            public uint Type;
            public byte[] Descriptor = Array.Empty<byte>();
            /// <summary>Header overrides (null: the real sizes; the name's size includes its NUL).</summary>
            public uint? NameSizeOverride;
            public uint? DescriptorSizeOverride;
        }

        public readonly List<Segment> Segments = new List<Segment>();
        public readonly List<Note> Notes = new List<Note>();

        // ELF header fields.
        public byte Class = 2;              // ELFCLASS64
        public byte DataEncoding = 1;       // ELFDATA2LSB
        public ushort ElfType = 2;          // ET_EXEC
        public ushort Machine = 62;         // EM_X86_64
        public ulong ElfEntry = Entry;
        public ushort? ProgramHeaderSizeOverride;
        public ushort? ProgramHeaderCountOverride;
        public ulong? ProgramHeaderOffsetOverride;
        /// <summary>Emit the PT_NOTE program header (false: the notes are not in the file at all).</summary>
        public bool IncludeNoteSegment = true;
        /// <summary>Overrides for the PT_NOTE header's file offset and size.</summary>
        public ulong? NoteSegmentOffsetOverride;
        public ulong? NoteSegmentSizeOverride;
        /// <summary>Cut the file to this many bytes after building (truncated files).</summary>
        public int? TruncateTo;

        /// <summary>A valid PV kernel with every Xen note a generic loader expects.</summary>
        public static PvKernelElfBuilder Default()
        {
            var b = new PvKernelElfBuilder();
            byte[] text = Pattern(TextPages * 0x1000, 0x11);
            Array.Clear(text, 0x1000, 0x1000);                    // the hypercall page, filled by the builder
            b.Segments.Add(new Segment
            {
                VirtualAddress = VirtBase,
                PhysicalAddress = 0,
                Bytes = text,
                MemorySize = (ulong)text.Length,
                Flags = 5,
            });
            b.Segments.Add(new Segment
            {
                VirtualAddress = DataAddress,
                PhysicalAddress = DataAddress - VirtBase,
                Bytes = Pattern(DataFileBytes, 0x5D),
                MemorySize = DataFileBytes + BssBytes,
                Flags = 6,
            });
            b.SetStringNote(ElfNoteType.GuestOs, "TestOS");
            b.SetStringNote(ElfNoteType.GuestVersion, "1.2");
            b.SetStringNote(ElfNoteType.XenVersion, ElfNoteStrings.XenVersion3);
            b.SetStringNote(ElfNoteType.Loader, ElfNoteStrings.LoaderGeneric);
            b.SetNumericNote(ElfNoteType.VirtBase, VirtBase);
            b.SetNumericNote(ElfNoteType.PaddrOffset, 0);
            b.SetNumericNote(ElfNoteType.Entry, Entry);
            b.SetNumericNote(ElfNoteType.HypercallPage, HypercallPageAddress);
            b.SetStringNote(ElfNoteType.Features, "writable_descriptor_tables|pae_pgdir_above_4gb|dom0");
            return b;
        }

        /// <summary>Bytes that are never all zero and differ from page to page: byte i is
        /// (seed + i * 7 + i / 4096) mod 256, with 0 replaced by 1.</summary>
        public static byte[] Pattern(int length, byte seed)
        {
            var bytes = new byte[length];
            for (int i = 0; i < length; i++)
            {
                byte v = (byte)(seed + i * 7 + i / 4096);
                bytes[i] = v == 0 ? (byte)1 : v;
            }

            return bytes;
        }

        // ---- Notes ----

        public Note FindNote(uint type) => Notes.Find(n => n.Type == type && n.Name == ElfNoteType.OwnerName);

        /// <summary>Replaces (or adds) the Xen note of <paramref name="type"/> with a numeric value of
        /// <paramref name="size"/> bytes (8 normally).</summary>
        public PvKernelElfBuilder SetNumericNote(uint type, ulong value, int size = 8)
        {
            var desc = new byte[size];
            byte[] all = BitConverter.GetBytes(value);
            Array.Copy(all, desc, Math.Min(size, 8));
            return SetNote(type, desc);
        }

        /// <summary>Replaces (or adds) the Xen note of <paramref name="type"/> with a NUL-terminated string.</summary>
        public PvKernelElfBuilder SetStringNote(uint type, string text)
        {
            var desc = new byte[text.Length + 1];
            Encoding.ASCII.GetBytes(text).CopyTo(desc, 0);
            return SetNote(type, desc);
        }

        public PvKernelElfBuilder SetNote(uint type, byte[] descriptor)
        {
            Note note = FindNote(type);
            if (note == null)
            {
                note = new Note { Type = type };
                Notes.Add(note);
            }

            note.Descriptor = descriptor;
            return this;
        }

        public PvKernelElfBuilder RemoveNote(uint type)
        {
            Notes.RemoveAll(n => n.Type == type && n.Name == ElfNoteType.OwnerName);
            return this;
        }

        /// <summary>Adds a note of another owner (e.g. "GNU"), which the inspector must skip.</summary>
        public PvKernelElfBuilder AddForeignNote(string name, uint type, byte[] descriptor)
        {
            Notes.Add(new Note { Name = name, Type = type, Descriptor = descriptor });
            return this;
        }

        // ---- Segments ----

        public Segment Text => Segments[0];

        public Segment Data => Segments[1];

        /// <summary>Adds a PT_LOAD segment at virtual <paramref name="virtualAddress"/> (physical: minus
        /// <see cref="VirtBase"/>, as with PADDR_OFFSET 0).</summary>
        public Segment AddSegment(ulong virtualAddress, byte[] bytes, ulong memorySize)
        {
            var segment = new Segment
            {
                VirtualAddress = virtualAddress,
                PhysicalAddress = virtualAddress - VirtBase,
                Bytes = bytes,
                MemorySize = memorySize,
            };
            Segments.Add(segment);
            return segment;
        }

        /// <summary>Moves every segment (virtual and physical address) by <paramref name="delta"/>.</summary>
        public PvKernelElfBuilder MoveSegments(long delta)
        {
            foreach (var s in Segments)
            {
                s.VirtualAddress = (ulong)((long)s.VirtualAddress + delta);
                s.PhysicalAddress = (ulong)((long)s.PhysicalAddress + delta);
            }

            return this;
        }

        // ---- Output ----

        /// <summary>Offset of the program header table in the built file.</summary>
        public const ulong ProgramHeaderOffset = ElfHeaderSize;

        /// <summary>File offset of the note segment after <see cref="Build"/>.</summary>
        public ulong NoteSegmentOffset { get; private set; }

        public ulong NoteSegmentSize { get; private set; }

        public byte[] Build()
        {
            int headerCount = Segments.Count + (IncludeNoteSegment ? 1 : 0);
            byte[] notes = NoteBytes();
            ulong cursor = ProgramHeaderOffset + (ulong)(headerCount * ProgramHeaderSize);
            cursor = Align(cursor, 4);
            NoteSegmentOffset = cursor;
            NoteSegmentSize = (ulong)notes.Length;
            cursor += (ulong)notes.Length;
            foreach (var s in Segments)
            {
                cursor = Align(cursor, 0x1000);
                s.FileOffset = cursor;
                cursor += (ulong)s.Bytes.Length;
            }

            var file = new byte[cursor];
            var w = new Writer(file);

            // ELF header.
            w.Bytes(0, new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', Class, DataEncoding, 1, 0 });
            w.U16(16, ElfType);
            w.U16(18, Machine);
            w.U32(20, 1);
            w.U64(24, ElfEntry);
            w.U64(32, ProgramHeaderOffsetOverride ?? ProgramHeaderOffset);
            w.U64(40, 0);
            w.U32(48, 0);
            w.U16(52, ElfHeaderSize);
            w.U16(54, ProgramHeaderSizeOverride ?? ProgramHeaderSize);
            w.U16(56, ProgramHeaderCountOverride ?? (ushort)headerCount);
            w.U16(58, 64);
            w.U16(60, 0);
            w.U16(62, 0);

            ulong ph = ProgramHeaderOffset;
            foreach (var s in Segments)
            {
                w.U32(ph, s.Type);
                w.U32(ph + 4, s.Flags);
                w.U64(ph + 8, s.FileOffsetOverride ?? s.FileOffset);
                w.U64(ph + 16, s.VirtualAddress);
                w.U64(ph + 24, s.PhysicalAddress);
                w.U64(ph + 32, s.FileSizeOverride ?? (ulong)s.Bytes.Length);
                w.U64(ph + 40, s.MemorySize);
                w.U64(ph + 48, 0x1000);
                w.Bytes(s.FileOffset, s.Bytes);
                ph += ProgramHeaderSize;
            }

            if (IncludeNoteSegment)
            {
                w.U32(ph, PtNote);
                w.U32(ph + 4, 4);
                w.U64(ph + 8, NoteSegmentOffsetOverride ?? NoteSegmentOffset);
                w.U64(ph + 16, 0);
                w.U64(ph + 24, 0);
                w.U64(ph + 32, NoteSegmentSizeOverride ?? NoteSegmentSize);
                w.U64(ph + 40, NoteSegmentSizeOverride ?? NoteSegmentSize);
                w.U64(ph + 48, 4);
            }

            w.Bytes(NoteSegmentOffset, notes);
            if (TruncateTo.HasValue && TruncateTo.Value < file.Length)
            {
                Array.Resize(ref file, TruncateTo.Value);
            }

            return file;
        }

        /// <summary>Builds the file and places it alone in a fresh <see cref="FakeMemory"/> (only its
        /// bytes are mapped, so any read outside the module throws).</summary>
        public (FakeMemory Memory, ulong Address, ulong Length) PlaceAlone(ulong address = 0x40_0000)
        {
            byte[] file = Build();
            var memory = new FakeMemory();
            if (file.Length > 0)
            {
                memory.Map(address, file.Length);
                memory.WriteBytes(address, file);
            }

            return (memory, address, (ulong)file.Length);
        }

        private byte[] NoteBytes()
        {
            var bytes = new List<byte>();
            foreach (var n in Notes)
            {
                byte[] name = Encoding.ASCII.GetBytes(n.Name + "\0");
                bytes.AddRange(BitConverter.GetBytes(n.NameSizeOverride ?? (uint)name.Length));
                bytes.AddRange(BitConverter.GetBytes(n.DescriptorSizeOverride ?? (uint)n.Descriptor.Length));
                bytes.AddRange(BitConverter.GetBytes(n.Type));
                bytes.AddRange(name);
                Pad4(bytes);
                bytes.AddRange(n.Descriptor);
                Pad4(bytes);
            }

            return bytes.ToArray();
        }

        private static void Pad4(List<byte> bytes)
        {
            while (bytes.Count % 4 != 0)
            {
                bytes.Add(0);
            }
        }

        private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

        private readonly struct Writer
        {
            private readonly byte[] file;

            public Writer(byte[] file) => this.file = file;

            public void U16(ulong at, ushort v) => BitConverter.GetBytes(v).CopyTo(file, (int)at);

            public void U32(ulong at, uint v) => BitConverter.GetBytes(v).CopyTo(file, (int)at);

            public void U64(ulong at, ulong v) => BitConverter.GetBytes(v).CopyTo(file, (int)at);

            public void Bytes(ulong at, byte[] bytes) => bytes.CopyTo(file, (int)at);
        }
    }
}
