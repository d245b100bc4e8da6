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
            clock.WriteVcpuTime(host.Memory, vcpu.VcpuInfoAddress + VcpuInfoAccess.TimeOffset, host.Platform.ReadTimeStampCounter());
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
