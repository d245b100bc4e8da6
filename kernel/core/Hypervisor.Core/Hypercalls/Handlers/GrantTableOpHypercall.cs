using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Grants;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// grant_table_op(cmd, uop, count): a batch of <c>count</c> operations of one kind, each copied
    /// in, done and copied back with its own GNTST_* status; the call itself is 0, or -EFAULT when an
    /// operation cannot be read or written back (the ones before it are done). Version 1 only:
    /// set_version accepts 1, and 2 is -EINVAL as for a domain whose maximum version is 1.
    /// <list type="bullet">
    /// <item>setup_table (count 1 only, -EINVAL otherwise): grows the table to nr_frames (at most 64)
    /// and writes the frames' machine numbers to frame_list;</item>
    /// <item>query_size, get_version; map_grant_ref, unmap_grant_ref (<see cref="GrantMappings"/>);
    /// copy (<see cref="GrantCopy"/>).</item>
    /// </list>
    /// Transfers, unmap_and_replace, swap_grant_ref, cache_flush, dump_table and the version-2
    /// status frames are -ENOSYS for now.
    /// </summary>
    public static unsafe class GrantTableOpHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            uint command = (uint)args.A1;
            ulong ops = args.A2;
            uint count = (uint)args.A3;
            if ((int)count < 0)
                return -XenErrno.EINVAL;
            switch ((int)command)
            {
                case GrantTableOp.MapGrantRef:
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
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabUnmapGrantRef);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabUnmapGrantRef op))
                            return -XenErrno.EFAULT;
                        GrantMappings.Unmap(vcpu, ref op);
                        if (!GuestMemory.TryWrite(vcpu, at, in op))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.Copy:
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabCopy);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabCopy op))
                            return -XenErrno.EFAULT;
                        op.Status = GrantCopy.Copy(vcpu, in op);
                        if (!GuestMemory.TryWrite(vcpu, at, in op))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.SetupTable:
                    return count == 1 ? SetupTable(vcpu, ops) : -XenErrno.EINVAL;
                case GrantTableOp.QuerySize:
                    for (uint i = 0; i < count; i++)
                    {
                        ulong at = ops + i * (ulong)sizeof(GnttabQuerySize);
                        if (!GuestMemory.TryRead(vcpu, at, out GnttabQuerySize op))
                            return -XenErrno.EFAULT;
                        op.Status = ResolveDomain(vcpu, op.Dom, out Domain domain);
                        if (op.Status == GrantStatus.Okay)
                        {
                            domain.Grants.EnsureFrames(domain, 1);
                            op.NrFrames = domain.Grants.FrameCount;
                            op.MaxNrFrames = GrantTable.MaxFrames;
                        }
                        if (!GuestMemory.TryWrite(vcpu, at, in op))
                            return -XenErrno.EFAULT;
                    }
                    return 0;
                case GrantTableOp.SetVersion:
                    {
                        if (count != 1)
                            return -XenErrno.EINVAL;
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
                        if (count != 1)
                            return -XenErrno.EINVAL;
                        if (!GuestMemory.TryRead(vcpu, ops, out GnttabGetVersion op))
                            return -XenErrno.EFAULT;
                        Domain domain = vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, op.Dom);
                        if (domain == null)
                            return -XenErrno.ESRCH;
                        if (domain != vcpu.Domain && !vcpu.Domain.IsPrivileged)
                            return -XenErrno.EPERM;
                        op.Version = domain.Grants.Version;
                        return GuestMemory.TryWrite(vcpu, ops, in op) ? 0 : -XenErrno.EFAULT;
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
            op.Status = ResolveDomain(vcpu, op.Dom, out Domain domain);
            if (op.Status == GrantStatus.Okay)
            {
                if (op.NrFrames > GrantTable.MaxFrames || !domain.Grants.EnsureFrames(domain, op.NrFrames))
                    op.Status = GrantStatus.GeneralError;
            }
            if (op.Status == GrantStatus.Okay)
            {
                for (uint i = 0; i < op.NrFrames; i++)
                {
                    ulong frame = domain.Grants.FrameAt(i);
                    if (!GuestMemory.TryWrite(vcpu, op.FrameList + i * sizeof(ulong), in frame))
                    {
                        op.Status = GrantStatus.BadVirtAddr;
                        break;
                    }
                }
            }
            return GuestMemory.TryWrite(vcpu, at, in op) ? 0 : -XenErrno.EFAULT;
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
