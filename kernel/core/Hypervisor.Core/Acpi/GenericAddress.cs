namespace Hypervisor.Core.Acpi
{
    /// <summary>ACPI Generic Address Structure (12 bytes): where a register lives and how to access it.</summary>
    public struct GenericAddress
    {
        public const byte SystemMemory = 0;
        public const byte SystemIo = 1;
        public const byte PciConfiguration = 2;

        public byte SpaceId;
        public byte BitWidth;
        public byte BitOffset;

        /// <summary>0 undefined, 1 byte, 2 word, 3 dword, 4 qword.</summary>
        public byte AccessSize;

        public ulong Address;

        public GenericAddress(byte spaceId, byte bitWidth, byte bitOffset, byte accessSize, ulong address)
        {
            SpaceId = spaceId;
            BitWidth = bitWidth;
            BitOffset = bitOffset;
            AccessSize = accessSize;
            Address = address;
        }
    }
}
