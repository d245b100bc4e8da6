using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>Selector rules for a 64-bit PV guest, which runs in ring 3.</summary>
    public static class GuestSelectors
    {
        /// <summary>A code selector a guest names for its handlers: one asking for ring 0 gets the
        /// flat kernel selector instead (the guest kernel cannot run in ring 0).</summary>
        public static ushort FixCodeSelector(ushort selector) => (selector & 3) == 0 ? FlatSelector.KernelCs : selector;

        /// <summary>The same for a stack selector (a vCPU context's SS and kernel_ss): RPL 0 means the
        /// flat ring-3 one.</summary>
        public static ushort FixStackSelector(ushort selector) => (selector & 3) == 0 ? FlatSelector.Ring3Ss64 : selector;
    }
}
