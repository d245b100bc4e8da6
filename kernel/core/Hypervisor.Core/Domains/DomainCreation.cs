using Hypervisor.Abi;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// What every new domain gets before it has any memory of its own: an id in the domain list, a
    /// zeroed shared_info frame that it owns with the wall clock written in and events masked in every
    /// vcpu_info (as under Xen), its grant table's first frame, and its vCPUs, now or later, each with
    /// its time written in. Used by
    /// the boot-time builder for dom0 and by domctl createdomain for the toolstack's domains.
    /// </summary>
    public static class DomainCreation
    {
        /// <summary>vCPUs a domain may have: as many as shared_info has vcpu_info slots for.</summary>
        public const int MaxVcpus = SharedInfo.LegacyMaxVcpus;

        /// <summary>Creates domain <paramref name="id"/>, which may have up to <paramref name="maxVcpus"/>
        /// vCPUs, and makes <paramref name="vcpuCount"/> of them now (<see cref="AddVcpus"/>; the toolstack
        /// makes them later with XEN_DOMCTL_max_vcpus). -EEXIST when the id is taken, -EINVAL when it is
        /// beyond the list or a vCPU count is out of range, -ENOMEM without a frame for shared_info.</summary>
        public static int Create(Host host, ushort id, bool privileged, int maxVcpus, int vcpuCount, out Domain domain)
        {
            domain = null;
            if (id >= DomainList.Capacity || maxVcpus < 1 || maxVcpus > MaxVcpus || vcpuCount < 0 || vcpuCount > maxVcpus)
                return -XenErrno.EINVAL;
            if (host.Domains.Find(id) != null)
                return -XenErrno.EEXIST;
            if (!host.Frames.TryAllocate(out ulong sharedInfo))
                return -XenErrno.ENOMEM;
            // A domain the toolstack makes has its objects in an arena of its own, with room for its
            // vCPUs, so that they go back with it; dom0 lives as long as the hypervisor.
            ulong arena = 0;
            if (!privileged && host.ObjectArenas != null)
            {
                arena = host.ObjectArenas.Create(DomainObjects.DomainBytes + (ulong)maxVcpus * DomainObjects.VcpuBytes);
                if (arena == 0)
                {
                    host.Frames.Free(sharedInfo);
                    return -XenErrno.ENOMEM;
                }
            }
            ulong heap = arena != 0 ? host.ObjectArenas.Enter(arena) : 0;
            var created = new Domain(host, id, privileged, 0, maxVcpus);
            if (arena != 0)
                host.ObjectArenas.Enter(heap);
            created.ObjectArena = arena;
            if (host.FrameTable != null)
                host.FrameTable.Assign(sharedInfo >> FrameAllocator.FrameShift, id);
            created.SharedInfoAddress = sharedInfo;
            // Events start masked in every vcpu_info of shared_info, as under Xen.
            for (ulong i = 0; i < SharedInfo.LegacyMaxVcpus; i++)
                host.Memory.Write8(sharedInfo + i * VcpuInfo.Size + VcpuInfoAccess.UpcallMaskOffset, 1);
            if (host.Clock != null)
                host.Clock.WriteWallClock(host.Memory, sharedInfo);
            created.HasIoPortAccess = privileged;
            // The grant table starts with one frame, as Xen's grant_table_init grows it at creation: its
            // first entries exist (and cost nothing later) before the domain asks for them.
            if (!created.Grants.EnsureFrames(created, 1))
            {
                if (host.FrameTable != null)
                    host.FrameTable.Release(sharedInfo >> FrameAllocator.FrameShift);
                host.Frames.Free(sharedInfo);
                if (arena != 0)
                    host.ObjectArenas.Release(arena);
                return -XenErrno.ENOMEM;
            }
            host.Domains.Add(created);
            AddVcpus(created, vcpuCount);
            domain = created;
            return 0;
        }

        /// <summary>Makes the domain's vCPUs up to <paramref name="count"/>: each gets its vcpu_info in
        /// shared_info with the time written in, and joins the scheduler, down until it is initialised
        /// and brought up. The ones there already stay as they are. -ENOMEM (none made) when memory for
        /// their objects is short.</summary>
        public static int AddVcpus(Domain domain, int count)
        {
            Host host = domain.Host;
            int first = domain.Vcpus.Length;
            if (count > domain.MaxVcpus)
                count = domain.MaxVcpus;
            if (count <= first)
                return 0;
            if (!DomainObjects.Reserve(domain, (ulong)(count - first) * DomainObjects.VcpuBytes))
                return -XenErrno.ENOMEM;
            ulong previous = DomainObjects.Enter(domain);
            domain.AddVcpus(count);
            ulong now = Time.SystemTime.Now(host);
            for (int i = first; i < domain.Vcpus.Length; i++)
            {
                Vcpu vcpu = domain.Vcpus[i];
                vcpu.VcpuInfoAddress = domain.SharedInfoAddress + (ulong)i * VcpuInfo.Size;
                vcpu.PeriodicLastEvent = now;
                vcpu.RunstateEntryTime = now;   // offline since it was made, as in Xen
                if (host.Clock != null)
                    host.Clock.WriteVcpuTime(host.Memory, vcpu.VcpuInfoAddress + VcpuInfoAccess.TimeOffset, host.Platform.ReadTimeStampCounter());
                if (host.Scheduler != null)
                    host.Scheduler.AddVcpu(vcpu);
            }
            DomainObjects.Leave(domain, previous);
            return 0;
        }
    }
}
