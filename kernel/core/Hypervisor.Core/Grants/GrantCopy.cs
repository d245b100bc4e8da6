using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Grants
{
    /// <summary>
    /// GNTTABOP_copy: copies bytes between two frames, either named by a grant reference of another
    /// domain (which must grant the caller access; the destination writable) or, for the caller's own
    /// memory only, by machine frame (a PV domain's gmfn). Both ranges stay inside their page. The
    /// destination must be a frame that may be written (not a page table or descriptor page).
    /// </summary>
    public static class GrantCopy
    {
        public static short Copy(Vcpu vcpu, in GnttabCopy op)
        {
            Domain caller = vcpu.Domain;
            bool sourceIsGrant = (op.Flags & GrantCopyFlags.SourceGref) != 0;
            bool destIsGrant = (op.Flags & GrantCopyFlags.DestGref) != 0;
            if ((!sourceIsGrant && op.Source.DomId != DomainId.Self) || (!destIsGrant && op.Dest.DomId != DomainId.Self))
                return GrantStatus.PermissionDenied;
            if ((ulong)op.Source.Offset + op.Len > FrameAllocator.FrameSize || (ulong)op.Dest.Offset + op.Len > FrameAllocator.FrameSize)
                return GrantStatus.BadCopyArg;
            short status = Resolve(caller, op.Source, sourceIsGrant, false, out ulong sourceFrame);
            if (status != GrantStatus.Okay)
                return status;
            status = Resolve(caller, op.Dest, destIsGrant, true, out ulong destFrame);
            if (status != GrantStatus.Okay)
                return status;
            FrameTable frames = caller.Host.FrameTable;
            ushort destOwner = frames.OwnerOf(destFrame);
            if (frames.GetPageAndType(destFrame, PageType.Writable, destOwner) != 0)
                return GrantStatus.GeneralError;
            caller.Host.Memory.Copy((destFrame << FrameAllocator.FrameShift) + op.Dest.Offset,
                                    (sourceFrame << FrameAllocator.FrameShift) + op.Source.Offset, op.Len);
            frames.PutPageAndType(destFrame);
            return GrantStatus.Okay;
        }

        private static short Resolve(Domain caller, in GnttabCopyPtr pointer, bool isGrant, bool forWrite, out ulong frame)
        {
            frame = 0;
            Host host = caller.Host;
            if (!isGrant)
            {
                frame = pointer.Gmfn;
                return host.FrameTable.OwnerOf(frame) == caller.Id ? GrantStatus.Okay : GrantStatus.BadPage;
            }
            Domain granter = host.Domains.Resolve(caller, pointer.DomId);
            if (granter == null || !granter.IsAlive)
                return GrantStatus.BadDomain;
            GrantTable grants = granter.Grants;
            grants.EnsureFrames(granter, 1);
            if (pointer.Ref >= grants.EntryCount)
                return GrantStatus.BadGntref;
            ulong entry = grants.EntryAddress(pointer.Ref);
            ushort flags = host.Memory.Read16(entry);
            if ((flags & GrantFlags.TypeMask) != GrantFlags.PermitAccess || host.Memory.Read16(entry + 2) != caller.Id
                || (forWrite && (flags & GrantFlags.ReadOnly) != 0))
                return GrantStatus.GeneralError;
            frame = host.Memory.Read32(entry + 4);
            return host.FrameTable.OwnerOf(frame) == granter.Id ? GrantStatus.Okay : GrantStatus.BadPage;
        }
    }
}
