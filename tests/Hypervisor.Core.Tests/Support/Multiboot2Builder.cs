using System;
using System.Collections.Generic;
using System.Text;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>Builds a multiboot2 information block tag by tag, then places it in a
    /// <see cref="FakeMemory"/> at <see cref="InfoAddress"/>.</summary>
    public sealed class Multiboot2Builder
    {
        public const ulong InfoAddress = 0x20000;

        private readonly List<byte> bytes = new List<byte>();
        private bool ended;

        public Multiboot2Builder()
        {
            Add32(0); // total_size, patched in Build
            Add32(0); // reserved
        }

        /// <summary>Offset the next tag will start at.</summary>
        public int NextTagOffset => bytes.Count;

        public Multiboot2Builder Tag(uint type, byte[] payload, uint? sizeOverride = null)
        {
            Add32(type);
            Add32(sizeOverride ?? (uint)(8 + payload.Length));
            bytes.AddRange(payload);
            while (bytes.Count % 8 != 0)
            {
                bytes.Add(0);
            }

            return this;
        }

        public Multiboot2Builder CommandLine(string text) => Tag(1, CString(text));

        public Multiboot2Builder LoaderName(string text) => Tag(2, CString(text));

        public Multiboot2Builder Module(uint start, uint end, string text)
        {
            var payload = new List<byte>();
            payload.AddRange(BitConverter.GetBytes(start));
            payload.AddRange(BitConverter.GetBytes(end));
            payload.AddRange(CString(text));
            return Tag(3, payload.ToArray());
        }

        public Multiboot2Builder BasicMemory(uint lowerKiB, uint upperKiB)
        {
            var payload = new List<byte>();
            payload.AddRange(BitConverter.GetBytes(lowerKiB));
            payload.AddRange(BitConverter.GetBytes(upperKiB));
            return Tag(4, payload.ToArray());
        }

        public Multiboot2Builder MemoryMap(params (ulong Base, ulong Length, uint Type)[] entries) => MemoryMapWithEntrySize(24, entries);

        public Multiboot2Builder MemoryMapWithEntrySize(uint entrySize, params (ulong Base, ulong Length, uint Type)[] entries)
        {
            var payload = new List<byte>();
            payload.AddRange(BitConverter.GetBytes(entrySize));
            payload.AddRange(BitConverter.GetBytes(0u)); // entry_version
            foreach (var e in entries)
            {
                var entry = new byte[Math.Max(entrySize, 24)];
                BitConverter.GetBytes(e.Base).CopyTo(entry, 0);
                BitConverter.GetBytes(e.Length).CopyTo(entry, 8);
                BitConverter.GetBytes(e.Type).CopyTo(entry, 16);
                payload.AddRange(entry.AsSpan(0, (int)entrySize).ToArray());
            }

            return Tag(6, payload.ToArray());
        }

        public Multiboot2Builder Framebuffer() => Tag(8, new byte[24]);

        public Multiboot2Builder OldRsdp(byte[] rsdp) => Tag(14, rsdp);

        public Multiboot2Builder NewRsdp(byte[] rsdp) => Tag(15, rsdp);

        public Multiboot2Builder End()
        {
            ended = true;
            return Tag(0, Array.Empty<byte>());
        }

        /// <summary>The block's bytes, total_size set to the real size unless overridden.</summary>
        public byte[] ToArray(uint? totalSizeOverride = null)
        {
            var result = bytes.ToArray();
            BitConverter.GetBytes(totalSizeOverride ?? (uint)result.Length).CopyTo(result, 0);
            return result;
        }

        /// <summary>Places the block (mapped exactly, or with <paramref name="mappedSize"/> bytes mapped)
        /// in memory and returns its address.</summary>
        public ulong PlaceIn(FakeMemory memory, uint? totalSizeOverride = null, int? mappedSize = null)
        {
            var block = ToArray(totalSizeOverride);
            int size = mappedSize ?? Math.Max(block.Length, 8);
            memory.Map(InfoAddress, size);
            var visible = block.AsSpan(0, Math.Min(block.Length, size)).ToArray();
            memory.WriteBytes(InfoAddress, visible);
            return InfoAddress;
        }

        public bool HasEnd => ended;

        private void Add32(uint value) => bytes.AddRange(BitConverter.GetBytes(value));

        private static byte[] CString(string text)
        {
            var b = new byte[text.Length + 1];
            Encoding.ASCII.GetBytes(text).CopyTo(b, 0);
            return b;
        }
    }
}
