namespace Hypervisor.Core.Memory
{
    /// <summary>What a range of physical memory is. The values are the multiboot (and E820) type
    /// numbers, so a firmware type converts with <see cref="MemoryKinds.FromMultiboot"/>.</summary>
    public enum MemoryKind
    {
        Usable = 1,
        Reserved = 2,
        AcpiReclaimable = 3,
        AcpiNvs = 4,
        BadMemory = 5,
    }

    public static class MemoryKinds
    {
        /// <summary>Multiboot/E820 type to kind; types this code does not know are treated as reserved,
        /// which is always safe.</summary>
        public static MemoryKind FromMultiboot(uint type)
        {
            if (type >= 1 && type <= 5)
            {
                return (MemoryKind)type;
            }

            return MemoryKind.Reserved;
        }

        /// <summary>Who wins when two regions overlap: anything beats usable RAM, and the kinds that
        /// must never be touched (firmware NVS, bad memory) beat plain reserved.</summary>
        public static int Priority(MemoryKind kind)
        {
            switch (kind)
            {
                case MemoryKind.Usable: return 0;
                case MemoryKind.AcpiReclaimable: return 1;
                case MemoryKind.Reserved: return 2;
                case MemoryKind.AcpiNvs: return 3;
                case MemoryKind.BadMemory: return 4;
                default: return 2;
            }
        }

        /// <summary>Short name for the boot log.</summary>
        public static string Name(MemoryKind kind)
        {
            switch (kind)
            {
                case MemoryKind.Usable: return "usable";
                case MemoryKind.Reserved: return "reserved";
                case MemoryKind.AcpiReclaimable: return "ACPI data";
                case MemoryKind.AcpiNvs: return "ACPI NVS";
                case MemoryKind.BadMemory: return "bad memory";
                default: return "reserved";
            }
        }
    }
}
