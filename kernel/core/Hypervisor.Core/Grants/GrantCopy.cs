using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Grants
{
    /// <summary>
    /// GNTTABOP_copy: copies bytes between two frames, each named either by a grant reference of some
    /// domain (which must grant the caller access; the destination writable) or, for the caller's own
    /// memory only (DOMID_SELF), by machine frame (a PV domain's gmfn). In Xen 4.17's order: each end's
    /// domain (GNTST_bad_domain, then GNTST_permission_denied for a gmfn of a named domain), the source,
    /// the destination (which must take a writable type: not a page table or descriptor page), and only
    /// then the bounds (GNTST_bad_copy_arg when either range leaves its page). A grant used here is
    /// checked as a mapping would be (<see cref="GrantTable.Acquire"/>) but held only for the copy.
    /// </summary>
    public static class GrantCopy
    {
        public static short Copy(Vcpu vcpu, in GnttabCopy op)
        {
            Domain caller = vcpu.Domain;
            bool sourceIsGrant = (op.Flags & GrantCopyFlags.SourceGref) != 0;
            bool destIsGrant = (op.Flags & GrantCopyFlags.DestGref) != 0;
            short status = FindDomain(caller, op.Source.DomId, sourceIsGrant, out Domain sourceDomain);
            if (status != GrantStatus.Okay)
                return status;
            status = FindDomain(caller, op.Dest.DomId, destIsGrant, out Domain destDomain);
            if (status != GrantStatus.Okay)
                return status;

            status = Claim(caller, sourceDomain, op.Source, sourceIsGrant, true, out ulong sourceFrame);
            if (status != GrantStatus.Okay)
                return status;
            status = Claim(caller, destDomain, op.Dest, destIsGrant, false, out ulong destFrame);
            if (status != GrantStatus.Okay)
            {
                Release(caller, sourceDomain, op.Source, sourceIsGrant, true);
                return status;
            }

            Host host = caller.Host;
            FrameTable frames = host.FrameTable;
            if (frames.GetPageAndType(destFrame, PageType.Writable, frames.OwnerOf(destFrame)) != 0)
                status = GrantStatus.GeneralError;
            else
            {
                if ((ulong)op.Source.Offset + op.Len > FrameAllocator.FrameSize || (ulong)op.Dest.Offset + op.Len > FrameAllocator.FrameSize)
                    status = GrantStatus.BadCopyArg;
                else
                    host.Memory.Copy((destFrame << FrameAllocator.FrameShift) + op.Dest.Offset,
                                     (sourceFrame << FrameAllocator.FrameShift) + op.Source.Offset, op.Len);
                frames.PutPageAndType(destFrame);
            }
            Release(caller, destDomain, op.Dest, destIsGrant, false);
            Release(caller, sourceDomain, op.Source, sourceIsGrant, true);
            return status;
        }

        // DOMID_SELF is the caller; any other id must exist, and may be named with a grant reference only.
        private static short FindDomain(Domain caller, ushort id, bool isGrant, out Domain domain)
        {
            domain = id == DomainId.Self ? caller : caller.Host.Domains.Find(id);
            if (domain == null || !domain.IsAlive)
                return GrantStatus.BadDomain;
            if (!isGrant && id != DomainId.Self)
                return GrantStatus.PermissionDenied;
            return GrantStatus.Okay;
        }

        private static short Claim(Domain caller, Domain domain, in GnttabCopyPtr end, bool isGrant, bool readOnly, out ulong frame)
        {
            frame = 0;
            Host host = caller.Host;
            if (!isGrant)
            {
                frame = end.Gmfn;
                return host.FrameTable.OwnerOf(frame) == domain.Id ? GrantStatus.Okay : GrantStatus.BadPage;
            }
            GrantTable grants = domain.Grants;
            grants.EnsureFrames(domain, 1);
            if (end.Ref >= grants.EntryCount)
                return GrantStatus.BadGntref;
            return grants.Acquire(host, domain.Id, end.Ref, caller.Id, readOnly, false, out frame);
        }

        // A grant's flags go back to what its pins say; a frame needs nothing undone.
        private static void Release(Domain caller, Domain domain, in GnttabCopyPtr end, bool isGrant, bool readOnly)
        {
            if (isGrant)
                domain.Grants.Settle(caller.Host.Memory, end.Ref, !readOnly);
        }
    }
}
