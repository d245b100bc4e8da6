using Hypervisor.Abi;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The three kinds of address a hypercall must refuse to read or write (-EFAULT): nothing mapped
    /// there, not canonical at all, and the hypervisor's own range. The last is the start of the M2P,
    /// which the guest may load from itself: a hypercall still refuses it, because Xen judges a guest
    /// pointer by its range (access_ok) before any copy.
    /// </summary>
    internal static class BadAddress
    {
        /// <summary>The second page: the kit maps nothing in the lower half of its kernel tables.</summary>
        public const ulong Unmapped = 0x1000;

        /// <summary>The first address past the canonical lower half.</summary>
        public const ulong NonCanonical = 0x0000800000000000UL;

        /// <summary>The read-only M2P at 0xffff800000000000.</summary>
        public const ulong HypervisorArea = AddressSpaceLayout.MachToPhysVirtStart;

        /// <summary>A machine frame far beyond the RAM of any test machine (1 TiB).</summary>
        public const ulong FrameBeyondRam = 0xFFFFFFFUL;
    }
}
