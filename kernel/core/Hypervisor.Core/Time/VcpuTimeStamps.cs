using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Time
{
    /// <summary>
    /// Keeps every vCPU's vcpu_time_info current, as Xen does: a fresh stamp (a TSC value and the system
    /// time at it, the version bumped odd then even around the write) when a vCPU is switched onto a
    /// CPU, and for every vCPU once per <see cref="Epoch"/>, Xen's calibration period. The scale does not
    /// change (one TSC rate for the machine), so each stamp lies exactly on the line of the one before:
    /// the guest's clock does not jump, but a guest that follows the version sees the updates the ABI
    /// promises, and the TSC deltas it scales stay short.
    /// </summary>
    public static class VcpuTimeStamps
    {
        /// <summary>How often every vCPU gets a fresh stamp: 1 s (Xen's EPOCH).</summary>
        public const ulong Epoch = 1_000_000_000;

        /// <summary>A fresh stamp for one vCPU (nothing before the clock exists).</summary>
        public static void Stamp(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            SystemClock clock = host.Clock;
            if (clock == null)
                return;
            ulong timeInfo = vcpu.VcpuInfoAddress + VcpuInfoAccess.TimeOffset;
            clock.WriteVcpuTime(host.Memory, timeInfo, host.Platform.ReadTimeStampCounter());
            if (vcpu.TimeArea != 0)
                CopyToTimeArea(vcpu, host, timeInfo);
        }

        // The registered copy gets the stamp just written, with the same version protocol: the version
        // odd first, then the fields, then the version even. Through the vCPU's kernel page tables (the
        // area is kernel or vDSO memory mapped there); a failed write is ignored, as by Xen.
        private static unsafe void CopyToTimeArea(Vcpu vcpu, Host host, ulong timeInfo)
        {
            if (host.PageWalk == null || vcpu.KernelTableFrame == 0)
                return;
            VcpuTimeInfo copy;
            host.Memory.ReadBytes(timeInfo, new System.Span<byte>(&copy, sizeof(VcpuTimeInfo)));
            uint done = copy.Version;
            uint updating = done - 1;   // the stamp's own odd version
            ulong area = vcpu.TimeArea;
            if (!host.PageWalk.TryWrite(vcpu.KernelTableFrame, area, new System.ReadOnlySpan<byte>(&updating, sizeof(uint))))
                return;
            copy.Version = updating;
            host.PageWalk.TryWrite(vcpu.KernelTableFrame, area, new System.ReadOnlySpan<byte>(&copy, sizeof(VcpuTimeInfo)));
            host.PageWalk.TryWrite(vcpu.KernelTableFrame, area, new System.ReadOnlySpan<byte>(&done, sizeof(uint)));
        }

        /// <summary>At each epoch boundary: a fresh stamp for every vCPU of every live domain.</summary>
        public static void Expire(Host host, ulong now)
        {
            SystemClock clock = host.Clock;
            if (clock == null || now < clock.NextEpoch)
                return;
            clock.NextEpoch = now - now % Epoch + Epoch;
            DomainList domains = host.Domains;
            for (int d = 0; d < domains.Count; d++)
            {
                Domain domain = domains.At(d);
                if (domain == null || !domain.IsAlive)
                    continue;
                Vcpu[] vcpus = domain.Vcpus;
                for (int i = 0; i < vcpus.Length; i++)
                    Stamp(vcpus[i]);
            }
        }

        /// <summary>When the next epoch's stamps are due (0: no clock, nothing due).</summary>
        public static ulong NextDue(Host host) => host.Clock == null ? 0 : host.Clock.NextEpoch;
    }
}
