using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Boot
{
    /// <summary>Picks the parser from the magic the boot loader left in EAX, so the arch entry does not
    /// need to know which loader started it.</summary>
    public static class MultibootParser
    {
        public const string UnknownMagicReason = "not started by a multiboot loader: unknown magic in EAX";

        public static BootParseResult Parse(PhysicalMemory memory, uint magic, ulong infoAddress)
        {
            if (magic == Multiboot2Parser.Magic)
            {
                return Multiboot2Parser.Parse(memory, magic, infoAddress);
            }

            if (magic == Multiboot1Parser.Magic)
            {
                return Multiboot1Parser.Parse(memory, magic, infoAddress);
            }

            BootParseResult result = new BootParseResult(new BootInfo(BootProtocol.Unknown, infoAddress), new BootWarningList());
            return result.Fail(UnknownMagicReason, magic);
        }
    }
}
