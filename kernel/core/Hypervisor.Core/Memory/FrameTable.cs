using Hypervisor.Abi;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Who owns every machine frame and what it is used as: the heart of PV memory safety.
    /// A guest's page tables live in its own frames and the hardware walks them directly, so the
    /// hypervisor must know at every moment that each frame used as a page table maps only what its
    /// owner may map, and that no such frame is writable by the guest. It does so as Xen does:
    /// <list type="bullet">
    /// <item>general references count every use of a frame, so a frame in use is never given away;</item>
    /// <item>a frame has one <see cref="PageType"/> at a time, with its own count, and changes type only
    /// at count 0. Page-table contents are validated when the count goes 0 -> 1 (taking references
    /// on everything they point at) and released when it goes back to 0.</item>
    /// </list>
    /// Methods return 0 or a negative Xen errno. Not thread-safe: callers serialise (one lock around
    /// the memory hypercalls). Validation recurses at most four levels and is never preempted.
    /// </summary>
    public sealed partial class FrameTable
    {
        private readonly PhysicalMemory memory;
        private readonly FrameState[] frames;
        private readonly ulong frameCount;
        private readonly ulong[] hypervisorSlots;
        private IoMemoryAccess ioMemory;
        private DescriptorPageCheck descriptorCheck;
        private bool tlbFlushPending;
        private bool translationsDropped;
        private ulong accountingErrors;
        // Domain ids that may be dying (the domain list's capacity).
        private readonly bool[] dyingOwners = new bool[256];
        private bool releasePending;

        /// <summary>One entry for every frame below <paramref name="frameCount"/> (normally the top of
        /// RAM), all free. Frames at or above it are treated as I/O memory.</summary>
        public FrameTable(PhysicalMemory memory, ulong frameCount)
        {
            ulong limit = FrameAllocator.CoverageLimit >> FrameAllocator.FrameShift;
            if (frameCount > limit)
            {
                frameCount = limit;
            }

            this.memory = memory;
            this.frameCount = frameCount;
            frames = new FrameState[frameCount > 0 ? (int)frameCount : 1];
            for (int i = 0; i < frames.Length; i++)
            {
                frames[i].Owner = FrameOwner.Free;
            }

            hypervisorSlots = new ulong[PageTableEntry.HypervisorSlotCount];
        }

        public ulong FrameCount
        {
            get { return frameCount; }
        }

        /// <summary>Who may map I/O memory; null: nobody.</summary>
        public IoMemoryAccess IoMemory
        {
            get { return ioMemory; }
            set { ioMemory = value; }
        }

        /// <summary>Checks GDT/LDT frames; null: no frame can become a descriptor page.</summary>
        public DescriptorPageCheck DescriptorCheck
        {
            get { return descriptorCheck; }
            set { descriptorCheck = value; }
        }

        /// <summary>
        /// Set when a frame changed type after an earlier use, or was released: TLBs may still hold
        /// translations through or to it (a stale writable mapping of a new page table, a stale link
        /// to a table that is now writable). The memory hypercalls flush every TLB that may hold the
        /// guest's mappings before the guest runs again, then call <see cref="ClearTlbFlushPending"/>.
        /// </summary>
        public bool TlbFlushPending
        {
            get { return tlbFlushPending; }
        }

        public void ClearTlbFlushPending()
        {
            tlbFlushPending = false;
        }

        /// <summary>
        /// Other CPUs run guests while this one changes the tables, and their TLBs may hold a translation
        /// an entry no longer gives. Before a frame starts a new use (another type, or back to the
        /// allocator) they are flushed, when an entry has been dropped since they last were: otherwise a
        /// stale writable translation could write a page table being validated, or a frame its next
        /// owner has. (The calling CPU's own TLB is flushed before its guest runs again:
        /// <see cref="TlbFlushPending"/>.) Null: nothing to tell, one CPU.
        /// </summary>
        public HostPlatform Platform
        {
            get { return platform; }
            set { platform = value; }
        }

        private HostPlatform platform;

        private void BeforeNewUse()
        {
            tlbFlushPending = true;
            if (platform == null)
                return;
            platform.LocalFlushOwed();
            if (translationsDropped)
            {
                translationsDropped = false;
                platform.FlushOtherCpus(null);
            }
        }

        /// <summary>Puts of references nobody held: hypervisor bugs, counted instead of corrupting
        /// the counts. Tests assert it stays 0.</summary>
        public ulong AccountingErrors
        {
            get { return accountingErrors; }
        }

        // ---- Queries (frames beyond the table read as I/O memory: untyped, unreferenced) ----

        public ushort OwnerOf(ulong mfn)
        {
            return mfn < frameCount ? frames[(int)mfn].Owner : FrameOwner.Io;
        }

        public PageType TypeOf(ulong mfn)
        {
            return mfn < frameCount ? frames[(int)mfn].Type : PageType.None;
        }

        public uint TypeCountOf(ulong mfn)
        {
            return mfn < frameCount ? frames[(int)mfn].TypeCount : 0;
        }

        public uint ReferencesOf(ulong mfn)
        {
            return mfn < frameCount ? frames[(int)mfn].References : 0;
        }

        public bool IsPinned(ulong mfn)
        {
            return mfn < frameCount && (frames[(int)mfn].Flags & FrameState.Pinned) != 0;
        }

        public bool IsValidated(ulong mfn)
        {
            return mfn < frameCount && (frames[(int)mfn].Flags & FrameState.Validated) != 0;
        }

        public bool IsSharedWithGuests(ulong mfn)
        {
            return mfn < frameCount && (frames[(int)mfn].Flags & FrameState.SharedReadOnly) != 0;
        }

        /// <summary>True when the frame is I/O memory: beyond the table or owned by DOMID_IO.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool IsIo(ulong mfn)
        {
            return mfn >= frameCount || frames[(int)mfn].Owner == FrameOwner.Io;
        }

        // ---- Ownership ----

        /// <summary>Gives a free frame to <paramref name="owner"/> (a domain, the hypervisor, or DOMID_IO).
        /// -EINVAL for a frame beyond the table or owner Free; -EBUSY when the frame is not free.</summary>
        public int Assign(ulong mfn, ushort owner)
        {
            if (mfn >= frameCount || owner == FrameOwner.Free)
            {
                return -XenErrno.EINVAL;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if (frame.Owner != FrameOwner.Free || frame.References != 0 || frame.TypeCount != 0)
            {
                return -XenErrno.EBUSY;
            }

            frame.Owner = owner;
            frame.Type = PageType.None;
            frame.Flags = 0;
            CountOwned(mfn, owner);
            return 0;
        }

        /// <summary>
        /// Takes a frame back (ballooning out, domain death, hypervisor reuse). Refused while anything
        /// still uses it: -EBUSY when referenced, typed or pinned (a frame shared with guests may still
        /// carry its sharing type); -EPERM for I/O frames (mappings of them hold no reference, so
        /// releasing them could never be safe); -EINVAL when beyond the table or already free.
        /// </summary>
        public int Release(ulong mfn)
        {
            if (mfn >= frameCount)
            {
                return -XenErrno.EINVAL;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if (frame.Owner == FrameOwner.Free)
            {
                return -XenErrno.EINVAL;
            }

            if (frame.Owner == FrameOwner.Io)
            {
                return -XenErrno.EPERM;
            }

            uint sharingTypeCount = (frame.Flags & FrameState.SharedReadOnly) != 0 ? 1u : 0u;
            if (frame.References != 0 || frame.TypeCount != sharingTypeCount || (frame.Flags & FrameState.Pinned) != 0)
            {
                return -XenErrno.EBUSY;
            }

            BeforeNewUse();
            CountReleased(frame.Owner);
            frame.Owner = FrameOwner.Free;
            frame.Type = PageType.None;
            frame.TypeCount = 0;
            frame.Flags = 0;
            return 0;
        }

        /// <summary>
        /// Makes a free or hypervisor-owned, unused frame a DOMID_XEN frame every guest may map read-only
        /// (the M2P, for instance). It keeps one reference to the untyped type for good, so it can never
        /// become writable or a page table. -EINVAL beyond the table, -EBUSY when in use or owned by a domain.
        /// </summary>
        public int ShareWithGuests(ulong mfn)
        {
            if (mfn >= frameCount)
            {
                return -XenErrno.EINVAL;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if ((frame.Flags & FrameState.SharedReadOnly) != 0)
            {
                return 0;
            }

            if ((frame.Owner != FrameOwner.Free && frame.Owner != FrameOwner.Hypervisor) || frame.References != 0 || frame.TypeCount != 0)
            {
                return -XenErrno.EBUSY;
            }

            frame.Owner = FrameOwner.Hypervisor;
            frame.Type = PageType.None;
            frame.TypeCount = 1;
            frame.Flags = FrameState.Validated | FrameState.SharedReadOnly;
            return 0;
        }

        /// <summary>
        /// Gives every still-free frame that is not wholly inside usable RAM to DOMID_IO (firmware
        /// areas, device holes below the top of RAM), as Xen does at boot, so that a domain with
        /// I/O-memory access can map them and nobody else can. Returns the number of frames marked.
        /// </summary>
        public ulong AssignIoFrames(MemoryMap map)
        {
            ulong marked = 0;
            ulong cursor = 0;
            for (int i = 0; i < map.Count; i++)
            {
                MemoryRegion region = map[i];
                if (region.Kind != MemoryKind.Usable)
                {
                    continue;
                }

                ulong first = (region.Base + FrameAllocator.FrameSize - 1) >> FrameAllocator.FrameShift;
                ulong end = region.End >> FrameAllocator.FrameShift;
                if (first > cursor)
                {
                    marked += MarkIo(cursor, first);
                }

                if (end > cursor)
                {
                    cursor = end;
                }
            }

            marked += MarkIo(cursor, frameCount);
            return marked;
        }

        private ulong MarkIo(ulong first, ulong end)
        {
            if (end > frameCount)
            {
                end = frameCount;
            }

            ulong marked = 0;
            for (ulong mfn = first; mfn < end; mfn++)
            {
                ref FrameState frame = ref frames[(int)mfn];
                if (frame.Owner == FrameOwner.Free && frame.References == 0)
                {
                    frame.Owner = FrameOwner.Io;
                    marked++;
                }
            }

            return marked;
        }

        // ---- General references ----

        /// <summary>
        /// Takes a general reference for <paramref name="domain"/>: allowed on frames the domain owns and
        /// on DOMID_XEN frames shared read-only with guests. -EINVAL otherwise (free, foreign, private to
        /// the hypervisor, I/O, beyond the table) or when the count would overflow.
        /// </summary>
        public int GetPage(ulong mfn, ushort domain)
        {
            return TakeReference(mfn, domain, true) ? 0 : -XenErrno.EINVAL;
        }

        /// <summary>Drops a general reference taken by <see cref="GetPage"/> (or by a pin or mapping).</summary>
        public void PutPage(ulong mfn)
        {
            if (mfn >= frameCount || frames[(int)mfn].References == 0)
            {
                accountingErrors++;
                return;
            }

            ref FrameState frame = ref frames[(int)mfn];
            frame.References--;
            if (frame.References == 0 && frame.Owner < dyingOwners.Length && dyingOwners[frame.Owner])
            {
                releasePending = true;
            }
        }

        // ---- Dying owners ----

        /// <summary>Marks a domain as being destroyed (or no longer): from then on, a frame of it whose
        /// last reference goes sets <see cref="ReleasePending"/>, so the frames other domains still
        /// mapped at its destruction go back too.</summary>
        public void SetOwnerDying(ushort owner, bool dying)
        {
            if (owner < dyingOwners.Length)
            {
                dyingOwners[owner] = dying;
            }
        }

        /// <summary>A frame of a dying domain has lost its last reference since
        /// <see cref="ClearReleasePending"/>.</summary>
        public bool ReleasePending
        {
            get { return releasePending; }
        }

        public void ClearReleasePending()
        {
            releasePending = false;
        }

        // Strict (allowShared false): only the domain's own frames, as page tables and pins require.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private bool TakeReference(ulong mfn, ushort domain, bool allowShared)
        {
            if (mfn >= frameCount)
            {
                return false;
            }

            ref FrameState frame = ref frames[(int)mfn];
            bool owned = frame.Owner == domain && FrameOwner.IsDomain(domain);
            bool shared = allowShared && (frame.Flags & FrameState.SharedReadOnly) != 0;
            if ((!owned && !shared) || frame.References == uint.MaxValue)
            {
                return false;
            }

            frame.References++;
            return true;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private bool Owns(ushort domain, ulong mfn)
        {
            return mfn < frameCount && frames[(int)mfn].Owner == domain && FrameOwner.IsDomain(domain);
        }

        // ---- Types ----

        /// <summary>
        /// Takes a reference to <paramref name="type"/> on a frame the caller already holds a general
        /// reference to. A frame with a different type can change only when its type count is 0; a
        /// page-table or descriptor type is validated when its count goes 0 -> 1 (validation errors are
        /// returned as they are, e.g. -EBUSY for an L1 mapping a foreign frame). -EINVAL for a type
        /// conflict, an overflow, or a frame beyond the table.
        /// </summary>
        public int GetPageType(ulong mfn, PageType type)
        {
            if (mfn >= frameCount || type == PageType.None || type > PageType.Writable)
            {
                return -XenErrno.EINVAL;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if (frame.TypeCount == 0)
            {
                if (frame.Type != type)
                {
                    if (frame.Type != PageType.None)
                    {
                        BeforeNewUse();
                    }

                    frame.Type = type;
                    frame.Flags = (byte)(frame.Flags & ~FrameState.Validated);
                    if (type == PageType.Writable)
                    {
                        frame.Flags |= FrameState.Validated;
                    }
                }
            }
            else if (frame.Type != type || (frame.Flags & FrameState.Validated) == 0 || frame.TypeCount == uint.MaxValue)
            {
                // Unvalidated with a count means "being validated": only a table reaching itself gets here.
                return -XenErrno.EINVAL;
            }

            frame.TypeCount++;
            if ((frame.Flags & FrameState.Validated) != 0)
            {
                return 0;
            }

            int rc = Validate(mfn, type, frame.Owner);
            if (rc != 0)
            {
                frame.TypeCount = 0;
                frame.Type = PageType.None;
                return rc;
            }

            frame.Flags |= FrameState.Validated;
            return 0;
        }

        /// <summary>Drops a type reference. When a page-table type's count reaches 0 the frame is
        /// devalidated: the references its entries held are released (recursively).</summary>
        public void PutPageType(ulong mfn)
        {
            if (mfn >= frameCount || frames[(int)mfn].TypeCount == 0)
            {
                accountingErrors++;
                return;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if (frame.TypeCount == 1 && frame.Type >= PageType.L1 && frame.Type <= PageType.L4)
            {
                frame.TypeCount = 0;
                frame.Flags = (byte)(frame.Flags & ~FrameState.Validated);
                Devalidate(mfn, (int)frame.Type);
                return;
            }

            frame.TypeCount--;
        }

        /// <summary>A general reference and a type reference together, for a frame
        /// <paramref name="domain"/> owns (not a shared one): both or neither. This is what a new base
        /// pointer (MMUEXT_NEW_BASEPTR, the builder's first CR3) takes on its L4.</summary>
        public int GetPageAndType(ulong mfn, PageType type, ushort domain)
        {
            if (!TakeReference(mfn, domain, false))
            {
                return -XenErrno.EINVAL;
            }

            int rc = GetPageType(mfn, type);
            if (rc != 0)
            {
                PutPage(mfn);
            }

            return rc;
        }

        public void PutPageAndType(ulong mfn)
        {
            PutPageType(mfn);
            PutPage(mfn);
        }

        // ---- Pins (MMUEXT_PIN_Lx_TABLE / MMUEXT_UNPIN_TABLE) ----

        /// <summary>
        /// Pins frame <paramref name="mfn"/> of <paramref name="domain"/> as a level-<paramref name="level"/>
        /// page table: validates it if needed and holds one type and one general reference until unpinned,
        /// so the table stays validated while unlinked. -EINVAL when the level is not 1-4, the frame is not
        /// the domain's, it has another type, or it is already pinned; validation errors as they come.
        /// </summary>
        public int Pin(ushort domain, ulong mfn, int level)
        {
            if (level < 1 || level > 4 || !TakeReference(mfn, domain, false))
            {
                return -XenErrno.EINVAL;
            }

            int rc = GetPageType(mfn, (PageType)level);
            if (rc != 0)
            {
                PutPage(mfn);
                return rc;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if ((frame.Flags & FrameState.Pinned) != 0)
            {
                PutPageType(mfn);
                PutPage(mfn);
                return -XenErrno.EINVAL;
            }

            frame.Flags |= FrameState.Pinned;
            return 0;
        }

        /// <summary>Drops a pin and the references it held (which may devalidate the table).
        /// -EINVAL when the frame is not the domain's or not pinned.</summary>
        public int Unpin(ushort domain, ulong mfn)
        {
            if (!Owns(domain, mfn) || (frames[(int)mfn].Flags & FrameState.Pinned) == 0)
            {
                return -XenErrno.EINVAL;
            }

            frames[(int)mfn].Flags = (byte)(frames[(int)mfn].Flags & ~FrameState.Pinned);
            PutPageAndType(mfn);
            return 0;
        }

        /// <summary>Unpins every table of a dying domain (one pass over the range of frames it owns). Once
        /// its vCPUs' base pointers are dropped too, nothing of the domain holds a type: page tables form
        /// a strict L4 -> L3 -> L2 -> L1 hierarchy here (no linear tables), so there are no cycles to break.
        /// Returns the number of frames unpinned.</summary>
        public ulong UnpinAll(ushort domain)
        {
            ulong unpinned = 0;
            OwnedRange(domain, out ulong first, out ulong end);
            for (ulong mfn = first; mfn < end; mfn++)
            {
                if (frames[(int)mfn].Owner == domain && (frames[(int)mfn].Flags & FrameState.Pinned) != 0)
                {
                    Unpin(domain, mfn);
                    unpinned++;
                }
            }

            return unpinned;
        }
    }
}
