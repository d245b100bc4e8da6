namespace Hypervisor.Core.Memory
{
    /// <summary>A range of physical memory and what it is.</summary>
    public struct MemoryRegion
    {
        public ulong Base;
        public ulong Length;
        public MemoryKind Kind;

        public MemoryRegion(ulong regionBase, ulong length, MemoryKind kind)
        {
            Base = regionBase;
            Length = length;
            Kind = kind;
        }

        /// <summary>One past the last byte. Regions in a sanitised <see cref="MemoryMap"/> never wrap;
        /// raw regions from firmware might, so check before using this on them.</summary>
        public ulong End
        {
            get { return Base + Length; }
        }
    }
}
