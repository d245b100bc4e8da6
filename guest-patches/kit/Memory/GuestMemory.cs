using Internal.Runtime;

namespace Hypervisor.Guest
{
    /// <summary>Raw memory from the guest's heap (the same bump heap as <c>new</c>): zeroed, never freed.</summary>
    public static unsafe class GuestMemory
    {
        public static byte* Allocate(ulong bytes) => RuntimeHeap.Allocate(bytes);

        /// <summary>Whole pages, page-aligned (for buffers the hypervisor maps or checks by page).</summary>
        public static byte* AllocatePages(ulong pages)
        {
            ulong size = pages * PageFlags.PageSize;
            byte* raw = RuntimeHeap.Allocate(size + PageFlags.PageSize - 8);
            return (byte*)(((ulong)raw + PageFlags.PageSize - 1) & ~(PageFlags.PageSize - 1));
        }
    }
}
