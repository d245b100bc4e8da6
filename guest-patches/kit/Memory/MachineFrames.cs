using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Machine frames of the guest's own memory. The domain builder maps pseudo-physical frame n at
    /// VIRT_BASE + n * 4096 (the kernel, the bootstrap region and the kit's heap all live there), and
    /// start_info's P2M list (mfn_list) gives each pseudo-physical frame's machine frame.
    /// </summary>
    public static unsafe class MachineFrames
    {
        public const ulong VirtBase = 0xFFFFFFFF80000000UL;
        public const ulong InvalidFrame = ~0UL;

        /// <summary>The machine frame of pseudo-physical frame <paramref name="pfn"/>, or <see cref="InvalidFrame"/>.</summary>
        public static ulong OfPseudoPhysical(ulong pfn)
        {
            StartInfo* start = StartOfDay.StartInfo;
            if (start == null || pfn >= start->NrPages)
                return InvalidFrame;
            return ((ulong*)start->MfnList)[pfn];
        }

        /// <summary>The pseudo-physical frame behind a kernel address of the initial mapping.</summary>
        public static ulong PseudoPhysicalOf(ulong virtualAddress) => (virtualAddress - VirtBase) >> 12;

        /// <summary>The machine frame behind a kernel address of the initial mapping (the image, the bootstrap
        /// region, the heap), or <see cref="InvalidFrame"/> for any other address.</summary>
        public static ulong Of(ulong virtualAddress)
        {
            if (virtualAddress < VirtBase || virtualAddress >= StartOfDay.Layout.RegionEnd)
                return InvalidFrame;
            return OfPseudoPhysical(PseudoPhysicalOf(virtualAddress));
        }

        public static ulong Of(void* virtualAddress) => Of((ulong)virtualAddress);

        /// <summary>The machine address of a byte of the initial mapping (for mmu_update's entry pointers).</summary>
        public static ulong MachineAddressOf(ulong virtualAddress)
        {
            ulong mfn = Of(virtualAddress);
            return mfn == InvalidFrame ? InvalidFrame : (mfn << 12) | (virtualAddress & 0xFFF);
        }
    }
}
