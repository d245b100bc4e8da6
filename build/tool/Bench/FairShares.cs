using System;

namespace Hypervisor.Tool.Bench
{
    /// <summary>
    /// What a proportional-share scheduler owes each competitor: the CPUs divided in proportion to the
    /// weights, where nobody gets more than its limit (one CPU per vCPU, or its cap) and what a limited
    /// competitor cannot take goes to the others, again by weight ("water-filling"). The targets the
    /// scheduler benchmark measures against.
    /// </summary>
    public static class FairShares
    {
        /// <summary>Each competitor's share of <paramref name="capacity"/> (in CPUs): weights positive,
        /// limits (in CPUs) not negative.</summary>
        public static double[] Divide(double capacity, double[] weights, double[] limits)
        {
            if (weights.Length != limits.Length)
                throw new ArgumentException("one limit per weight");
            int n = weights.Length;
            var shares = new double[n];
            var saturated = new bool[n];
            double left = capacity, weightLeft = 0;
            for (int i = 0; i < n; i++)
            {
                if (!(weights[i] > 0))
                    throw new ArgumentException($"weight {i} is {weights[i]}: weights must be positive");
                weightLeft += weights[i];
            }
            // A competitor limited below its proportional share only raises everyone else's, so once
            // saturated it stays so: repeat until nobody new saturates.
            bool changed = true;
            while (changed && weightLeft > 0)
            {
                changed = false;
                for (int i = 0; i < n; i++)
                {
                    if (saturated[i] || left * weights[i] / weightLeft < limits[i])
                        continue;
                    saturated[i] = true;
                    shares[i] = limits[i];
                    left -= limits[i];
                    weightLeft -= weights[i];
                    changed = true;
                }
            }
            for (int i = 0; i < n; i++)
            {
                if (!saturated[i])
                    shares[i] = left * weights[i] / weightLeft;
            }
            return shares;
        }
    }
}
