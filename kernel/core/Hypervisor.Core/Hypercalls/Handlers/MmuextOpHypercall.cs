using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// mmuext_op(ops, count, done_out, foreigndom): a batch of extended MMU operations, each mmuext_op
    /// read once, in order, stopping at the first that fails; done_out and MMU_UPDATE_PREEMPTED as for
    /// mmu_update. foreigndom (DOMID_SELF, or for a privileged caller DOMID_IO, DOMID_XEN or another
    /// domain) is whose frames pin, unpin, clear and copy act on; everything else acts on the caller
    /// and gives -EPERM with a foreign owner. Errors are Xen's:
    /// <list type="bullet">
    /// <item>PIN_L1..L4_TABLE, UNPIN_TABLE: the frame table's pin (-EINVAL for a frame not the owner's,
    /// another type, already pinned / not pinned; validation errors as they come);</item>
    /// <item>NEW_BASEPTR: the kernel L4 (a general and an L4 type reference, the old ones dropped),
    /// loaded by the arch layer when the vCPU resumes; NEW_USER_BASEPTR the user one (0: none);</item>
    /// <item>TLB_FLUSH_LOCAL/MULTI/ALL and INVLPG_LOCAL/MULTI/ALL: the calling CPU flushes for any of them
    /// (a MULTI bitmap that selects no vCPU flushes nothing; -EINVAL when it cannot be read); ALL, and
    /// MULTI selecting another vCPU, also flush every other CPU that has the domain's tables loaded
    /// (whole TLBs: an INVLPG there is a full flush); INVLPG ignores addresses that are not canonical
    /// (LOCAL) or not guest addresses (others);</item>
    /// <item>FLUSH_CACHE (-EACCES) and FLUSH_CACHE_GLOBAL (-EINVAL) need I/O access (Xen's
    /// cache_flush_permitted); allowed ones succeed without a write-back (see below);</item>
    /// <item>SET_LDT: a page-aligned guest address and at most 8192 entries (-EINVAL), recorded in the
    /// vCPU; 0 entries clears it. No LDT is loaded into the CPU yet (a subset: LDT selectors fault);</item>
    /// <item>CLEAR_PAGE, COPY_PAGE: the owner's frames; the destination must be able to take a writable
    /// type (-EINVAL);</item>
    /// <item>MARK_SUPER, UNMARK_SUPER: -EOPNOTSUPP (no superpages, as Xen); anything else -ENOSYS.</item>
    /// </list>
    /// Flushes are made once, at the end of the batch, before the guest runs again (the hypervisor's
    /// own accesses to guest memory walk the tables in software, so nothing in between needs them).
    /// FLUSH_CACHE does no WBINVD: the arch layer offers no cache write-back, and the emulated machines
    /// this runs on keep caches coherent.
    /// </summary>
    public static unsafe class MmuextOpHypercall
    {
        private const ulong OpSize = 24;
        private const uint MaxLdtEntries = 8192;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong ops = args.A1;
            uint count = (uint)args.A2;
            ulong doneOut = args.A3;
            uint foreignDomain = (uint)args.A4;

            if (count == MmuUpdateHypercall.Preempted && ops == 0)
                return (int)foreignDomain;
            uint done = 0;
            if ((count & MmuUpdateHypercall.Preempted) != 0)
            {
                count &= ~MmuUpdateHypercall.Preempted;
                if (doneOut != 0 && !GuestMemory.TryRead(vcpu, doneOut, out done))
                    done = 0;
            }
            if (!GuestHandle.IsOkay(ops, count, OpSize))
                return -XenErrno.EFAULT;
            int rc = MemoryOwners.GetPageOwner(vcpu, (ushort)foreignDomain, out ushort owner);
            if (rc != 0)
                return rc;
            if (!MemoryOwners.MayActOn(vcpu.Domain, owner))
                return -XenErrno.EPERM;

            var batch = new Batch(vcpu, owner);
            uint i = 0;
            ulong* op = stackalloc ulong[3];
            for (; i < count; i++)
            {
                if (!batch.Reader.TryRead(ops + (ulong)i * OpSize, op, 3))
                {
                    rc = -XenErrno.EFAULT;
                    break;
                }
                rc = Run(ref batch, (uint)op[0], op[1], op[2]);
                if (rc != 0)
                    break;
            }

            MemoryOwners.FinishTlb(vcpu.Domain.Host, batch.FlushAll, false, 0);
            if (batch.FlushOthers)
                vcpu.Domain.Host.Platform.FlushOtherCpus(vcpu.Domain);
            if (doneOut != 0)
            {
                done += i;
                GuestMemory.TryWrite(vcpu, doneOut, in done);
            }
            return rc;
        }

        /// <summary>
        /// Drops the kernel L4 that MMUEXT_NEW_BASEPTR replaced, once the CPU no longer runs on it: the
        /// hypercall dispatcher calls it on every hypercall from guest kernel mode, since by then the arch
        /// layer has loaded the vCPU's current base (see <see cref="Vcpu.RetiredKernelTableFrame"/>). Not
        /// from within a hypercall (a multicall batch still runs on the tables it entered with).
        /// </summary>
        public static void ReleaseRetiredKernelBase(Vcpu vcpu)
        {
            ulong retired = vcpu.RetiredKernelTableFrame;
            if (retired == 0)
                return;
            vcpu.RetiredKernelTableFrame = 0;
            vcpu.Domain.Host.FrameTable.PutPageAndType(retired);
        }

        /// <summary>Xen's new_guest_cr3 for a MOV to CR3 the guest kernel executed (emulated at its
        /// #GP): the same checks and references as NEW_BASEPTR. The guest has run since its last resume,
        /// so a base retired before then is no longer the CPU's and goes first; the base replaced now is
        /// retired as in a batch. Returns 0 or the Xen errno the instruction's emulation turns into #GP.</summary>
        public static int SetKernelBase(Vcpu vcpu, ulong mfn)
        {
            ReleaseRetiredKernelBase(vcpu);
            var batch = new Batch(vcpu, vcpu.Domain.Id);
            int rc = NewKernelBase(ref batch, mfn);
            if (rc == 0)
                MemoryOwners.FinishTlb(vcpu.Domain.Host, batch.FlushAll, false, 0);
            return rc;
        }

        private struct Batch
        {
            public Vcpu Vcpu;
            public ushort Owner;
            public bool OwnerIsCaller;
            public bool FlushAll;
            /// <summary>The domain's other vCPUs are to flush too.</summary>
            public bool FlushOthers;
            public GuestRequestReader Reader;

            public Batch(Vcpu vcpu, ushort owner)
            {
                Vcpu = vcpu;
                Owner = owner;
                OwnerIsCaller = owner == vcpu.Domain.Id;
                FlushAll = false;
                FlushOthers = false;
                Reader = new GuestRequestReader(vcpu);
            }
        }

        private static int Run(ref Batch batch, uint command, ulong arg1, ulong arg2)
        {
            Vcpu vcpu = batch.Vcpu;
            Host host = vcpu.Domain.Host;
            FrameTable frames = host.FrameTable;
            switch (command)
            {
                case MmuextCommand.PinL1Table:
                case MmuextCommand.PinL2Table:
                case MmuextCommand.PinL3Table:
                case MmuextCommand.PinL4Table:
                    return frames.Pin(batch.Owner, arg1, (int)(command - MmuextCommand.PinL1Table) + 1);

                case MmuextCommand.UnpinTable:
                    return frames.Unpin(batch.Owner, arg1);

                case MmuextCommand.NewBaseptr:
                    if (!batch.OwnerIsCaller)
                        return -XenErrno.EPERM;
                    return NewKernelBase(ref batch, arg1);

                case MmuextCommand.NewUserBaseptr:
                    if (!batch.OwnerIsCaller)
                        return -XenErrno.EPERM;
                    return NewUserBase(vcpu, arg1);

                case MmuextCommand.TlbFlushLocal:
                case MmuextCommand.TlbFlushAll:
                    if (!batch.OwnerIsCaller)
                        return -XenErrno.EPERM;
                    batch.FlushAll = true;
                    if (command == MmuextCommand.TlbFlushAll)
                        batch.FlushOthers = true;
                    return 0;

                case MmuextCommand.InvlpgLocal:
                    if (!batch.OwnerIsCaller)
                        return -XenErrno.EPERM;
                    if (Canonical.IsCanonical(arg1))
                        host.Platform.InvalidatePage(arg1);
                    return 0;

                case MmuextCommand.InvlpgAll:
                    if (!batch.OwnerIsCaller)
                        return -XenErrno.EPERM;
                    if (GuestPageWalk.IsGuestAddress(arg1))
                    {
                        host.Platform.InvalidatePage(arg1);
                        batch.FlushOthers = true;
                    }
                    return 0;

                case MmuextCommand.TlbFlushMulti:
                case MmuextCommand.InvlpgMulti:
                    {
                        if (!batch.OwnerIsCaller)
                            return -XenErrno.EPERM;
                        if (MemoryOwners.SelectsVcpus(vcpu, arg2, out bool any, out bool others) != 0)
                            return -XenErrno.EINVAL;
                        if (!any)
                            return 0;
                        if (command == MmuextCommand.TlbFlushMulti)
                            batch.FlushAll = true;
                        else if (GuestPageWalk.IsGuestAddress(arg1))
                            host.Platform.InvalidatePage(arg1);
                        else
                            return 0;
                        if (others)
                            batch.FlushOthers = true;
                        return 0;
                    }

                case MmuextCommand.FlushCache:
                    if (!batch.OwnerIsCaller)
                        return -XenErrno.EPERM;
                    return MayFlushCaches(vcpu.Domain) ? 0 : -XenErrno.EACCES;

                case MmuextCommand.FlushCacheGlobal:
                    if (!batch.OwnerIsCaller)
                        return -XenErrno.EPERM;
                    return MayFlushCaches(vcpu.Domain) ? 0 : -XenErrno.EINVAL;

                case MmuextCommand.SetLdt:
                    {
                        if (!batch.OwnerIsCaller)
                            return -XenErrno.EPERM;
                        uint entries = (uint)arg2;
                        ulong address = entries != 0 ? arg1 : 0;
                        if ((address & (FrameAllocator.FrameSize - 1)) != 0 || !GuestPageWalk.IsGuestAddress(address)
                            || entries > MaxLdtEntries)
                            return -XenErrno.EINVAL;
                        vcpu.LdtBase = address;
                        vcpu.LdtEntries = entries;
                        return 0;
                    }

                case MmuextCommand.ClearPage:
                    return ClearPage(frames, host.Memory, batch.Owner, arg1);

                case MmuextCommand.CopyPage:
                    return CopyPage(frames, host.Memory, batch.Owner, arg1, arg2);

                case MmuextCommand.MarkSuper:
                case MmuextCommand.UnmarkSuper:
                    return -XenErrno.EOPNOTSUPP;

                default:
                    return -XenErrno.ENOSYS;
            }
        }

        // Xen's new_guest_cr3 for a 64-bit guest. The same base again reloads it (a full flush).
        private static int NewKernelBase(ref Batch batch, ulong mfn)
        {
            Vcpu vcpu = batch.Vcpu;
            FrameTable frames = vcpu.Domain.Host.FrameTable;
            ulong old = vcpu.KernelTableFrame;
            if (mfn == old)
            {
                batch.FlushAll = true;
                return 0;
            }
            int rc = frames.GetPageAndType(mfn, PageType.L4, vcpu.Domain.Id);
            if (rc != 0)
                return rc;
            vcpu.KernelTableFrame = mfn;
            if (old != 0)
            {
                // The first base replaced since the guest last ran is the one the CPU is on: it is
                // released once the guest has run on the new one. A base set and replaced within this
                // hypercall was never loaded and goes at once.
                if (vcpu.RetiredKernelTableFrame == 0)
                    vcpu.RetiredKernelTableFrame = old;
                else
                    frames.PutPageAndType(old);
            }
            // Later requests of the batch read through the new tables, as after Xen's CR3 switch.
            batch.Reader = new GuestRequestReader(vcpu);
            return 0;
        }

        // The user base is never the one the CPU is on during a hypercall (hypercalls come from guest
        // kernel mode), so the old one is released at once.
        private static int NewUserBase(Vcpu vcpu, ulong mfn)
        {
            ulong old = vcpu.UserTableFrame;
            if (mfn == old)
                return 0;
            FrameTable frames = vcpu.Domain.Host.FrameTable;
            if (mfn != 0)
            {
                int rc = frames.GetPageAndType(mfn, PageType.L4, vcpu.Domain.Id);
                if (rc != 0)
                    return rc;
            }
            vcpu.UserTableFrame = mfn;
            if (old != 0)
                frames.PutPageAndType(old);
            return 0;
        }

        // Both take only frames the owner really owns (Xen's get_page): the frame table would also lend
        // a reference to a frame shared read-only with every guest, which Xen refuses here.
        private static int ClearPage(FrameTable frames, PhysicalMemory memory, ushort owner, ulong mfn)
        {
            if (frames.OwnerOf(mfn) != owner || frames.GetPage(mfn, owner) != 0)
                return -XenErrno.EINVAL;
            if (frames.GetPageType(mfn, PageType.Writable) != 0)
            {
                frames.PutPage(mfn);
                return -XenErrno.EINVAL;
            }
            memory.Fill(mfn << FrameAllocator.FrameShift, FrameAllocator.FrameSize, 0);
            frames.PutPageAndType(mfn);
            return 0;
        }

        private static int CopyPage(FrameTable frames, PhysicalMemory memory, ushort owner, ulong destination, ulong source)
        {
            if (frames.OwnerOf(source) != owner || frames.GetPage(source, owner) != 0)
                return -XenErrno.EINVAL;
            if (frames.OwnerOf(destination) != owner || frames.GetPage(destination, owner) != 0)
            {
                frames.PutPage(source);
                return -XenErrno.EINVAL;
            }
            if (frames.GetPageType(destination, PageType.Writable) != 0)
            {
                frames.PutPage(destination);
                frames.PutPage(source);
                return -XenErrno.EINVAL;
            }
            memory.Copy(destination << FrameAllocator.FrameShift, source << FrameAllocator.FrameShift, FrameAllocator.FrameSize);
            frames.PutPageAndType(destination);
            frames.PutPage(source);
            return 0;
        }

        // Xen's cache_flush_permitted: the domain has I/O ports or I/O memory.
        private static bool MayFlushCaches(Domain domain)
        {
            if (domain.HasIoPortAccess)
                return true;
            IoMemoryAccess io = domain.Host.FrameTable.IoMemory;
            return io != null && io.HasAny(domain.Id);
        }
    }
}
