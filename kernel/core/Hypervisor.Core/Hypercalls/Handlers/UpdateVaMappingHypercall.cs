using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// update_va_mapping(va, val, flags) and update_va_mapping_otherdomain(va, val, flags, domid): writes
    /// the L1 entry that maps <c>va</c> in the caller's current address space (found through its current
    /// L4; the L4, L3 and L2 entries must be present), as a checked update of one of the caller's
    /// validated L1 tables, then flushes as flags ask: UVMF_TLB_FLUSH or UVMF_INVLPG, for UVMF_LOCAL,
    /// UVMF_ALL or the vCPU bitmap whose address is ORed into flags (UVMF_MULTI). Every scope flushes
    /// here; UVMF_ALL, and a bitmap that selects another vCPU, also flush the other CPUs that have the
    /// domain's tables loaded; a bitmap that selects none of the domain's vCPUs flushes nothing, one
    /// that cannot be read gives -EFAULT after the update. A <c>va</c> that is not a guest address, an L1
    /// that cannot be reached or is not the caller's validated L1 table gives -EINVAL; the new entry's
    /// own errors are the frame table's. The _otherdomain form maps frames of <c>domid</c>
    /// (DOMID_SELF; DOMID_IO, DOMID_XEN or another domain for privileged callers, -EPERM otherwise;
    /// -ESRCH for a domain that does not exist, the caller's own numeric id included, as in Xen).
    /// </summary>
    public static class UpdateVaMappingHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            return Update(vcpu, args.A1, args.A2, args.A3, vcpu.Domain.Id);
        }

        public static long HandleOtherDomain(Vcpu vcpu, in HypercallArguments args)
        {
            int rc = MemoryOwners.GetPageOwner(vcpu, (ushort)args.A4, out ushort owner);
            if (rc != 0)
                return rc;
            return Update(vcpu, args.A1, args.A2, args.A3, owner);
        }

        private static long Update(Vcpu vcpu, ulong va, ulong value, ulong flags, ushort pageOwner)
        {
            Domain domain = vcpu.Domain;
            if (pageOwner != domain.Id && !domain.IsPrivileged)
                return -XenErrno.EPERM;
            Host host = domain.Host;
            int rc = -XenErrno.EINVAL;
            if (host.PageWalk.TryFindL1Entry(GuestMode.CurrentTableFrame(vcpu), va, out ulong entry))
                rc = host.FrameTable.UpdateL1Entry(domain.Id, pageOwner, entry, value);
            if (rc != 0)
            {
                // Nothing changed, so nothing of the guest's to flush (Xen skips it too); only what the
                // frame table may owe.
                MemoryOwners.FinishTlb(host, false, false, 0);
                return rc;
            }

            bool flushAll = false, invalidate = false, others = false;
            ulong flushType = flags & UpdateVaMappingFlags.FlushTypeMask;
            if (flushType == UpdateVaMappingFlags.TlbFlush || flushType == UpdateVaMappingFlags.Invlpg)
            {
                ulong scope = flags & ~UpdateVaMappingFlags.FlushTypeMask;
                bool here = true;
                others = scope == UpdateVaMappingFlags.All;
                if (scope != UpdateVaMappingFlags.Local && scope != UpdateVaMappingFlags.All)
                    rc = MemoryOwners.SelectsVcpus(vcpu, scope, out here, out others);
                if (here)
                {
                    flushAll = flushType == UpdateVaMappingFlags.TlbFlush;
                    invalidate = flushType == UpdateVaMappingFlags.Invlpg;
                }
            }
            MemoryOwners.FinishTlb(host, flushAll, invalidate, va);
            if (others)
                host.Platform.FlushOtherCpus(domain);
            return rc;
        }
    }
}
