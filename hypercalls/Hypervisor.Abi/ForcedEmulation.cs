namespace Hypervisor.Abi
{
    /// <summary>The prefix that makes Xen emulate the next, normally non-trapping, instruction
    /// (arch-x86/xen.h XEN_EMULATE_PREFIX: ud2a then "xen"); only CPUID follows it in practice.</summary>
    public static class ForcedEmulation
    {
        /// <summary>Length of the prefix.</summary>
        public const int PrefixLength = 5;

        /// <summary>The prefix bytes 0f 0b 78 65 6e, read as a little-endian 40-bit number.</summary>
        public const ulong PrefixLittleEndian = 0x6e65780b0f;

        /// <summary>Bytes of CPUID (0f a2) after the prefix.</summary>
        public const ushort CpuidOpcodeLittleEndian = 0xa20f;
    }
}
