using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Boot
{
    /// <summary>
    /// Reads the multiboot2 information block: the path taken by GRUB from the ISO. Layout from the
    /// Multiboot2 specification: total_size (u32), reserved (u32), then tags, each starting on an
    /// 8-byte boundary with type (u32) and size (u32, header included, padding not). Tags used:
    /// 0 end, 1 command line, 2 boot loader name, 3 module, 4 basic memory, 6 memory map,
    /// 14/15 ACPI RSDP copies; others (framebuffer, ELF sections, EFI...) are skipped.
    /// A tag that is malformed or runs past total_size stops parsing there with a warning; what was
    /// read before it is kept.
    /// </summary>
    public static class Multiboot2Parser
    {
        public const uint Magic = 0x36d76289;

        public const uint TagEnd = 0;
        public const uint TagCommandLine = 1;
        public const uint TagLoaderName = 2;
        public const uint TagModule = 3;
        public const uint TagBasicMemory = 4;
        public const uint TagMemoryMap = 6;
        public const uint TagOldRsdp = 14;
        public const uint TagNewRsdp = 15;

        public const uint MaxModules = 256;

        public const string BadMagicReason = "Multiboot2: bad magic in EAX";
        public const string UnreadableReason = "Multiboot2: the information block is not readable at";
        public const string TooSmallReason = "Multiboot2: total_size is too small";
        public const string NoMemoryReason = "Multiboot2: no memory map and no basic memory information";
        public const string MisalignedMessage = "Multiboot2: information block is not 8-byte aligned at";
        public const string NoEndTagMessage = "Multiboot2: tags stop without an end tag at offset";
        public const string TagUnreadableMessage = "Multiboot2: tag not readable, parsing stopped at offset";
        public const string TagBadSizeMessage = "Multiboot2: tag with an impossible size, parsing stopped at offset";
        public const string TagOverrunMessage = "Multiboot2: tag runs past total_size, parsing stopped; tag type and offset";
        public const string TagTooSmallMessage = "Multiboot2: tag too small for its type, ignored; tag type and offset";
        public const string StringNotTerminatedMessage = "Multiboot2: string tag not NUL-terminated, kept as is; tag type";
        public const string TooManyModulesMessage = "Multiboot2: too many modules, ignoring beyond";
        public const string ModuleBackwardsMessage = "Multiboot2: module ends before it starts, start and end";
        public const string MemoryMapEntrySizeMessage = "Multiboot2: memory map entry_size too small, map ignored";
        public const string BasicMemoryFallbackMessage = "Multiboot2: no memory map, using mem_lower/mem_upper";

        private const uint TagHeaderSize = 8;
        private const uint MemoryMapEntryMinimum = 24;
        private const uint OldRsdpSize = 20;
        private const uint NewRsdpMinimum = 36;

        public static BootParseResult Parse(PhysicalMemory memory, uint magic, ulong infoAddress)
        {
            BootWarningList warnings = new BootWarningList();
            BootInfo info = new BootInfo(BootProtocol.Multiboot2, infoAddress);
            BootParseResult result = new BootParseResult(info, warnings);

            if (magic != Magic)
            {
                return result.Fail(BadMagicReason, magic);
            }

            if (!memory.IsReadable(infoAddress, 8))
            {
                return result.Fail(UnreadableReason, infoAddress);
            }

            if ((infoAddress & 7) != 0)
            {
                warnings.Add(MisalignedMessage, infoAddress);
            }

            uint totalSize = memory.Read32(infoAddress);
            info.InfoLength = totalSize;
            if (totalSize < 8)
            {
                return result.Fail(TooSmallReason, totalSize);
            }

            bool sawNewRsdp = false;
            ulong offset = 8;
            while (true)
            {
                if (offset + TagHeaderSize > totalSize)
                {
                    warnings.AddDecimal(NoEndTagMessage, offset);
                    break;
                }

                ulong tag = infoAddress + offset;
                if (!memory.IsReadable(tag, TagHeaderSize))
                {
                    warnings.AddDecimal(TagUnreadableMessage, offset);
                    break;
                }

                uint type = memory.Read32(tag);
                uint size = memory.Read32(tag + 4);
                if (size < TagHeaderSize)
                {
                    warnings.AddDecimal(TagBadSizeMessage, offset);
                    break;
                }

                if (size > totalSize - offset)
                {
                    warnings.Add(new BootWarning(TagOverrunMessage, null, 2, type, offset, WarningValueFormat.Decimal));
                    break;
                }

                if (!memory.IsReadable(tag, size))
                {
                    warnings.AddDecimal(TagUnreadableMessage, offset);
                    break;
                }

                if (type == TagEnd)
                {
                    break;
                }

                switch (type)
                {
                    case TagCommandLine:
                        info.CommandLine = ReadString(memory, tag, size, type, warnings);
                        break;
                    case TagLoaderName:
                        info.LoaderName = ReadString(memory, tag, size, type, warnings);
                        break;
                    case TagModule:
                        ReadModule(memory, info, tag, size, offset, warnings);
                        break;
                    case TagBasicMemory:
                        if (RequireSize(size, 16, type, offset, warnings))
                        {
                            info.HasBasicMemory = true;
                            info.MemoryLowerKiB = memory.Read32(tag + 8);
                            info.MemoryUpperKiB = memory.Read32(tag + 12);
                        }

                        break;
                    case TagMemoryMap:
                        ReadMemoryMap(memory, info, tag, size, offset, warnings);
                        break;
                    case TagOldRsdp:
                        // An ACPI 2.0 copy is preferred when the loader gives both.
                        if (!sawNewRsdp && RequireSize(size, TagHeaderSize + OldRsdpSize, type, offset, warnings))
                        {
                            CopyRsdp(memory, info, tag, OldRsdpSize);
                        }

                        break;
                    case TagNewRsdp:
                        if (RequireSize(size, TagHeaderSize + NewRsdpMinimum, type, offset, warnings))
                        {
                            CopyRsdp(memory, info, tag, size - TagHeaderSize);
                            sawNewRsdp = true;
                        }

                        break;
                    default:
                        break;
                }

                // Next tag on an 8-byte boundary; size <= totalSize - offset, so this cannot wrap.
                offset += ((ulong)size + 7) & ~7UL;
            }

            if (!info.UseBasicMemoryIfNoMap(warnings, BasicMemoryFallbackMessage))
            {
                return result.Fail(NoMemoryReason, 0);
            }

            info.Seal();
            return result;
        }

        private static bool RequireSize(uint size, uint minimum, uint type, ulong offset, BootWarningList warnings)
        {
            if (size < minimum)
            {
                warnings.Add(new BootWarning(TagTooSmallMessage, null, 2, type, offset, WarningValueFormat.Decimal));
                return false;
            }

            return true;
        }

        // A string tag's text fills the tag after its header; the NUL should be inside the tag.
        private static byte[] ReadString(PhysicalMemory memory, ulong tag, uint size, uint type, BootWarningList warnings)
        {
            bool terminated;
            byte[] text = NulTerminatedString.Read(memory, tag + TagHeaderSize, (int)(size - TagHeaderSize), out terminated);
            if (!terminated)
            {
                warnings.AddDecimal(StringNotTerminatedMessage, type);
            }

            return text;
        }

        private static void ReadModule(PhysicalMemory memory, BootInfo info, ulong tag, uint size, ulong offset, BootWarningList warnings)
        {
            if (!RequireSize(size, 16, TagModule, offset, warnings))
            {
                return;
            }

            if (info.ModuleCount >= MaxModules)
            {
                warnings.AddDecimal(TooManyModulesMessage, MaxModules);
                return;
            }

            uint start = memory.Read32(tag + 8);
            uint end = memory.Read32(tag + 12);
            if (end < start)
            {
                warnings.Add(ModuleBackwardsMessage, start, end);
            }

            // The string starts after mod_start and mod_end.
            info.AddModule(start, end, ReadString(memory, tag + 8, size - 8, TagModule, warnings));
        }

        private static void ReadMemoryMap(PhysicalMemory memory, BootInfo info, ulong tag, uint size, ulong offset, BootWarningList warnings)
        {
            if (!RequireSize(size, 16, TagMemoryMap, offset, warnings))
            {
                return;
            }

            uint entrySize = memory.Read32(tag + 8);
            if (entrySize < MemoryMapEntryMinimum)
            {
                warnings.AddDecimal(MemoryMapEntrySizeMessage, entrySize);
                return;
            }

            // entry_version (tag + 12) is 0 today; later versions only append fields, which
            // entry_size lets us skip.
            for (ulong entry = 16; entry + entrySize <= size; entry += entrySize)
            {
                ulong at = tag + entry;
                info.AddRegion(memory.Read64(at), memory.Read64(at + 8), memory.Read32(at + 16));
            }
        }

        private static void CopyRsdp(PhysicalMemory memory, BootInfo info, ulong tag, uint length)
        {
            byte[] copy = new byte[length];
            for (uint i = 0; i < length; i++)
            {
                copy[i] = memory.Read8(tag + TagHeaderSize + i);
            }

            info.Rsdp = copy;
            info.RsdpAddress = tag + TagHeaderSize;
        }
    }
}
