namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// How many frames each domain owns, and the range of frame numbers they lie in, kept by
    /// <see cref="FrameTable.Assign"/> and <see cref="FrameTable.Release"/> (the only ways a domain gains
    /// or loses a frame). A dying domain's frames are then found by looking at that range only, and only
    /// until all of them have been seen, rather than at every frame of the machine.
    /// </summary>
    public sealed partial class FrameTable
    {
        // Indexed by domain id; the range only grows while the domain owns frames, and starts again with
        // its next frame once it owns none.
        private readonly ulong[] ownedCounts = new ulong[Domains.DomainList.Capacity];
        private readonly ulong[] ownedFirst = new ulong[Domains.DomainList.Capacity];
        private readonly ulong[] ownedEnd = new ulong[Domains.DomainList.Capacity];

        /// <summary>Frames <paramref name="owner"/> owns now (0 for ids beyond the domain list).</summary>
        public ulong FramesOwnedBy(ushort owner)
        {
            return owner < ownedCounts.Length ? ownedCounts[owner] : 0;
        }

        /// <summary>Frame numbers [<paramref name="first"/>, <paramref name="end"/>) hold every frame
        /// <paramref name="owner"/> owns (and maybe others); false, and an empty range, when it owns none.</summary>
        public bool OwnedRange(ushort owner, out ulong first, out ulong end)
        {
            if (FramesOwnedBy(owner) == 0)
            {
                first = 0;
                end = 0;
                return false;
            }

            first = ownedFirst[owner];
            end = ownedEnd[owner];
            return true;
        }

        private void CountOwned(ulong mfn, ushort owner)
        {
            if (owner >= ownedCounts.Length)
            {
                return;
            }

            if (ownedCounts[owner] == 0)
            {
                ownedFirst[owner] = mfn;
                ownedEnd[owner] = mfn + 1;
            }
            else if (mfn < ownedFirst[owner])
            {
                ownedFirst[owner] = mfn;
            }
            else if (mfn >= ownedEnd[owner])
            {
                ownedEnd[owner] = mfn + 1;
            }

            ownedCounts[owner]++;
        }

        private void CountReleased(ushort owner)
        {
            if (owner < ownedCounts.Length)
            {
                ownedCounts[owner]--;
            }
        }
    }
}
