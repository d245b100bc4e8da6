using System.Runtime;
using System.Runtime.CompilerServices;

namespace Internal.Runtime
{
    // Memory for managed objects. There is no collector. Objects that live as long as the hypervisor
    // come from the heap: a bump pointer over regions the kernel hands in; when a region runs out the
    // kernel's refill hook is asked for another one. Objects that live exactly as long as something
    // the kernel tracks (a domain) come from an arena while it is entered: chunks taken from the
    // kernel and given back all at once, so creating and destroying domains costs no memory for good.
    // A lock keeps the heap whole when several CPUs allocate (the kernel's hooks run under it and must
    // not allocate; nothing that allocates may run in an interrupt handler). Which arena is entered is
    // the business of the one CPU the kernel lets into its domains at a time.
    public static unsafe class RuntimeHeap
    {
        private static byte* s_next;
        private static byte* s_end;
        private static ulong s_allocatedBytes;
        private static delegate*<ulong, byte*> s_refill;
        private static HeapArena* s_arena;
        private static delegate*<ulong, byte*> s_takeChunk;
        private static delegate*<byte*, ulong, void> s_giveChunk;
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
            if (s_arena != null)
                return AllocateInArena(s_arena, size);
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
    
        // ---- Arenas ----

        // A chunk starts with the next (older) chunk's address and its own length; an arena's header
        // sits after the first chunk's.
        private const ulong ChunkHeader = 16;

        // Chunks are whole pages; a small arena takes one page, a bigger one what it asks for.
        public const ulong ArenaGranule = 4096;

        // The kernel's hooks: take returns `length` bytes (a multiple of ArenaGranule, page-aligned) or
        // null; give takes a chunk back. Both run with no arena entered.
        public static void SetArenaHooks(delegate*<ulong, byte*> take, delegate*<byte*, ulong, void> give)
        {
            s_takeChunk = take;
            s_giveChunk = give;
        }

        // A new arena whose first chunk has room for `reserve` bytes of objects; null when the kernel
        // has no chunk that large.
        public static HeapArena* CreateArena(ulong reserve)
        {
            ulong length = ChunkLength(reserve + (ulong)sizeof(HeapArena));
            byte* chunk = TakeChunk(length);
            if (chunk == null)
                return null;
            HeapArena* arena = (HeapArena*)(chunk + ChunkHeader);
            arena->Chunks = chunk;
            arena->Bytes = length;
            arena->Next = AlignObject(chunk + ChunkHeader + sizeof(HeapArena));
            arena->End = chunk + length;
            return arena;
        }

        // Makes `arena` (null: the heap) where `new` allocates from now on; returns the one before.
        // Class constructors always allocate from the heap (ClassConstructorRunner leaves the arena).
        public static HeapArena* EnterArena(HeapArena* arena)
        {
            HeapArena* previous = s_arena;
            s_arena = arena;
            return previous;
        }

        // True when the next allocations of `bytes` in all will fit without asking the kernel for
        // memory, taking a chunk now if needed; false (nothing changed) when the kernel has none.
        public static bool ReserveInArena(HeapArena* arena, ulong bytes)
        {
            bytes = (bytes + 15) & ~15UL;
            if ((ulong)(arena->End - arena->Next) >= bytes)
                return true;
            return AddChunk(arena, bytes);
        }

        // Bytes of chunks the arena holds.
        public static ulong ArenaBytes(HeapArena* arena) => arena->Bytes;

        // Gives every chunk of the arena back; its objects (and the arena) are gone. It must not be
        // entered.
        public static void ReleaseArena(HeapArena* arena)
        {
            if (arena == s_arena)
                RuntimeFailure.FailFast("an arena was released while objects were being allocated in it");
            byte* chunk = arena->Chunks;
            while (chunk != null)
            {
                byte* older = *(byte**)chunk;
                ulong length = *(ulong*)(chunk + 8);
                s_giveChunk(chunk, length);
                chunk = older;
            }
        }

        private static byte* AllocateInArena(HeapArena* arena, ulong size)
        {
            if ((ulong)(arena->End - arena->Next) < size && !AddChunk(arena, size))
                RuntimeFailure.FailFast("out of memory for a domain's objects");
            byte* result = arena->Next;
            arena->Next += size;
            for (ulong i = 0; i < size; i += 8)
                *(ulong*)(result + i) = 0;
            return result;
        }

        // A newer chunk with room for `bytes`; what the older one had left is not used again.
        private static bool AddChunk(HeapArena* arena, ulong bytes)
        {
            ulong length = ChunkLength(bytes);
            byte* chunk = TakeChunk(length);
            if (chunk == null)
                return false;
            *(byte**)chunk = arena->Chunks;
            arena->Chunks = chunk;
            arena->Bytes += length;
            arena->Next = AlignObject(chunk + ChunkHeader);
            arena->End = chunk + length;
            return true;
        }

        private static byte* TakeChunk(ulong length)
        {
            if (s_takeChunk == null)
                return null;
            HeapArena* entered = s_arena;
            s_arena = null;
            byte* chunk = s_takeChunk(length);
            s_arena = entered;
            if (chunk == null)
                return null;
            *(byte**)chunk = null;
            *(ulong*)(chunk + 8) = length;
            return chunk;
        }

        // Room for `bytes` after the header and the alignment, in whole granules.
        private static ulong ChunkLength(ulong bytes) => (bytes + ChunkHeader + 16 + ArenaGranule - 1) & ~(ArenaGranule - 1);

        // Objects start 8 bytes past a 16-byte boundary (see AddRegion).
        private static byte* AlignObject(byte* at) => (byte*)((((ulong)at + 7) & ~15UL) + 8);
    }

    // Where an arena's next object goes, and the chunks it holds (newest first). Lives in the arena's
    // first chunk.
    public unsafe struct HeapArena
    {
        internal byte* Next;
        internal byte* End;
        internal byte* Chunks;
        internal ulong Bytes;
    }
}
