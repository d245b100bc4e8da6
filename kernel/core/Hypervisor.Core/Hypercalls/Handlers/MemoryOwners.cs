using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// What the memory hypercalls share: naming the domain a request is about (Xen's get_pg_owner and
    /// rcu_lock_domain_by_any_id), who may act on it (the default XSM policy), the vCPU bitmaps of the
    /// *_MULTI flushes, and the TLB flush owed once the frame table has changed a frame's type.
    /// </summary>
    internal static class MemoryOwners
    {
        /// <summary>
        /// get_pg_owner: whose frames a request may map or touch. DOMID_SELF is the caller; DOMID_IO and
        /// DOMID_XEN are the I/O and hypervisor owners of the frame table. A domain may not name itself
        /// by its numeric id (Xen: "cannot specify itself as foreign domain"): -ESRCH, as for an id that
        /// names no domain, or one being destroyed. Whether the caller may use another domain's frames is
        /// the caller's check (<see cref="MayActOn"/>).
        /// </summary>
        public static int GetPageOwner(Vcpu vcpu, ushort domid, out ushort owner)
        {
            owner = vcpu.Domain.Id;
            switch (domid)
            {
                case DomainId.Self:
                    return 0;
                case DomainId.Io:
                    owner = FrameOwner.Io;
                    return 0;
                case DomainId.Xen:
                    owner = FrameOwner.Hypervisor;
                    return 0;
                default:
                    {
                        if (domid == vcpu.Domain.Id)
                            return -XenErrno.ESRCH;
                        Domain foreign = vcpu.Domain.Host.Domains.Find(domid);
                        if (foreign == null || foreign.IsDying)
                            return -XenErrno.ESRCH;
                        owner = domid;
                        return 0;
                    }
            }
        }

        /// <summary>rcu_lock_domain_by_any_id: DOMID_SELF is the caller, any other id the domain with that
        /// id (null when there is none).</summary>
        public static Domain FindDomain(Vcpu vcpu, ushort domid)
        {
            return vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, domid);
        }

        /// <summary>Xen's default XSM_TARGET rule: a domain may act on itself; only a privileged one on
        /// any other owner.</summary>
        public static bool MayActOn(Domain caller, ushort owner)
        {
            return owner == caller.Id || caller.IsPrivileged;
        }

        /// <summary>
        /// vcpumask_to_pcpumask: 0 and whether the guest bitmap at <paramref name="bitmap"/> (64 vCPUs per
        /// word) selects any vCPU of the caller's domain, or -EFAULT when a word it needs cannot be read
        /// (nothing is then selected). Selecting any of them means flushing here: the caller is the one
        /// running here, and the others may have run here (a CPU that switches domains flushes anyway).
        /// </summary>
        public static int SelectsAnyVcpu(Vcpu vcpu, ulong bitmap, out bool any)
            => SelectsVcpus(vcpu, bitmap, out any, out _);

        /// <summary><see cref="SelectsAnyVcpu"/>, and whether a vCPU other than the caller is selected:
        /// then the CPUs running the domain elsewhere flush too (<see cref="HostPlatform.FlushOtherCpus"/>).</summary>
        public static int SelectsVcpus(Vcpu vcpu, ulong bitmap, out bool any, out bool others)
        {
            any = false;
            others = false;
            int vcpus = vcpu.Domain.Vcpus.Length;
            for (int bias = 0; bias < vcpus; bias += 64, bitmap += 8)
            {
                if (!GuestMemory.TryRead(vcpu, bitmap, out ulong word))
                {
                    any = false;
                    others = false;
                    return -XenErrno.EFAULT;
                }
                while (word != 0)
                {
                    int bit = LowestSetBit(word);
                    word &= word - 1;
                    if (bias + bit >= vcpus)
                        return 0;
                    any = true;
                    if (bias + bit != vcpu.Id)
                        others = true;
                }
            }
            return 0;
        }

        /// <summary>Flushes this CPU's TLB when <paramref name="flushRequested"/> or when the frame table
        /// changed a frame's type since the last flush (a stale writable or page-table translation must
        /// not survive into the guest); then <paramref name="invalidate"/> alone, when set and no full
        /// flush was needed, drops the translation of <paramref name="address"/>.</summary>
        public static void FinishTlb(Host host, bool flushRequested, bool invalidate, ulong address)
        {
            FrameTable frames = host.FrameTable;
            if (flushRequested || frames.TlbFlushPending)
            {
                host.Platform.FlushTlb();
                frames.ClearTlbFlushPending();
            }
            else if (invalidate)
            {
                host.Platform.InvalidatePage(address);
            }
        }

        private static int LowestSetBit(ulong word)
        {
            int bit = 0;
            if ((word & 0xFFFFFFFF) == 0) { word >>= 32; bit += 32; }
            if ((word & 0xFFFF) == 0) { word >>= 16; bit += 16; }
            if ((word & 0xFF) == 0) { word >>= 8; bit += 8; }
            if ((word & 0xF) == 0) { word >>= 4; bit += 4; }
            if ((word & 0x3) == 0) { word >>= 2; bit += 2; }
            if ((word & 0x1) == 0) bit += 1;
            return bit;
        }
    }
}
