using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Grants
{
    /// <summary>
    /// A domain's grant table (version 1 only): the shared frames of grant_entry_v1 the domain writes
    /// to offer its pages (8 bytes per entry, 512 per frame), the active record of each entry other
    /// domains use (<see cref="ActiveGrant"/>), and the maptrack: the mappings this domain made of
    /// others' grants, indexed by grant handle.
    /// The frames belong to the domain, which maps them writable; each holds a writable type for the
    /// table's life, so that it can never become a page table (the hypervisor writes GTF_reading and
    /// GTF_writing into it without validation). The hypervisor reads an entry when it pins it and
    /// trusts only its active record afterwards.
    /// </summary>
    public sealed class GrantTable
    {
        public const uint EntriesPerFrame = 512;
        /// <summary>Xen's default limit of grant frames per domain (gnttab_max_frames), and the most
        /// createdomain may ask for.</summary>
        public const uint MaxFrames = 64;
        /// <summary>Mappings one domain may hold at once unless its creator asked for fewer; one more is
        /// GNTST_no_space. (Xen's default is 1024 maptrack frames, 262,143 mappings: this hypervisor keeps
        /// each domain's maptrack small.)</summary>
        public const int MaxMappings = 4096;
        /// <summary>Xen's default limit of maptrack frames (gnttab_max_maptrack_frames), the most
        /// createdomain may ask for.</summary>
        public const int MaxMaptrackFrames = 1024;
        /// <summary>Xen's maptrack records are 16 bytes: this many to a frame (MAPTRACK_PER_PAGE).</summary>
        public const int MappingsPerMaptrackFrame = 256;

        // What an ActiveGrant and a GrantMapping take at most (arrays of them grow in the domain's arena).
        private const ulong ActiveGrantBytes = 16;
        private const ulong MappingBytes = 32;
        private const ulong EntrySize = 8;
        private const ushort TypeMask = GrantFlags.TypeMask;
        /// <summary>How often the flags of an entry the guest keeps changing are tried (Xen: 4).</summary>
        private const int MaxFlagAttempts = 4;

        private readonly ulong[] frames = new ulong[MaxFrames];
        private readonly ActiveGrant[][] active = new ActiveGrant[MaxFrames][];
        private GrantMapping[] mappings = new GrantMapping[16];
        private int nextHandle;

        /// <summary>Frames in use; Xen starts every table with one (<see cref="EnsureFrames"/> makes it on first use).</summary>
        public uint FrameCount { get; private set; }

        /// <summary>The most frames this table may grow to (createdomain's max_grant_frames), which
        /// query_size reports.</summary>
        public uint MaxFrameCount { get; private set; } = MaxFrames;

        /// <summary>The most mappings the domain may hold at once (from createdomain's max_maptrack_frames).</summary>
        public int MaxHandles { get; private set; } = MaxMappings;

        /// <summary>
        /// The limits createdomain asked for: <paramref name="maxFrames"/> grant frames, and
        /// <paramref name="maptrackFrames"/> maptrack frames' worth of mappings, less one: Xen's free list of
        /// handles always keeps its last entry as its tail, so a domain with one vCPU gets one fewer than
        /// the frames hold (none with no frame). Never more than <see cref="MaxMappings"/>.
        /// </summary>
        public void SetLimits(uint maxFrames, int maptrackFrames)
        {
            MaxFrameCount = maxFrames;
            long handles = (long)maptrackFrames * MappingsPerMaptrackFrame - 1;
            MaxHandles = handles < 0 ? 0 : handles > MaxMappings ? MaxMappings : (int)handles;
        }

        public uint EntryCount => FrameCount * EntriesPerFrame;

        /// <summary>Version 1 only: set_version(2) is refused (the intended divergence from Xen, which offers v2).</summary>
        public uint Version => 1;

        /// <summary>Machine frame of grant frame <paramref name="index"/>.</summary>
        public ulong FrameAt(uint index) => frames[index];

        /// <summary>Grows the table to <paramref name="count"/> frames (at least one), each zeroed, given to
        /// <paramref name="domain"/> with a permanent writable type, and marked invalid in the M2P (they are
        /// in no P2M); false when out of memory or beyond <see cref="MaxFrameCount"/>.</summary>
        public bool EnsureFrames(Domain domain, uint count)
        {
            if (count == 0)
                count = 1;
            if (count > MaxFrameCount)
                return false;
            Host host = domain.Host;
            while (FrameCount < count)
            {
                if (!DomainObjects.Reserve(domain, EntriesPerFrame * ActiveGrantBytes + 64))
                    return false;
                if (!host.Frames.TryAllocate(out ulong address))
                    return false;
                ulong mfn = address >> FrameAllocator.FrameShift;
                FrameTable table = host.FrameTable;
                if (table != null)
                {
                    if (table.Assign(mfn, domain.Id) != 0)
                    {
                        host.Frames.Free(address);
                        return false;
                    }
                    if (table.GetPageAndType(mfn, PageType.Writable, domain.Id) != 0)
                    {
                        table.Release(mfn);
                        host.Frames.Free(address);
                        return false;
                    }
                }
                if (host.MachineToPhys != null)
                    host.MachineToPhys.Set(mfn, MachineToPhys.Invalid);
                frames[FrameCount] = mfn;
                ulong previous = DomainObjects.Enter(domain);
                active[FrameCount] = new ActiveGrant[EntriesPerFrame];
                DomainObjects.Leave(domain, previous);
                FrameCount++;
            }
            return true;
        }

        /// <summary>A dying domain: the table lets go of its frames (its own type and general holds). They
        /// stay the domain's, and go back with its other frames, at once or when the last domain that
        /// maps one unmaps it.</summary>
        public void DropFrames(Domain domain)
        {
            FrameTable table = domain.Host.FrameTable;
            for (uint i = 0; i < FrameCount; i++)
            {
                if (table != null)
                    table.PutPageAndType(frames[i]);
                frames[i] = 0;
                active[i] = null;
            }
            FrameCount = 0;
        }

        /// <summary>Gives the table's frames back (a dying domain, once nothing maps them): false, and the
        /// table unchanged, while any frame is still referenced beyond the table's own hold.</summary>
        public bool ReleaseFrames(Domain domain)
        {
            Host host = domain.Host;
            FrameTable table = host.FrameTable;
            for (uint i = 0; i < FrameCount; i++)
            {
                if (table != null && (table.ReferencesOf(frames[i]) != 1 || table.TypeCountOf(frames[i]) != 1))
                    return false;
            }
            for (uint i = 0; i < FrameCount; i++)
            {
                if (table != null)
                {
                    table.PutPageAndType(frames[i]);
                    table.Release(frames[i]);
                }
                host.Frames.Free(frames[i] << FrameAllocator.FrameShift);
                frames[i] = 0;
                active[i] = null;
            }
            FrameCount = 0;
            return true;
        }

        /// <summary>Machine address of entry <paramref name="reference"/> (check it is below <see cref="EntryCount"/>).</summary>
        public ulong EntryAddress(uint reference)
            => (frames[reference / EntriesPerFrame] << FrameAllocator.FrameShift) + reference % EntriesPerFrame * EntrySize;

        /// <summary>The active record of entry <paramref name="reference"/> (below <see cref="EntryCount"/>).</summary>
        public ref ActiveGrant Active(uint reference) => ref active[reference / EntriesPerFrame][reference % EntriesPerFrame];

        // ---- Pins: what Xen's _set_status and acquire do ----

        /// <summary>
        /// Checks that <paramref name="grantee"/> may use entry <paramref name="reference"/> of this table
        /// (owned by <paramref name="owner"/>), read-only or writable, and gives the granted frame. The first
        /// use reads the shared entry: GTF_permit_access (GTF_sub_page refused too when
        /// <paramref name="forMapping"/>), domid = grantee, not GTF_readonly for a writable use, and a frame
        /// the owner owns (GNTST_bad_page otherwise); it sets GTF_reading. The first writable use sets
        /// GTF_writing after checking GTF_readonly again. Any other use takes the active record's frame and
        /// needs its grantee and room in its counts. No pin is counted here: <see cref="AddPin"/> does that,
        /// and <see cref="Settle"/> undoes the flags of a use that is not kept.
        /// </summary>
        public short Acquire(Host host, ushort owner, uint reference, ushort grantee, bool readOnly, bool forMapping, out ulong frame)
        {
            frame = 0;
            ref ActiveGrant record = ref Active(reference);
            if (record.Pin != 0 && (record.Grantee != grantee || (record.Pin & ActiveGrant.OverflowMask) != 0))
                return GrantStatus.GeneralError;
            bool first = record.Pin == 0;
            if (!first && (readOnly || record.HasWriters))
            {
                frame = record.Frame;
                return GrantStatus.Okay;
            }

            PhysicalMemory memory = host.Memory;
            ulong address = EntryAddress(reference);
            // The flags and the grantee (one 32-bit word) are judged and the use flags set in one step, as
            // Xen's _set_status_v1 does: the granter may revoke the entry (a compare-exchange of its own)
            // on another CPU at the same moment, and must then either see GTF_reading or have won.
            ushort mask = forMapping ? (ushort)(TypeMask | GrantFlags.SubPage) : TypeMask;
            ushort use = (ushort)(GrantFlags.Reading | (readOnly ? 0 : GrantFlags.Writing));
            uint entry = memory.Read32(address);
            for (int attempt = 0; ; attempt++)
            {
                ushort flags = (ushort)entry;
                if (first && ((flags & mask) != GrantFlags.PermitAccess || (ushort)(entry >> 16) != grantee))
                    return GrantStatus.GeneralError;
                if (!readOnly && (flags & GrantFlags.ReadOnly) != 0)
                    return GrantStatus.GeneralError;
                uint seen = memory.CompareExchange32(address, entry, entry | use);
                if (seen == entry)
                    break;
                if (attempt == MaxFlagAttempts)
                    return GrantStatus.GeneralError;   // the guest keeps changing it (Xen gives up too)
                entry = seen;
            }
            if (!first)
            {
                frame = record.Frame;
                return GrantStatus.Okay;
            }
            // The frame is read once the entry is marked in use (the granter may not change it then).
            ulong candidate = memory.Read32(address + 4);
            if (host.FrameTable.OwnerOf(candidate) != owner)
            {
                Settle(memory, reference, !readOnly);
                return GrantStatus.BadPage;
            }
            frame = candidate;
            return GrantStatus.Okay;
        }

        /// <summary>Counts a mapping that <see cref="Acquire"/> allowed; the first records grantee and frame.</summary>
        public void AddPin(uint reference, uint increment, ushort grantee, ulong frame)
        {
            ref ActiveGrant record = ref Active(reference);
            if (record.Pin == 0)
            {
                record.Grantee = grantee;
                record.Frame = frame;
            }
            record.Pin += increment;
        }

        /// <summary>Takes a mapping's pin away again (the caller then <see cref="Settle"/>s the flags).
        /// Nothing to do once the table has dropped its frames (<see cref="DropFrames"/>): a domain that
        /// is dying keeps no pins or entries, yet another domain may still unmap a grant of it.</summary>
        public void DropPin(uint reference, uint increment)
        {
            if (reference >= EntryCount)
                return;
            ref ActiveGrant record = ref Active(reference);
            record.Pin -= increment <= record.Pin ? increment : record.Pin;
        }

        /// <summary>After a use ended or failed: clears GTF_writing when it was writable and no writable
        /// pin is left, and GTF_reading when no pin is left at all. Nothing once the table has dropped
        /// its frames: they may already be another domain's, so no flag is written anywhere.</summary>
        public void Settle(PhysicalMemory memory, uint reference, bool wasWritable)
        {
            if (reference >= EntryCount)
                return;
            ref ActiveGrant record = ref Active(reference);
            ushort clear = 0;
            if (wasWritable && !record.HasWriters)
                clear |= GrantFlags.Writing;
            if (record.Pin == 0)
                clear |= GrantFlags.Reading;
            if (clear == 0)
                return;
            memory.ClearBits16(EntryAddress(reference), clear);
        }

        /// <summary>True when some pin of this table is held by <paramref name="grantee"/> for <paramref name="frame"/>
        /// (Xen's grant_map_exists: may the grantee flush that frame's cache lines?).</summary>
        public bool IsPinnedFor(ushort grantee, ulong frame)
        {
            for (uint i = 0; i < FrameCount; i++)
            {
                ActiveGrant[] records = active[i];
                for (int j = 0; j < records.Length; j++)
                {
                    if (records[j].Pin != 0 && records[j].Grantee == grantee && records[j].Frame == frame)
                        return true;
                }
            }
            return false;
        }

        // ---- The maptrack: mappings this domain holds ----

        /// <summary>
        /// A free grant handle of <paramref name="owner"/>'s maptrack (this table's domain), or -1 when
        /// <see cref="MaxHandles"/> are in use or memory to grow it is short. Handles are handed out in
        /// turn (the one after the last given, wrapping), as Xen's free list does, so a handle just
        /// unmapped is not at once reused by the next map.
        /// </summary>
        public int AllocateHandle(Domain owner)
        {
            int usable = mappings.Length < MaxHandles ? mappings.Length : MaxHandles;
            for (int n = 0; n < usable; n++)
            {
                int i = (nextHandle + n) % usable;
                if (!mappings[i].InUse)
                {
                    nextHandle = i + 1;
                    return i;
                }
            }
            if (usable >= MaxHandles)
                return -1;
            if (!DomainObjects.Reserve(owner, (ulong)mappings.Length * 2 * MappingBytes + 64))
                return -1;
            ulong previous = DomainObjects.Enter(owner);
            var larger = new GrantMapping[mappings.Length * 2];
            DomainObjects.Leave(owner, previous);
            for (int i = 0; i < mappings.Length; i++)
                larger[i] = mappings[i];
            int handle = mappings.Length;
            mappings = larger;
            nextHandle = handle + 1;
            return handle;
        }

        public bool IsHandleInUse(uint handle) => handle < (uint)mappings.Length && mappings[(int)handle].InUse;

        /// <summary>The mapping behind a handle (check <see cref="IsHandleInUse"/> first).</summary>
        public ref GrantMapping Mapping(uint handle) => ref mappings[(int)handle];

        /// <summary>Handles the maptrack has room for now (it grows to <see cref="MaxHandles"/>).</summary>
        public int HandleCapacity => mappings.Length;
    }
}
