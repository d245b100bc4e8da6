using Hypervisor.Core.Memory;

namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>A file lying in physical memory (a boot module), read by offset. Callers check
    /// <see cref="Contains"/> before reading a structure; single reads are also bounds-checked and
    /// return zero past the end, so a miscalculation cannot read another module.</summary>
    internal struct FileView
    {
        private readonly PhysicalMemory memory;
        private readonly ulong start;

        public FileView(PhysicalMemory memory, ulong start, ulong length)
        {
            this.memory = memory;
            this.start = start;
            Length = length;
        }

        public ulong Length { get; }

        /// <summary>True when [offset, offset + size) lies inside the file (no wrap-around).</summary>
        public bool Contains(ulong offset, ulong size) => offset <= Length && size <= Length - offset;

        public byte Read8(ulong offset) => Contains(offset, 1) ? memory.Read8(start + offset) : (byte)0;
        public ushort Read16(ulong offset) => Contains(offset, 2) ? memory.Read16(start + offset) : (ushort)0;
        public uint Read32(ulong offset) => Contains(offset, 4) ? memory.Read32(start + offset) : 0;
        public ulong Read64(ulong offset) => Contains(offset, 8) ? memory.Read64(start + offset) : 0;
    }
}
