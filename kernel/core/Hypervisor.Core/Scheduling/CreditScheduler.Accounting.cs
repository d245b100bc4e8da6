namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// The hand-out of credits at the end of each accounting period. The machine's CPU time for one
    /// period is divided among the active domains by weight (times their active vCPUs, as in Xen), none
    /// getting more than its active vCPUs can run nor more than its cap, and what those cannot use goes
    /// to the others. A domain's share is spread evenly over its active vCPUs. Active means: it ran during
    /// the period, it is runnable, or it is still in debt (so a vCPU that overran and then blocked pays
    /// its debt back rather than having it forgotten). A blocked vCPU that already holds all the credit it
    /// may (it does not use what it gets) gets no more, and the other domains share what it leaves.
    /// </summary>
    public sealed partial class CreditScheduler
    {
        // Scratch space for one accounting, by position among the active domains.
        private readonly int[] activeDomains;
        private readonly long[] shareWeights;
        private readonly long[] shareLimits;
        private readonly long[] shares;
        private readonly bool[] saturated;

        private void Account(ulong now)
        {
            // Charge what runs now, so that credits and caps count the whole period.
            for (int cpu = 0; cpu < CpuCount; cpu++)
            {
                if (running[cpu] != null)
                    Charge(running[cpu], now);
            }

            int count = 0;
            for (int id = 0; id < domainSlots; id++)
            {
                CreditDomain owner = domains[id];
                if (owner == null)
                    continue;
                // No more than its vCPUs can run in a period; and a vCPU that is not runnable now gets
                // no more than it can hold, so that credit it does not use (it runs briefly and blocks)
                // goes to the domains that want it.
                int active = 0;
                long limit = 0;
                CreditVcpu[] vcpus = owner.Vcpus;
                for (int i = 0; i < vcpus.Length; i++)
                {
                    CreditVcpu state = vcpus[i];
                    if (state == null || !IsActive(state))
                        continue;
                    active++;
                    long room = IsWaiting(state) ? CreditBound - state.Credit : (long)AccountingPeriod;
                    limit += room < 0 ? 0 : room < (long)AccountingPeriod ? room : (long)AccountingPeriod;
                }
                owner.ActiveVcpus = active;
                if (active == 0)
                    continue;
                if (owner.IsCapped && BudgetPerPeriod(owner.Cap) < limit)
                    limit = BudgetPerPeriod(owner.Cap);
                activeDomains[count] = id;
                shareWeights[count] = owner.Weight * (long)active;
                shareLimits[count] = limit;
                count++;
            }
            CreditShares.Divide(CpuCount * (long)AccountingPeriod, shareWeights, shareLimits, shares, saturated, count);

            for (int i = 0; i < count; i++)
            {
                CreditDomain owner = domains[activeDomains[i]];
                long perVcpu = shares[i] / owner.ActiveVcpus;
                long remainder = shares[i] % owner.ActiveVcpus;
                CreditVcpu[] vcpus = owner.Vcpus;
                for (int v = 0; v < vcpus.Length; v++)
                {
                    CreditVcpu state = vcpus[v];
                    if (state == null || !IsActive(state))
                        continue;
                    state.Credit += perVcpu;
                    if (remainder > 0)
                    {
                        state.Credit++;
                        remainder--;
                    }
                }
            }

            for (int id = 0; id < domainSlots; id++)
            {
                CreditDomain owner = domains[id];
                if (owner == null)
                    continue;
                CreditVcpu[] vcpus = owner.Vcpus;
                for (int v = 0; v < vcpus.Length; v++)
                {
                    CreditVcpu state = vcpus[v];
                    if (state == null)
                        continue;
                    if (state.Credit > CreditBound)
                        state.Credit = CreditBound;
                    else if (state.Credit < -CreditBound)
                        state.Credit = -CreditBound;
                    state.RanThisPeriod = false;
                }
                if (owner.IsCapped)
                {
                    // A new period's budget; debt from overshooting the last one is paid first, savings
                    // are not kept.
                    long perPeriod = BudgetPerPeriod(owner.Cap);
                    owner.Budget = owner.Budget > 0 ? perPeriod : owner.Budget + perPeriod;
                    if (owner.Budget > 0)
                        Unpark(owner);
                }
            }

            // Credits moved vCPUs between UNDER and OVER.
            for (int cpu = 0; cpu < CpuCount; cpu++)
                queues[cpu].Sort();
            nextAccounting = NextBoundary(now, AccountingPeriod);
        }

        /// <summary>Blocked or asleep: it does not want CPU time now.</summary>
        private static bool IsWaiting(CreditVcpu state) => state.IsAsleep || !state.Vcpu.IsRunnable;

        private static bool IsActive(CreditVcpu state) =>
            state.RanThisPeriod || state.Credit < 0 || (!state.IsAsleep && state.Vcpu.IsRunnable);
    }
}
