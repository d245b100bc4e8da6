namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// What the credit scheduler runs first, highest value first: a vCPU just woken with credit left,
    /// then vCPUs with credit left, then vCPUs that have spent theirs. Idle is what a CPU runs when no
    /// vCPU is runnable; it is below every vCPU so that any vCPU beats it.
    /// </summary>
    public enum CreditPriority
    {
        Idle = 0,
        Over = 1,
        Under = 2,
        Boost = 3,
    }
}
