using Hypervisor.Abi;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// What every new domain gets before it has any memory of its own: an id in the domain list, its
    /// vCPUs (each with its vcpu_info in shared_info, events masked, as under Xen), and a zeroed
    /// shared_info frame that it owns, with the wall clock and each vCPU's time written in. Used by
    /// the boot-time builder for dom0 and by domctl createdomain for the toolstack's domains.
    /// </summary>
    public static class DomainCreation
    {
        /// <summary>vCPUs a domain may have: as many as shared_info has vcpu_info slots for.</summary>
        public const int MaxVcpus = SharedInfo.LegacyMaxVcpus;

        /// <summary>Creates domain <paramref name="id"/> with <paramref name="vcpuCount"/> vCPUs; vCPU 0 is
        /// not initialised (no page tables yet). -EEXIST when the id is taken, -EINVAL when it is beyond
        /// the list or the vCPU count is out of range, -ENOMEM without a frame for shared_info.</summary>
        public static int Create(Host host, ushort id, bool privileged, int vcpuCount, out Domain domain)
        {
            domain = null;
            if (id >= DomainList.Capacity || vcpuCount < 1 || vcpuCount > MaxVcpus)
                return -XenErrno.EINVAL;
            if (host.Domains.Find(id) != null)
                return -XenErrno.EEXIST;
            if (!host.Frames.TryAllocate(out ulong sharedInfo))
                return -XenErrno.ENOMEM;
            host.Memory.Fill(sharedInfo, FrameAllocator.FrameSize, 0);
            var created = new Domain(host, id, privileged, vcpuCount);
            if (host.FrameTable != null)
                host.FrameTable.Assign(sharedInfo >> FrameAllocator.FrameShift, id);
            created.SharedInfoAddress = sharedInfo;
            // Events start masked in every vcpu_info of shared_info, as under Xen.
            for (ulong i = 0; i < SharedInfo.LegacyMaxVcpus; i++)
                host.Memory.Write8(sharedInfo + i * VcpuInfo.Size + VcpuInfoAccess.UpcallMaskOffset, 1);
            ulong now = Time.SystemTime.Now(host);
            for (int i = 0; i < vcpuCount; i++)
            {
                Vcpu vcpu = created.Vcpus[i];
                vcpu.VcpuInfoAddress = sharedInfo + (ulong)i * VcpuInfo.Size;
                vcpu.PeriodicLastEvent = now;
                if (host.Clock != null)
                    host.Clock.WriteVcpuTime(host.Memory, vcpu.VcpuInfoAddress + VcpuInfoAccess.TimeOffset, host.Platform.ReadTimeStampCounter());
            }
            if (host.Clock != null)
                host.Clock.WriteWallClock(host.Memory, sharedInfo);
            created.HasIoPortAccess = privileged;
            host.Domains.Add(created);
            if (host.Scheduler != null)
            {
                for (int i = 0; i < vcpuCount; i++)
                    host.Scheduler.AddVcpu(created.Vcpus[i]);
            }
            domain = created;
            return 0;
        }
    }
}
