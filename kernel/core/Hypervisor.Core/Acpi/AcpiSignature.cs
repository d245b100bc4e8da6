namespace Hypervisor.Core.Acpi
{
    /// <summary>Table signatures as the little-endian u32 read from a table's first four bytes.</summary>
    public static class AcpiSignature
    {
        public const uint Fadt = 0x50434146; // "FACP"
        public const uint Madt = 0x43495041; // "APIC"
        public const uint Dsdt = 0x54445344; // "DSDT"
        public const uint Rsdt = 0x54445352; // "RSDT"
        public const uint Xsdt = 0x54445358; // "XSDT"

        /// <summary>"RSD PTR " as a little-endian u64.</summary>
        public const ulong Rsdp = 0x2052545020445352;

        /// <summary>The four signature characters as bytes, for the log.</summary>
        public static byte[] ToBytes(uint signature)
        {
            byte[] text = new byte[4];
            for (int i = 0; i < 4; i++)
            {
                text[i] = (byte)(signature >> (i * 8));
            }

            return text;
        }
    }
}
