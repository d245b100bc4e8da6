using Hypervisor.Core.Memory;

namespace Hypervisor.Arch.X86_64
{
    // The core's view of physical memory (boot information, ACPI tables), read through the
    // PhysicalWindow with plain loads.
    internal sealed unsafe class DirectMapMemory : PhysicalMemory
    {
        public override bool IsReadable(ulong address, ulong length) => PhysicalWindow.Covers(address, length);
        public override byte Read8(ulong address) => *PhysicalWindow.ToVirtual(address);
        public override ushort Read16(ulong address) => *(ushort*)PhysicalWindow.ToVirtual(address);
        public override uint Read32(ulong address) => *(uint*)PhysicalWindow.ToVirtual(address);
        public override ulong Read64(ulong address) => *(ulong*)PhysicalWindow.ToVirtual(address);
    }
}
