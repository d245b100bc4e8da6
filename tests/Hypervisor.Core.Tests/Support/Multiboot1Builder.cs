using System.Collections.Generic;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>Lays out a multiboot1 information structure, byte by byte, in a <see cref="FakeMemory"/>:
    /// the structure at <see cref="InfoAddress"/>, everything it points to after it.</summary>
    public sealed class Multiboot1Builder
    {
        public const ulong InfoAddress = 0x10000;
        public const int AreaSize = 0x10000;

        private readonly FakeMemory memory;
        private ulong next = InfoAddress + 0x200;
        private uint flags;
        private readonly List<(uint Start, uint End, string Text)> modules = new();
        private readonly List<(ulong Base, ulong Length, uint Type, uint Size)> entries = new();

        public Multiboot1Builder(FakeMemory memory = null)
        {
            this.memory = memory ?? new FakeMemory();
            this.memory.Map(InfoAddress, AreaSize);
        }

        public FakeMemory Memory => memory;

        public uint Flags => flags;

        public Multiboot1Builder BasicMemory(uint lowerKiB, uint upperKiB)
        {
            flags |= 1;
            memory.Write32(InfoAddress + 4, lowerKiB);
            memory.Write32(InfoAddress + 8, upperKiB);
            return this;
        }

        public Multiboot1Builder CommandLine(string text)
        {
            flags |= 1 << 2;
            memory.Write32(InfoAddress + 16, (uint)PlaceString(text));
            return this;
        }

        public Multiboot1Builder LoaderName(string text)
        {
            flags |= 1 << 9;
            memory.Write32(InfoAddress + 64, (uint)PlaceString(text));
            return this;
        }

        public Multiboot1Builder Module(uint start, uint end, string text)
        {
            modules.Add((start, end, text));
            return this;
        }

        /// <summary>A memory map entry; <paramref name="size"/> is the value of its size field (20 normally,
        /// 24 as GRUB writes it with padding).</summary>
        public Multiboot1Builder Region(ulong regionBase, ulong length, uint type, uint size = 20)
        {
            entries.Add((regionBase, length, type, size));
            return this;
        }

        /// <summary>Sets the memory-map flag even with no entries (an empty map).</summary>
        public Multiboot1Builder EmptyMemoryMap()
        {
            flags |= 1 << 6;
            return this;
        }

        public Multiboot1Builder SetFlags(uint value)
        {
            flags = value;
            return this;
        }

        public ulong MemoryMapAddress { get; private set; }

        public uint MemoryMapLength { get; private set; }

        public ulong ModuleListAddress { get; private set; }

        public ulong Build()
        {
            if (modules.Count > 0)
            {
                flags |= 1 << 3;
                var texts = new List<ulong>();
                foreach (var m in modules)
                {
                    texts.Add(m.Text == null ? 0 : PlaceString(m.Text));
                }

                ModuleListAddress = Align(next, 16);
                next = ModuleListAddress;
                for (int i = 0; i < modules.Count; i++)
                {
                    memory.Write32(next, modules[i].Start);
                    memory.Write32(next + 4, modules[i].End);
                    memory.Write32(next + 8, (uint)texts[i]);
                    memory.Write32(next + 12, 0);
                    next += 16;
                }

                memory.Write32(InfoAddress + 20, (uint)modules.Count);
                memory.Write32(InfoAddress + 24, (uint)ModuleListAddress);
            }

            if (entries.Count > 0 || (flags & (1 << 6)) != 0)
            {
                flags |= 1 << 6;
                MemoryMapAddress = Align(next, 8);
                next = MemoryMapAddress;
                foreach (var e in entries)
                {
                    memory.Write32(next, e.Size);
                    memory.Write64(next + 4, e.Base);
                    memory.Write64(next + 12, e.Length);
                    memory.Write32(next + 20, e.Type);
                    next += 4 + e.Size;
                }

                MemoryMapLength = (uint)(next - MemoryMapAddress);
                memory.Write32(InfoAddress + 44, MemoryMapLength);
                memory.Write32(InfoAddress + 48, (uint)MemoryMapAddress);
            }

            memory.Write32(InfoAddress, flags);
            return InfoAddress;
        }

        private ulong PlaceString(string text)
        {
            ulong at = next;
            memory.WriteString(at, text);
            next += (ulong)text.Length + 1;
            return at;
        }

        private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
    }
}
