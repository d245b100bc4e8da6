using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Acpi
{
    /// <summary>ACPI's checksum rule: all bytes of a structure, checksum byte included, sum to 0 mod 256.</summary>
    public static class AcpiChecksum
    {
        /// <summary>True when [address, address + length) is readable and sums to zero.</summary>
        public static bool IsValid(PhysicalMemory memory, ulong address, ulong length)
        {
            if (!memory.IsReadable(address, length))
            {
                return false;
            }

            byte sum = 0;
            for (ulong i = 0; i < length; i++)
            {
                sum = (byte)(sum + memory.Read8(address + i));
            }

            return sum == 0;
        }
    }
}
