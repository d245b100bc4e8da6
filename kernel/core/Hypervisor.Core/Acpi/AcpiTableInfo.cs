namespace Hypervisor.Core.Acpi
{
    /// <summary>One checksum-verified table listed by the RSDT/XSDT, for the boot log.</summary>
    public struct AcpiTableInfo
    {
        public uint Signature;
        public ulong Address;
        public uint Length;
        public byte Revision;

        /// <summary>The 6-byte OEM id.</summary>
        public byte[] OemId;

        public AcpiTableInfo(uint signature, ulong address, uint length, byte revision, byte[] oemId)
        {
            Signature = signature;
            Address = address;
            Length = length;
            Revision = revision;
            OemId = oemId;
        }
    }
}
