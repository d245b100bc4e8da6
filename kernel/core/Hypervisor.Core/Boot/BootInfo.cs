using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Boot
{
    /// <summary>
    /// Everything start of day needs from the boot loader, copied out of its structures so they can be
    /// overwritten afterwards (except the RSDP copy inside a multiboot2 block: reserve
    /// [InfoAddress, InfoAddress + InfoLength) while ACPI still needs it).
    /// </summary>
    public sealed class BootInfo
    {
        private MemoryRegion[] regions = new MemoryRegion[8];
        private int regionCount;
        private BootModule[] modules = new BootModule[4];
        private int moduleCount;

        internal BootInfo(BootProtocol protocol, ulong infoAddress)
        {
            Protocol = protocol;
            InfoAddress = infoAddress;
            CommandLine = new byte[0];
            MemoryRegions = new MemoryRegion[0];
            Modules = new BootModule[0];
        }

        public BootProtocol Protocol { get; private set; }

        /// <summary>Physical address of the multiboot information block.</summary>
        public ulong InfoAddress { get; private set; }

        /// <summary>Size of the block at <see cref="InfoAddress"/> (multiboot1: the fixed structure;
        /// multiboot2: total_size).</summary>
        public ulong InfoLength { get; internal set; }

        /// <summary>The boot loader's name, or null when it gave none.</summary>
        public byte[] LoaderName { get; internal set; }

        /// <summary>The hypervisor's command line; empty when none.</summary>
        public byte[] CommandLine { get; internal set; }

        /// <summary>The memory map exactly as the loader gave it (see <see cref="MemoryMap.Build"/>).</summary>
        public MemoryRegion[] MemoryRegions { get; private set; }

        public BootModule[] Modules { get; private set; }

        /// <summary>True when the loader gave mem_lower / mem_upper.</summary>
        public bool HasBasicMemory { get; internal set; }

        /// <summary>KiB of conventional memory from 0.</summary>
        public uint MemoryLowerKiB { get; internal set; }

        /// <summary>KiB of memory from 1 MiB.</summary>
        public uint MemoryUpperKiB { get; internal set; }

        /// <summary>True when <see cref="MemoryRegions"/> was made up from mem_lower / mem_upper because
        /// the loader gave no memory map.</summary>
        public bool MemoryFromBasicInfo { get; internal set; }

        /// <summary>True when the loader handed us a copy of the ACPI RSDP (multiboot2 tag 14 or 15).</summary>
        public bool HasRsdp
        {
            get { return Rsdp != null; }
        }

        /// <summary>Physical address of the RSDP copy inside the information block (0 when none; then
        /// ACPI falls back to scanning BIOS memory).</summary>
        public ulong RsdpAddress { get; internal set; }

        /// <summary>The RSDP copy's bytes, or null.</summary>
        public byte[] Rsdp { get; internal set; }

        internal int RegionCount
        {
            get { return regionCount; }
        }

        internal int ModuleCount
        {
            get { return moduleCount; }
        }

        internal void AddRegion(ulong regionBase, ulong length, uint multibootType)
        {
            if (regionCount == regions.Length)
            {
                MemoryRegion[] bigger = new MemoryRegion[regions.Length * 2];
                for (int i = 0; i < regionCount; i++)
                {
                    bigger[i] = regions[i];
                }

                regions = bigger;
            }

            regions[regionCount++] = new MemoryRegion(regionBase, length, MemoryKinds.FromMultiboot(multibootType));
        }

        internal void AddModule(ulong start, ulong end, byte[] commandLine)
        {
            if (moduleCount == modules.Length)
            {
                BootModule[] bigger = new BootModule[modules.Length * 2];
                for (int i = 0; i < moduleCount; i++)
                {
                    bigger[i] = modules[i];
                }

                modules = bigger;
            }

            modules[moduleCount++] = new BootModule(start, end, commandLine == null ? new byte[0] : commandLine);
        }

        /// <summary>Falls back to the two basic ranges when no map was given: [0, lower KiB) and
        /// [1 MiB, 1 MiB + upper KiB). Returns false when there is nothing to fall back to.</summary>
        internal bool UseBasicMemoryIfNoMap(BootWarningList warnings, string message)
        {
            if (regionCount != 0)
            {
                return true;
            }

            if (!HasBasicMemory)
            {
                return false;
            }

            warnings.Add(message);
            MemoryFromBasicInfo = true;
            if (MemoryLowerKiB != 0)
            {
                AddRegion(0, (ulong)MemoryLowerKiB << 10, 1);
            }

            if (MemoryUpperKiB != 0)
            {
                AddRegion(0x100000, (ulong)MemoryUpperKiB << 10, 1);
            }

            return regionCount != 0;
        }

        /// <summary>Publishes the collected regions and modules as exact-length arrays.</summary>
        internal void Seal()
        {
            MemoryRegion[] finalRegions = new MemoryRegion[regionCount];
            for (int i = 0; i < regionCount; i++)
            {
                finalRegions[i] = regions[i];
            }

            BootModule[] finalModules = new BootModule[moduleCount];
            for (int i = 0; i < moduleCount; i++)
            {
                finalModules[i] = modules[i];
            }

            MemoryRegions = finalRegions;
            Modules = finalModules;
        }
    }
}
