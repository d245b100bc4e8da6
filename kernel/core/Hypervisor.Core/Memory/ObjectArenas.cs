namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Arenas for the objects a domain owns (its <see cref="Domains.Domain"/>, vCPUs, event and grant
    /// tables, scheduler state). The image's runtime has no collector: objects made while an arena is
    /// entered go back to the frame allocator with it, so creating and destroying domains costs no
    /// memory for good, and a domain's objects count in the free memory the toolstack sees as Xen's
    /// do. Arenas are named by a nonzero handle; 0 is the hypervisor's own heap, which is never given
    /// back. The arch layer provides them (tests run without).
    /// </summary>
    public abstract class ObjectArenas
    {
        /// <summary>A new arena with room for <paramref name="reserveBytes"/> of objects; 0 when there is
        /// not that much memory.</summary>
        public abstract ulong Create(ulong reserveBytes);

        /// <summary>Objects are made in <paramref name="arena"/> (0: the heap) from now on; returns the
        /// arena they were made in before, to enter again afterwards.</summary>
        public abstract ulong Enter(ulong arena);

        /// <summary>True when the next <paramref name="bytes"/> of objects made in the arena will not
        /// run out of memory (memory is taken now if needed); false, with nothing changed, when there
        /// is not that much.</summary>
        public abstract bool Reserve(ulong arena, ulong bytes);

        /// <summary>Bytes of memory the arena holds.</summary>
        public abstract ulong SizeOf(ulong arena);

        /// <summary>Gives the arena's memory back (to be scrubbed before reuse); every object in it is gone. It must not
        /// be entered.</summary>
        public abstract void Release(ulong arena);
    }
}
