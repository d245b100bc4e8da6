using Hypervisor.Core.Memory;
using Internal.Runtime;

namespace Hypervisor.Arch.X86_64
{
    // Domains' object arenas over the runtime's (RuntimeHeap arenas): their chunks are frames of the
    // frame allocator, reached through the direct map. They go back dirty: the allocator scrubs them
    // before anyone gets them again, so nothing of a domain's tables is left for whoever gets the frames
    // next, and chunks come zeroed (the runtime zeroes each object it makes in them anyway).
    // The handle is the arena's address.
    internal sealed unsafe class RuntimeObjectArenas : ObjectArenas
    {
        private static FrameAllocator s_frames;

        public RuntimeObjectArenas(FrameAllocator frames)
        {
            s_frames = frames;
            RuntimeHeap.SetArenaHooks(&TakeChunk, &GiveChunk);
        }

        public override ulong Create(ulong reserveBytes) => (ulong)RuntimeHeap.CreateArena(reserveBytes);

        public override ulong Enter(ulong arena) => (ulong)RuntimeHeap.EnterArena((HeapArena*)arena);

        public override bool Reserve(ulong arena, ulong bytes) => RuntimeHeap.ReserveInArena((HeapArena*)arena, bytes);

        public override ulong SizeOf(ulong arena) => RuntimeHeap.ArenaBytes((HeapArena*)arena);

        public override void Release(ulong arena) => RuntimeHeap.ReleaseArena((HeapArena*)arena);

        private static byte* TakeChunk(ulong length)
        {
            if (!PhysicalWindow.UsesDirectMap)
                return null;
            if (!s_frames.TryAllocateContiguous(length / FrameAllocator.FrameSize, 1, out ulong physical))
                return null;
            if (!PhysicalWindow.Covers(physical, length))
            {
                for (ulong at = 0; at < length; at += FrameAllocator.FrameSize)
                    s_frames.Free(physical + at);
                return null;
            }
            return PhysicalWindow.ToVirtual(physical);
        }

        private static void GiveChunk(byte* chunk, ulong length)
        {
            ulong physical = (ulong)chunk - PhysicalWindow.Base;
            for (ulong at = 0; at < length; at += FrameAllocator.FrameSize)
                s_frames.Free(physical + at);
        }
    }
}
