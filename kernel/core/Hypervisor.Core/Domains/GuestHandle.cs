using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// Xen's guest_handle_okay for a 64-bit PV guest: may the hypervisor later copy to or from this
    /// guest array? Only the start address is judged, as Xen does: it must lie in the lower canonical
    /// half or above the hypervisor's reserved slots, because an access that starts there runs into a
    /// non-canonical address (and fails) before it can reach the hypervisor's range. Whether the
    /// memory is mapped is only found out by the copy itself.
    /// </summary>
    public static class GuestHandle
    {
        private const ulong LowerHalfEnd = 1UL << 47;

        public static bool IsOkay(ulong address, ulong count, ulong elementSize)
        {
            if (elementSize != 0 && count >= ulong.MaxValue / elementSize)
                return false;
            return address < LowerHalfEnd || address >= AddressSpaceLayout.HypervisorVirtEnd;
        }
    }
}
