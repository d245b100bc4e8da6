using System.Runtime.CompilerServices;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// The credit scheduler's view of one domain: its weight and cap (XEN_DOMCTL_SCHEDOP), its vCPUs'
    /// scheduler state by vCPU id, and, for a capped domain, the CPU time it may still use in the
    /// current accounting period.
    /// </summary>
    public sealed class CreditDomain
    {
        public const ushort DefaultWeight = 256;

        public CreditDomain(Domain domain)
        {
            Domain = domain;
            Vcpus = new CreditVcpu[domain.MaxVcpus];
        }

        public Domain Domain { get; }

        /// <summary>Scheduler state of vCPU i (null until it is added).</summary>
        public readonly CreditVcpu[] Vcpus;

        /// <summary>Relative share of the machine among domains that compete for it (1..65535).</summary>
        public ushort Weight = DefaultWeight;

        /// <summary>Most CPU time it may use, in percent of one CPU (0: no limit).</summary>
        public ushort Cap;

        /// <summary>For a capped domain: ns it may still run in this accounting period. Overshoot is
        /// carried into the next period as a debt, so the cap holds over time.</summary>
        public long Budget;

        /// <summary>Over its cap: none of its vCPUs is queued until an accounting period gives it
        /// budget again.</summary>
        public bool IsParked;

        /// <summary>How many of its vCPUs took part in the last hand-out of credits.</summary>
        public int ActiveVcpus;

        public bool IsCapped
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Cap != 0;
        }
    }
}
