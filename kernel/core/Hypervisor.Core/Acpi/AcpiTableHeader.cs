using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Acpi
{
    /// <summary>
    /// The 36-byte header every system description table starts with: signature (4), length (u32),
    /// revision, checksum, OEM id (6), OEM table id (8), OEM revision, creator id, creator revision.
    /// </summary>
    public static class AcpiTableHeader
    {
        public const uint Size = 36;

        /// <summary>Checks that the table at <paramref name="address"/> is readable, at least a header
        /// long, and checksums to zero; returns its length either way when the header could be read.</summary>
        public static AcpiTableStatus Check(PhysicalMemory memory, ulong address, out uint length)
        {
            length = 0;
            if (address == 0 || !memory.IsReadable(address, Size))
            {
                return AcpiTableStatus.Unreadable;
            }

            length = memory.Read32(address + 4);
            if (length < Size)
            {
                return AcpiTableStatus.TooShort;
            }

            if (!memory.IsReadable(address, length))
            {
                return AcpiTableStatus.Unreadable;
            }

            return AcpiChecksum.IsValid(memory, address, length) ? AcpiTableStatus.Valid : AcpiTableStatus.BadChecksum;
        }

        public static byte[] ReadOemId(PhysicalMemory memory, ulong address)
        {
            byte[] oem = new byte[6];
            for (int i = 0; i < 6; i++)
            {
                oem[i] = memory.Read8(address + 10 + (ulong)i);
            }

            return oem;
        }
    }
}
