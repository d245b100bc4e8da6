namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// The credit scheduler's hold on a vCPU: its credit, priority, queue links and CPU time live in a
    /// scheduler object, so the scheduler reaches them from a Vcpu in one load and Vcpu itself stays
    /// ignorant of the scheduling policy.
    /// </summary>
    public sealed partial class Vcpu
    {
        /// <summary>Set by <see cref="Scheduling.CreditScheduler.AddVcpu"/>, cleared when the domain is
        /// removed from the scheduler (null: the scheduler does not know this vCPU).</summary>
        public Scheduling.CreditVcpu CreditState;
    }
}
