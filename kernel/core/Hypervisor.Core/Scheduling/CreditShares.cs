namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// Divides CPU time among competitors in proportion to their weights, where no competitor gets more
    /// than its limit (what its vCPUs can use, or its cap) and what a limited one cannot use goes to the
    /// others, again by weight ("water-filling"). Integer arithmetic only.
    /// </summary>
    public static class CreditShares
    {
        /// <summary>Fills <paramref name="shares"/>[0..count) from <paramref name="total"/>;
        /// <paramref name="saturated"/> is scratch space of at least <paramref name="count"/> entries.
        /// Weights must be positive; products of total and a weight must fit in a long.</summary>
        public static void Divide(long total, long[] weights, long[] limits, long[] shares, bool[] saturated, int count)
        {
            long weightLeft = 0;
            for (int i = 0; i < count; i++)
            {
                weightLeft += weights[i];
                saturated[i] = false;
                shares[i] = 0;
            }
            long left = total;
            // Giving a limited competitor less than its proportional share only raises everyone else's
            // rate, so a competitor once saturated stays saturated: repeat until nobody new saturates.
            bool changed = true;
            while (changed && weightLeft > 0)
            {
                changed = false;
                for (int i = 0; i < count; i++)
                {
                    if (saturated[i] || weightLeft == 0 || left * weights[i] / weightLeft < limits[i])
                        continue;
                    saturated[i] = true;
                    shares[i] = limits[i];
                    left -= limits[i];
                    weightLeft -= weights[i];
                    changed = true;
                }
            }
            if (weightLeft == 0)
                return;
            for (int i = 0; i < count; i++)
            {
                if (!saturated[i])
                    shares[i] = left * weights[i] / weightLeft;
            }
        }
    }
}
