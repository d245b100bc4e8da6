using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Grants;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// grant_table_op(cmd, uop, count), as Xen 4.17 answers a PV domain. A count with bit 31 set is
    /// -EINVAL, so are bits of cmd above the low 12 (cache_flush keeps its continuation there). The
    /// batched commands judge the array's address first (-EFAULT even for count 0 when it is not a
    /// guest address); each operation is copied in, done and copied back with its own GNTST_* status,
    /// and an operation that cannot be read or written back ends the call with -EFAULT (the ones before
    /// it are done).
    /// <list type="bullet">
    /// <item>setup_table, query_size, get_status_frames: count 1 only (-EINVAL); get_version and
    /// set_version ignore the count. Version 1 only: set_version(2) is -EINVAL as for a domain whose
    /// maximum version is 1 (Xen 4.17 gives dom0 version 2 on request: an intended divergence);</item>
    /// <item>map_grant_ref, unmap_grant_ref, unmap_and_replace (<see cref="GrantMappings"/>), copy
    /// (<see cref="GrantCopy"/>), swap_grant_ref, cache_flush (a no-op on x86 but for its checks).</item>
    /// </list>
    /// Transfers (GNTTABOP_transfer) are not supported yet (-ENOSYS); dump_table is -ENOSYS as in Xen 4.17.
    /// </summary>
    public static unsafe class GrantTableOpHypercall
    {
        private const uint CommandMask = 0xFFF;

        // Where the status (or version) field lies in each struct: Xen writes back only that field
        // (offsets as in grant_table.h, checked by the ABI layout tests).
        private const ulong UnmapStatus = 20;
        private const ulong UnmapAndReplaceStatus = 20;
        private const ulong CopyStatus = 36;
        private const ulong SwapStatus = 8;
        private const ulong SetupTableStatus = 8;
        private const ulong GetStatusFramesStatus = 6;
        private const ulong GetVersionVersion = 4;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            uint command = (uint)args.A1;
            ulong ops = args.A2;
            uint count = (uint)args.A3;
            if ((int)count < 0)
                return -XenErrno.EINVAL;
            if ((command & ~CommandMask) != 0 && (command & CommandMask) != GrantTableOp.CacheFlush)
                return -XenErrno.EINVAL;
            switch ((int)(command & CommandMask))
            {
                case GrantTableOp.MapGrantRef:
                    if (!GuestHandle.IsOkay(ops, count, (ulong)sizeof(GnttabMapGrantRef)))
                        return -XenErrno.EFAULT;
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabMapGrantRef);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabMapGrantRef op))
                            return -XenErrno.EFAULT;
                        GrantMappings.Map(vcpu, ref op);
                        if (!GuestMemory.TryWrite(vcpu, at, in op))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.UnmapGrantRef:
                    if (!GuestHandle.IsOkay(ops, count, (ulong)sizeof(GnttabUnmapGrantRef)))
                        return -XenErrno.EFAULT;
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabUnmapGrantRef);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabUnmapGrantRef op))
                            return -XenErrno.EFAULT;
                        short status = GrantMappings.Unmap(vcpu, op.HostAddr, op.DevBusAddr, 0, op.Handle);
                        if (!GuestMemory.TryWrite(vcpu, at + UnmapStatus, in status))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.UnmapAndReplace:
                    if (!GuestHandle.IsOkay(ops, count, (ulong)sizeof(GnttabUnmapAndReplace)))
                        return -XenErrno.EFAULT;
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabUnmapAndReplace);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabUnmapAndReplace op))
                            return -XenErrno.EFAULT;
                        short status = GrantMappings.Unmap(vcpu, op.HostAddr, 0, op.NewAddr, op.Handle);
                        if (!GuestMemory.TryWrite(vcpu, at + UnmapAndReplaceStatus, in status))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.Copy:
                    if (!GuestHandle.IsOkay(ops, count, (ulong)sizeof(GnttabCopy)))
                        return -XenErrno.EFAULT;
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabCopy);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabCopy op))
                            return -XenErrno.EFAULT;
                        short status = GrantCopy.Copy(vcpu, in op);
                        if (!GuestMemory.TryWrite(vcpu, at + CopyStatus, in status))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.SwapGrantRef:
                    if (!GuestHandle.IsOkay(ops, count, (ulong)sizeof(GnttabSwapGrantRef)))
                        return -XenErrno.EFAULT;
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabSwapGrantRef);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabSwapGrantRef op))
                            return -XenErrno.EFAULT;
                        short status = Swap(vcpu.Domain, op.RefA, op.RefB);
                        if (!GuestMemory.TryWrite(vcpu, at + SwapStatus, in status))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.CacheFlush:
                    if (!GuestHandle.IsOkay(ops, count, (ulong)sizeof(GnttabCacheFlush)))
                        return -XenErrno.EFAULT;
                    for (uint i = 0; i < count; i++)
                    {
                        if (!GuestMemory.TryRead(vcpu, ops + i * (ulong)sizeof(GnttabCacheFlush), out GnttabCacheFlush op))
                            return -XenErrno.EFAULT;
                        long rc = CacheFlush(vcpu.Domain, in op);
                        if (rc != 0)
                            return rc;
                    }
                    return 0;
                case GrantTableOp.SetupTable:
                    return count == 1 ? SetupTable(vcpu, ops) : -XenErrno.EINVAL;
                case GrantTableOp.QuerySize:
                    return count == 1 ? QuerySize(vcpu, ops) : -XenErrno.EINVAL;
                case GrantTableOp.GetStatusFrames:
                    return count == 1 ? GetStatusFrames(vcpu, ops) : -XenErrno.EINVAL;
                case GrantTableOp.SetVersion:
                    {
                        if (!GuestMemory.TryRead(vcpu, ops, out GnttabSetVersion op))
                            return -XenErrno.EFAULT;
                        long rc = op.Version == 1 ? 0 : -XenErrno.EINVAL;
                        op.Version = vcpu.Domain.Grants.Version;
                        if (!GuestMemory.TryWrite(vcpu, ops, in op))
                            return -XenErrno.EFAULT;
                        return rc;
                    }
                case GrantTableOp.GetVersion:
                    {
                        if (!GuestMemory.TryRead(vcpu, ops, out GnttabGetVersion op))
                            return -XenErrno.EFAULT;
                        Domain domain = vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, op.Dom);
                        if (domain == null)
                            return -XenErrno.ESRCH;
                        if (domain != vcpu.Domain && !vcpu.Domain.IsPrivileged)
                            return -XenErrno.EPERM;
                        uint version = domain.Grants.Version;
                        return GuestMemory.TryWrite(vcpu, ops + GetVersionVersion, in version) ? 0 : -XenErrno.EFAULT;
                    }
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        private static long SetupTable(Vcpu vcpu, ulong at)
        {
            if (!GuestMemory.TryRead(vcpu, at, out GnttabSetupTable op))
                return -XenErrno.EFAULT;
            if (!GuestHandle.IsOkay(op.FrameList, op.NrFrames, sizeof(ulong)))
                return -XenErrno.EFAULT;
            short status = ResolveDomain(vcpu, op.Dom, out Domain domain);
            if (status == GrantStatus.Okay && (op.NrFrames > domain.Grants.MaxFrameCount || !domain.Grants.EnsureFrames(domain, op.NrFrames)))
                status = GrantStatus.GeneralError;
            if (status == GrantStatus.Okay)
            {
                // Every frame is tried; one that cannot be written makes the status, not the call, fail.
                for (uint i = 0; i < op.NrFrames; i++)
                {
                    ulong frame = domain.Grants.FrameAt(i);
                    if (!GuestMemory.TryWrite(vcpu, op.FrameList + i * sizeof(ulong), in frame))
                        status = GrantStatus.BadVirtAddr;
                }
            }
            return GuestMemory.TryWrite(vcpu, at + SetupTableStatus, in status) ? 0 : -XenErrno.EFAULT;
        }

        private static long QuerySize(Vcpu vcpu, ulong at)
        {
            if (!GuestMemory.TryRead(vcpu, at, out GnttabQuerySize op))
                return -XenErrno.EFAULT;
            op.Status = ResolveDomain(vcpu, op.Dom, out Domain domain);
            if (op.Status == GrantStatus.Okay)
            {
                domain.Grants.EnsureFrames(domain, 1);
                op.NrFrames = domain.Grants.FrameCount;
                op.MaxNrFrames = domain.Grants.MaxFrameCount;
            }
            return GuestMemory.TryWrite(vcpu, at, in op) ? 0 : -XenErrno.EFAULT;
        }

        // Version 1 has no status frames: any asked for is GNTST_general_error, none is fine.
        private static long GetStatusFrames(Vcpu vcpu, ulong at)
        {
            if (!GuestMemory.TryRead(vcpu, at, out GnttabGetStatusFrames op))
                return -XenErrno.EFAULT;
            short status = ResolveDomain(vcpu, op.Dom, out _);
            if (status == GrantStatus.Okay && op.NrFrames != 0)
                status = GrantStatus.GeneralError;
            return GuestMemory.TryWrite(vcpu, at + GetStatusFramesStatus, in status) ? 0 : -XenErrno.EFAULT;
        }

        /// <summary>Swaps two entries of the caller's own table; the same entry twice is a no-op, and an
        /// entry in use (pinned) is GNTST_eagain.</summary>
        private static short Swap(Domain domain, uint a, uint b)
        {
            GrantTable grants = domain.Grants;
            grants.EnsureFrames(domain, 1);
            if (a >= grants.EntryCount || b >= grants.EntryCount)
                return GrantStatus.BadGntref;
            if (a == b)
                return GrantStatus.Okay;
            if (grants.Active(a).Pin != 0 || grants.Active(b).Pin != 0)
                return GrantStatus.Eagain;
            PhysicalMemory memory = domain.Host.Memory;
            ulong addressA = grants.EntryAddress(a), addressB = grants.EntryAddress(b);
            ulong entryA = memory.Read64(addressA);
            memory.Write64(addressA, memory.Read64(addressB));
            memory.Write64(addressB, entryA);
            return GrantStatus.Okay;
        }

        /// <summary>
        /// One cache_flush operation. x86 caches are coherent with devices, so nothing is flushed, but
        /// the checks are Xen's: the range inside the page (-EINVAL), only CLEAN and INVAL (-EINVAL),
        /// nothing to do for length or op 0, a RAM frame (-EINVAL) of a domain (-EPERM) that is the
        /// caller or grants it that frame (-EINVAL otherwise); INVAL without CLEAN is -EOPNOTSUPP.
        /// </summary>
        private static long CacheFlush(Domain caller, in GnttabCacheFlush op)
        {
            if (op.Offset >= FrameAllocator.FrameSize || op.Length > FrameAllocator.FrameSize
                || (ulong)op.Offset + op.Length > FrameAllocator.FrameSize)
                return -XenErrno.EINVAL;
            if ((op.Op & ~(GnttabCacheFlush.OpClean | GnttabCacheFlush.OpInvalidate)) != 0)
                return -XenErrno.EINVAL;
            if (op.Length == 0 || op.Op == 0)
                return 0;
            FrameTable frames = caller.Host.FrameTable;
            ulong mfn = op.DevBusAddr >> FrameAllocator.FrameShift;
            if (mfn >= frames.FrameCount)
                return -XenErrno.EINVAL;
            ushort ownerId = frames.OwnerOf(mfn);
            Domain owner = FrameOwner.IsDomain(ownerId) ? caller.Host.Domains.Find(ownerId) : null;
            if (owner == null)
                return -XenErrno.EPERM;
            if (owner != caller && !owner.Grants.IsPinnedFor(caller.Id, mfn))
                return -XenErrno.EINVAL;
            return op.Op == GnttabCacheFlush.OpInvalidate ? -XenErrno.EOPNOTSUPP : 0;
        }

        // DOMID_SELF or the caller's id: the caller; another domain only for a privileged caller.
        private static short ResolveDomain(Vcpu vcpu, ushort id, out Domain domain)
        {
            domain = vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, id);
            if (domain == null)
                return GrantStatus.BadDomain;
            if (domain != vcpu.Domain && !vcpu.Domain.IsPrivileged)
                return GrantStatus.PermissionDenied;
            return GrantStatus.Okay;
        }
    }
}
