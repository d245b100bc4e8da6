using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Grants
{
    /// <summary>
    /// A domain's grant table (version 1 only): the shared frames of grant_entry_v1 the domain writes
    /// to offer its pages (8 bytes per entry, 512 per frame), how many mappings of each entry other
    /// domains hold (which keeps GTF_reading / GTF_writing set in the entry), and the maptrack: the
    /// mappings this domain made of others' grants. The frames belong to the domain so that it can
    /// map them writable; the hypervisor reads each entry afresh when it is used.
    /// </summary>
    public sealed class GrantTable
    {
        public const int EntriesPerFrame = 512;
        /// <summary>Xen's default limit of grant frames per domain (max_grant_frames).</summary>
        public const uint MaxFrames = 64;
        /// <summary>Mappings one domain may hold at once; one more is GNTST_no_space.</summary>
        public const int MaxMappings = 4096;
        private const ulong EntrySize = 8;

        private readonly ulong[] frames = new ulong[MaxFrames];
        private readonly ushort[][] readers = new ushort[MaxFrames][];
        private readonly ushort[][] writers = new ushort[MaxFrames][];
        private GrantMapping[] mappings = new GrantMapping[16];

        /// <summary>Frames in use; Xen starts every table with one.</summary>
        public uint FrameCount { get; private set; }

        public uint EntryCount => FrameCount * EntriesPerFrame;

        public uint Version => 1;

        /// <summary>Machine frame of grant frame <paramref name="index"/>.</summary>
        public ulong FrameAt(uint index) => frames[index];

        /// <summary>Grows the table to <paramref name="count"/> frames (at least one), each zeroed and
        /// given to <paramref name="domain"/>; false when out of memory or beyond <see cref="MaxFrames"/>.</summary>
        public bool EnsureFrames(Domain domain, uint count)
        {
            if (count == 0)
                count = 1;
            if (count > MaxFrames)
                return false;
            Host host = domain.Host;
            while (FrameCount < count)
            {
                if (!host.Frames.TryAllocate(out ulong address))
                    return false;
                ulong mfn = address >> FrameAllocator.FrameShift;
                if (host.FrameTable != null && host.FrameTable.Assign(mfn, domain.Id) != 0)
                {
                    host.Frames.Free(address);
                    return false;
                }
                host.Memory.Fill(address, FrameAllocator.FrameSize, 0);
                frames[FrameCount] = mfn;
                readers[FrameCount] = new ushort[EntriesPerFrame];
                writers[FrameCount] = new ushort[EntriesPerFrame];
                FrameCount++;
            }
            return true;
        }

        /// <summary>Machine address of entry <paramref name="reference"/> (check it is below <see cref="EntryCount"/>).</summary>
        public ulong EntryAddress(uint reference)
            => (frames[reference / EntriesPerFrame] << FrameAllocator.FrameShift) + reference % EntriesPerFrame * EntrySize;

        /// <summary>Counts a new mapping of entry <paramref name="reference"/>; sets GTF_reading, and
        /// GTF_writing for a writable one, in the entry.</summary>
        public void AddMapping(PhysicalMemory memory, uint reference, bool readOnly)
        {
            uint frame = reference / EntriesPerFrame, slot = reference % EntriesPerFrame;
            readers[frame][slot]++;
            ushort flags = GrantFlags.Reading;
            if (!readOnly)
            {
                writers[frame][slot]++;
                flags |= GrantFlags.Writing;
            }
            ulong address = EntryAddress(reference);
            memory.Write16(address, (ushort)(memory.Read16(address) | flags));
        }

        /// <summary>Forgets a mapping of entry <paramref name="reference"/>; the last one clears the flag it set.</summary>
        public void RemoveMapping(PhysicalMemory memory, uint reference, bool readOnly)
        {
            uint frame = reference / EntriesPerFrame, slot = reference % EntriesPerFrame;
            ushort clear = 0;
            if (readers[frame][slot] != 0 && --readers[frame][slot] == 0)
                clear |= GrantFlags.Reading;
            if (!readOnly && writers[frame][slot] != 0 && --writers[frame][slot] == 0)
                clear |= GrantFlags.Writing;
            if (clear == 0)
                return;
            ulong address = EntryAddress(reference);
            memory.Write16(address, (ushort)(memory.Read16(address) & ~clear));
        }

        /// <summary>How many domains' mappings of entry <paramref name="reference"/> are live.</summary>
        public uint MappingsOf(uint reference) => readers[reference / EntriesPerFrame][reference % EntriesPerFrame];

        // ---- The maptrack: mappings this domain holds ----

        /// <summary>A free grant handle, growing the maptrack as needed; -1 when <see cref="MaxMappings"/> are in use.</summary>
        public int AllocateHandle()
        {
            for (int i = 0; i < mappings.Length; i++)
            {
                if (!mappings[i].InUse)
                    return i;
            }
            if (mappings.Length >= MaxMappings)
                return -1;
            var larger = new GrantMapping[mappings.Length * 2];
            for (int i = 0; i < mappings.Length; i++)
                larger[i] = mappings[i];
            int handle = mappings.Length;
            mappings = larger;
            return handle;
        }

        public bool IsHandleInUse(uint handle) => handle < (uint)mappings.Length && mappings[(int)handle].InUse;

        /// <summary>The mapping behind a handle (check <see cref="IsHandleInUse"/> first).</summary>
        public ref GrantMapping Mapping(uint handle) => ref mappings[(int)handle];
    }
}
