using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Acpi
{
    /// <summary>
    /// Finds and verifies the Root System Description Pointer: "RSD PTR ", checksum over the first 20
    /// bytes (ACPI 1.0), and for revision 2+ the length at 20 and the extended checksum over that many
    /// bytes. Without a copy from the boot loader it is searched for, as the ACPI spec says, on 16-byte
    /// boundaries in the first KiB of the EBDA (segment in the u16 at 0x40E) and in 0xE0000-0xFFFFF.
    /// </summary>
    public static class RsdpLocator
    {
        public const uint Version1Size = 20;
        public const uint Version2MinimumSize = 36;
        public const ulong EbdaPointer = 0x40E;
        public const ulong BiosAreaStart = 0xE0000;
        public const ulong BiosAreaEnd = 0x100000;

        /// <summary>True when a valid RSDP (at least the 1.0 part) is at <paramref name="address"/>.
        /// <paramref name="extendedValid"/> tells whether the 2.0 part (length, XSDT) can be trusted.</summary>
        public static bool IsValid(PhysicalMemory memory, ulong address, out bool extendedValid)
        {
            extendedValid = false;
            if (!memory.IsReadable(address, Version1Size) || memory.Read64(address) != AcpiSignature.Rsdp
                || !AcpiChecksum.IsValid(memory, address, Version1Size))
            {
                return false;
            }

            if (memory.Read8(address + 15) >= 2 && memory.IsReadable(address, Version2MinimumSize))
            {
                uint length = memory.Read32(address + 20);
                extendedValid = length >= Version2MinimumSize && AcpiChecksum.IsValid(memory, address, length);
            }

            return true;
        }

        /// <summary>Scans the EBDA's first KiB, then the BIOS area; false when nothing valid is found.</summary>
        public static bool Scan(PhysicalMemory memory, out ulong address)
        {
            if (memory.IsReadable(EbdaPointer, 2))
            {
                ulong ebda = (ulong)memory.Read16(EbdaPointer) << 4;
                if (ebda != 0 && ScanRange(memory, ebda, ebda + 1024, out address))
                {
                    return true;
                }
            }

            return ScanRange(memory, BiosAreaStart, BiosAreaEnd, out address);
        }

        private static bool ScanRange(PhysicalMemory memory, ulong start, ulong end, out ulong address)
        {
            for (ulong candidate = start; candidate + Version1Size <= end; candidate += 16)
            {
                bool extended;
                if (memory.IsReadable(candidate, 8) && memory.Read64(candidate) == AcpiSignature.Rsdp
                    && IsValid(memory, candidate, out extended))
                {
                    address = candidate;
                    return true;
                }
            }

            address = 0;
            return false;
        }
    }
}
