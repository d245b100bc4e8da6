using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Boot
{
    /// <summary>
    /// Reads the multiboot (version 1) information structure: the path taken by <c>qemu -kernel</c>.
    /// Layout from the Multiboot 0.6.96 specification: flags at 0, mem_lower/mem_upper at 4/8 (flag
    /// bit 0), cmdline at 16 (bit 2), mods_count/mods_addr at 20/24 (bit 3), mmap_length/mmap_addr at
    /// 44/48 (bit 6), boot_loader_name at 64 (bit 9). Every pointer is checked with
    /// <see cref="PhysicalMemory.IsReadable"/>; problems become warnings, and only a bad magic, an
    /// unreadable structure or the lack of any memory information fail.
    /// </summary>
    public static class Multiboot1Parser
    {
        public const uint Magic = 0x2BADB002;

        /// <summary>Size of the information structure up to and including the framebuffer fields.</summary>
        public const uint InfoSize = 116;

        public const int MaxStringLength = 4096;
        public const uint MaxModules = 256;

        public const uint FlagMemory = 1u << 0;
        public const uint FlagCommandLine = 1u << 2;
        public const uint FlagModules = 1u << 3;
        public const uint FlagMemoryMap = 1u << 6;
        public const uint FlagLoaderName = 1u << 9;

        public const string BadMagicReason = "Multiboot1: bad magic in EAX";
        public const string UnreadableReason = "Multiboot1: the information structure is not readable at";
        public const string NoMemoryReason = "Multiboot1: no memory map and no mem_lower/mem_upper";
        public const string TruncatedInfoMessage = "Multiboot1: information structure truncated, field ignored at offset";
        public const string CommandLineUnreadableMessage = "Multiboot1: command line not readable or not terminated at";
        public const string LoaderNameUnreadableMessage = "Multiboot1: boot loader name not readable or not terminated at";
        public const string TooManyModulesMessage = "Multiboot1: too many modules, keeping the first";
        public const string ModulesUnreadableMessage = "Multiboot1: module list not readable at";
        public const string ModuleStringUnreadableMessage = "Multiboot1: module string not readable or not terminated at";
        public const string ModuleBackwardsMessage = "Multiboot1: module ends before it starts, start and end";
        public const string MemoryMapUnreadableMessage = "Multiboot1: memory map not readable at";
        public const string MemoryMapEntryTooSmallMessage = "Multiboot1: memory map entry too small, map cut at";
        public const string MemoryMapTruncatedMessage = "Multiboot1: memory map entry runs past mmap_length, map cut at";
        public const string BasicMemoryFallbackMessage = "Multiboot1: no memory map, using mem_lower/mem_upper";

        // size (u32, not counting itself) + base (u64) + length (u64) + type (u32).
        private const uint MemoryMapEntryMinimum = 20;
        private const uint ModuleEntrySize = 16;

        public static BootParseResult Parse(PhysicalMemory memory, uint magic, ulong infoAddress)
        {
            BootWarningList warnings = new BootWarningList();
            BootInfo info = new BootInfo(BootProtocol.Multiboot1, infoAddress);
            info.InfoLength = InfoSize;
            BootParseResult result = new BootParseResult(info, warnings);

            if (magic != Magic)
            {
                return result.Fail(BadMagicReason, magic);
            }

            if (!memory.IsReadable(infoAddress, 4))
            {
                return result.Fail(UnreadableReason, infoAddress);
            }

            uint flags = memory.Read32(infoAddress);
            uint value;

            if ((flags & FlagMemory) != 0 && TryReadField(memory, infoAddress, 4, warnings, out value))
            {
                uint upper;
                if (TryReadField(memory, infoAddress, 8, warnings, out upper))
                {
                    info.HasBasicMemory = true;
                    info.MemoryLowerKiB = value;
                    info.MemoryUpperKiB = upper;
                }
            }

            if ((flags & FlagCommandLine) != 0 && TryReadField(memory, infoAddress, 16, warnings, out value))
            {
                bool terminated;
                info.CommandLine = NulTerminatedString.Read(memory, value, MaxStringLength, out terminated);
                if (!terminated)
                {
                    warnings.Add(CommandLineUnreadableMessage, value);
                }
            }

            if ((flags & FlagLoaderName) != 0 && TryReadField(memory, infoAddress, 64, warnings, out value))
            {
                bool terminated;
                byte[] name = NulTerminatedString.Read(memory, value, MaxStringLength, out terminated);
                if (terminated)
                {
                    info.LoaderName = name;
                }
                else
                {
                    warnings.Add(LoaderNameUnreadableMessage, value);
                }
            }

            if ((flags & FlagModules) != 0)
            {
                uint count;
                uint address;
                if (TryReadField(memory, infoAddress, 20, warnings, out count)
                    && TryReadField(memory, infoAddress, 24, warnings, out address))
                {
                    ReadModules(memory, info, warnings, count, address);
                }
            }

            if ((flags & FlagMemoryMap) != 0)
            {
                uint length;
                uint address;
                if (TryReadField(memory, infoAddress, 44, warnings, out length)
                    && TryReadField(memory, infoAddress, 48, warnings, out address))
                {
                    ReadMemoryMap(memory, info, warnings, length, address);
                }
            }

            if (!info.UseBasicMemoryIfNoMap(warnings, BasicMemoryFallbackMessage))
            {
                return result.Fail(NoMemoryReason, flags);
            }

            info.Seal();
            return result;
        }

        private static bool TryReadField(PhysicalMemory memory, ulong infoAddress, uint offset, BootWarningList warnings, out uint value)
        {
            if (!memory.IsReadable(infoAddress + offset, 4))
            {
                warnings.AddDecimal(TruncatedInfoMessage, offset);
                value = 0;
                return false;
            }

            value = memory.Read32(infoAddress + offset);
            return true;
        }

        private static void ReadModules(PhysicalMemory memory, BootInfo info, BootWarningList warnings, uint count, uint address)
        {
            if (count > MaxModules)
            {
                warnings.AddDecimal(TooManyModulesMessage, MaxModules);
                count = MaxModules;
            }

            if (!memory.IsReadable(address, (ulong)count * ModuleEntrySize))
            {
                warnings.Add(ModulesUnreadableMessage, address);
                return;
            }

            for (uint i = 0; i < count; i++)
            {
                ulong entry = (ulong)address + i * ModuleEntrySize;
                uint start = memory.Read32(entry);
                uint end = memory.Read32(entry + 4);
                uint text = memory.Read32(entry + 8);
                if (end < start)
                {
                    warnings.Add(ModuleBackwardsMessage, start, end);
                }

                byte[] commandLine = null;
                if (text != 0)
                {
                    bool terminated;
                    commandLine = NulTerminatedString.Read(memory, text, MaxStringLength, out terminated);
                    if (!terminated)
                    {
                        warnings.Add(ModuleStringUnreadableMessage, text);
                    }
                }

                info.AddModule(start, end, commandLine);
            }
        }

        private static void ReadMemoryMap(PhysicalMemory memory, BootInfo info, BootWarningList warnings, uint length, uint address)
        {
            ulong end = (ulong)address + length;
            if (!memory.IsReadable(address, length))
            {
                warnings.Add(MemoryMapUnreadableMessage, address);
                return;
            }

            // Each entry is preceded by its size, which does not count the size field itself.
            ulong entry = address;
            while (end - entry >= 4)
            {
                uint size = memory.Read32(entry);
                if (size < MemoryMapEntryMinimum)
                {
                    warnings.Add(MemoryMapEntryTooSmallMessage, entry);
                    return;
                }

                if ((ulong)size + 4 > end - entry)
                {
                    warnings.Add(MemoryMapTruncatedMessage, entry);
                    return;
                }

                info.AddRegion(memory.Read64(entry + 4), memory.Read64(entry + 12), memory.Read32(entry + 20));
                entry += (ulong)size + 4;
            }
        }
    }
}
