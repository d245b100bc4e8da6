using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>Selector rules for a 64-bit PV guest, which runs in ring 3.</summary>
    public static class GuestSelectors
    {
        /// <summary>A code selector a guest names for its handlers: one asking for ring 0 gets the
        /// flat kernel selector instead (the guest kernel cannot run in ring 0).</summary>
        public static ushort FixCodeSelector(ushort selector) => (selector & 3) == 0 ? FlatSelector.KernelCs : selector;
    }
}
