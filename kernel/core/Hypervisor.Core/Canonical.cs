namespace Hypervisor.Core
{
    /// <summary>48-bit canonical addresses: bits 63..47 all equal.</summary>
    public static class Canonical
    {
        public static bool IsCanonical(ulong address) => (ulong)(((long)address << 16) >> 16) == address;
    }
}
