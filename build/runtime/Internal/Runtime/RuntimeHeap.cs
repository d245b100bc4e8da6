using System.Runtime;
using System.Runtime.CompilerServices;

namespace Internal.Runtime
{
    // Memory for managed objects. There is no collector: objects live as long as the hypervisor,
    // so the kernel allocates at set-up time and keeps per-domain memory in frames it owns.
    // The heap is a bump pointer over regions the kernel hands in; when a region runs out the
    // kernel's refill hook is asked for another one. A lock keeps it whole when several CPUs allocate
    // (the refill hook runs under it; nothing that allocates may run in an interrupt handler).
    public static unsafe class RuntimeHeap
    {
        private static byte* s_next;
        private static byte* s_end;
        private static ulong s_allocatedBytes;
        private static delegate*<ulong, byte*> s_refill;
        private static int s_lock;

        [RuntimeImport("rt_lock"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void Lock(int* word);

        [RuntimeImport("rt_unlock"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void Unlock(int* word);

        public static ulong AllocatedBytes => s_allocatedBytes;
        public static ulong RemainingBytes => (ulong)(s_end - s_next);

        // Allocations start 8 bytes past a 16-byte boundary, so that objects (just past their 8-byte
        // header) and the elements of arrays (16 bytes further) are 16-byte aligned: the kernel lets
        // the CPU push interrupt frames straight into an array element, and those must be aligned.
        public static void AddRegion(byte* start, ulong length)
        {
            byte* aligned = (byte*)((((ulong)start + 7) & ~15UL) + 8);
            s_next = aligned;
            s_end = start + length;
            if (s_end < s_next)
                s_end = s_next;
        }

        // The hook receives the number of bytes wanted (a multiple of RefillGranule) and returns a
        // region of that size, or null. Allocate clears what it hands out, so the region need not be zeroed.
        public static void SetRefill(delegate*<ulong, byte*> refill) => s_refill = refill;

        public const ulong RefillGranule = 2 * 1024 * 1024;

        // Returns zeroed memory at 8 past a 16-byte boundary, or fails fast when memory is exhausted.
        public static byte* Allocate(ulong size)
        {
            fixed (int* word = &s_lock)
            {
                Lock(word);
                byte* result = AllocateLocked(size);
                Unlock(word);
                return result;
            }
        }

        private static byte* AllocateLocked(ulong size)
        {
            size = (size + 15) & ~15UL;
            if ((ulong)(s_end - s_next) < size)
            {
                ulong want = (size + 16 + RefillGranule - 1) & ~(RefillGranule - 1);   // room for the alignment
                byte* region = s_refill == null ? null : s_refill(want);
                if (region == null)
                    RuntimeFailure.FailFast("out of memory for managed objects");
                AddRegion(region, want);
            }
            byte* result = s_next;
            s_next += size;   // stays at 8 past a 16-byte boundary
            s_allocatedBytes += size;
            for (ulong i = 0; i < size; i += 8)
                *(ulong*)(result + i) = 0;
            return result;
        }
    }
}
