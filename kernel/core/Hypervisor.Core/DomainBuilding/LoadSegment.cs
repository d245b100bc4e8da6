namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>One PT_LOAD segment of a kernel image, with its address already moved into the guest's
    /// virtual space (Xen's rule: virtual = physical address + VIRT_BASE - PADDR_OFFSET).</summary>
    public struct LoadSegment
    {
        public ulong FileOffset;
        public ulong FileSize;
        public ulong VirtualStart;
        public ulong MemorySize;

        public ulong VirtualEnd => VirtualStart + MemorySize;
    }
}
