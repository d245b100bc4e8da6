using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Scheduling
{
    /// <summary>
    /// The credit scheduler (<see cref="CreditScheduler"/>): shares by weight, caps, boosts on wake-up,
    /// load balancing, parameters, and the vCPUs it must never run, mostly through
    /// <see cref="SchedulerSimulation"/> with a fake clock.
    /// </summary>
    public class CreditSchedulerTests
    {
        private const ulong Ms = SchedulerSimulation.Millisecond;
        private const ulong Second = SchedulerSimulation.Second;

        // ---- Fair shares ----

        /// <summary>
        /// Fair shares, in CPUs, of CPU-bound domains by water-filling: the <paramref name="cpus"/> CPUs
        /// are divided by weight, but a domain can use at most one CPU per vCPU (and at most its cap); a
        /// domain held at its limit gets exactly that, and what it cannot use is divided again by weight
        /// among the others, until nobody is over their limit.
        /// </summary>
        private static double[] FairShares(double cpus, uint[] weights, double[] limits)
        {
            int n = weights.Length;
            var shares = new double[n];
            var fixedAtLimit = new bool[n];
            bool changed = true;
            while (changed)
            {
                changed = false;
                double left = cpus;
                double weightLeft = 0;
                for (int i = 0; i < n; i++)
                {
                    if (fixedAtLimit[i])
                        left -= limits[i];
                    else
                        weightLeft += weights[i];
                }
                for (int i = 0; i < n; i++)
                {
                    if (fixedAtLimit[i])
                        continue;
                    shares[i] = left * weights[i] / weightLeft;
                    if (shares[i] > limits[i])
                    {
                        fixedAtLimit[i] = true;
                        shares[i] = limits[i];
                        changed = true;
                    }
                }
            }
            return shares;
        }

        [Fact]
        public void FairShares_WaterFilling_Weights1248OnTwoCpus()
        {
            // The weight-8 domain's 8/15 of two CPUs is more than its one vCPU can use: it gets one CPU,
            // and the other CPU is shared 1:2:4.
            double[] shares = FairShares(2, new uint[] { 1, 2, 4, 8 }, new double[] { 1, 1, 1, 1 });
            Assert.Equal(1.0 / 7, shares[0], 9);
            Assert.Equal(2.0 / 7, shares[1], 9);
            Assert.Equal(4.0 / 7, shares[2], 9);
            Assert.Equal(1.0, shares[3], 9);
        }

        [Fact]
        public void CreditShares_WaterFillingInIntegers_MatchesTheTestsOwn()
        {
            // The scheduler's integer division of one period of two CPUs (60 ms) for weights 1:2:4:8,
            // each domain limited to one CPU (30 ms), and with the first capped at 1 ms.
            var shares = new long[4];
            CreditShares.Divide(60_000_000, new long[] { 1, 2, 4, 8 }, new long[] { 30_000_000, 30_000_000, 30_000_000, 30_000_000 },
                                shares, new bool[4], 4);
            Assert.Equal(new long[] { 30_000_000 / 7, 60_000_000 / 7, 120_000_000 / 7, 30_000_000 }, shares);

            CreditShares.Divide(60_000_000, new long[] { 1, 2, 4, 8 }, new long[] { 1_000_000, 30_000_000, 30_000_000, 30_000_000 },
                                shares, new bool[4], 4);
            Assert.Equal(new long[] { 1_000_000, 29_000_000 / 3, 58_000_000 / 3, 30_000_000 }, shares);
        }

        /// <summary>Runs CPU-bound domains for 10 s and checks each got its fair share within 5%.</summary>
        private static void AssertFairShares(int cpus, int vcpusPerDomain, uint[] weights)
        {
            var sim = new SchedulerSimulation(cpus);
            var domains = new Domain[weights.Length];
            var limits = new double[weights.Length];
            for (int i = 0; i < weights.Length; i++)
            {
                domains[i] = sim.AddDomain((ushort)(i + 1), vcpusPerDomain, weights[i]);
                limits[i] = vcpusPerDomain;
            }
            ulong duration = 10 * Second;
            sim.Run(duration);

            double[] fair = FairShares(cpus, weights, limits);
            for (int i = 0; i < weights.Length; i++)
            {
                double got = (double)sim.Ran(domains[i]) / duration;
                Assert.True(Math.Abs(got - fair[i]) <= 0.05 * fair[i],
                            $"domain of weight {weights[i]}: {got:F4} CPUs, fair share {fair[i]:F4}");
            }
            for (int c = 0; c < cpus; c++)
                Assert.Equal(0UL, sim.Idle(c));
        }

        [Fact]
        public void Weights1248_SingleVcpuDomainsOnTwoCpus_GetWaterFilledSharesWithin5Percent() =>
            AssertFairShares(2, 1, new uint[] { 1, 2, 4, 8 });

        [Fact]
        public void Weights134_TwoVcpuDomainsOnTwoCpus_GetProportionalSharesWithin5Percent()
        {
            // 1:3:4 of two CPUs is a quarter, three quarters and one CPU: no domain is held by its
            // two vCPUs, so the shares are exactly proportional.
            double[] fair = FairShares(2, new uint[] { 1, 3, 4 }, new double[] { 2, 2, 2 });
            Assert.Equal(0.25, fair[0], 9);
            Assert.Equal(0.75, fair[1], 9);
            Assert.Equal(1.0, fair[2], 9);
            AssertFairShares(2, 2, new uint[] { 1, 3, 4 });
        }

        [Fact]
        public void EqualWeights_ThreeDomainsOnTwoCpus_ShareEvenly() =>
            AssertFairShares(2, 1, new uint[] { 256, 256, 256 });
    
        // ---- Caps ----

        [Fact]
        public void Cap25_NextToAnUncappedCpuBoundDomain_StaysWithin2PercentOfItsCapOver10Seconds()
        {
            var sim = new SchedulerSimulation(1);
            Domain capped = sim.AddDomain(1, 1, cap: 25);
            Domain free = sim.AddDomain(2, 1);
            sim.Run(10 * Second);

            double got = (double)sim.Ran(capped) / (10 * Second);
            Assert.True(Math.Abs(got - 0.25) <= 0.02 * 0.25, $"capped at 25%: {got:P3}");
            Assert.Equal(10 * Second - sim.Ran(capped), sim.Ran(free));   // the rest went to the other
        }

        [Fact]
        public void Cap50_TwoVcpuDomainOnTwoCpus_StaysWithin2PercentOfHalfACpu()
        {
            var sim = new SchedulerSimulation(2);
            Domain capped = sim.AddDomain(1, 2, weight: 1024, cap: 50);
            Domain free = sim.AddDomain(2, 2);
            sim.Run(10 * Second);

            double got = (double)sim.Ran(capped) / (10 * Second);
            Assert.True(Math.Abs(got - 0.5) <= 0.02 * 0.5, $"capped at 50%: {got:P3} of a CPU");
            Assert.Equal(20 * Second - sim.Ran(capped), sim.Ran(free));
        }

        [Fact]
        public void Cap_AloneOnTheMachine_LeavesTheRestIdle_AndLiftingItFreesTheDomain()
        {
            var sim = new SchedulerSimulation(1);
            Domain capped = sim.AddDomain(1, 1, cap: 25);
            sim.Run(3 * Second);
            Assert.InRange(sim.Ran(capped), 735 * Ms, 765 * Ms);
            Assert.Equal(3 * Second - sim.Ran(capped), sim.Idle(0));

            Assert.Equal(0, sim.Scheduler.SetParameters(capped, 256, 0));
            ulong before = sim.Ran(capped);
            sim.Run(1 * Second);
            Assert.InRange(sim.Ran(capped) - before, 990 * Ms, 1 * Second);
        }

        // ---- Boost ----

        [Fact]
        public void Wake_WhileUnder_BoostsAndPreemptsTheRunningVcpu()
        {
            var sim = new SchedulerSimulation(1);
            Vcpu hog = sim.AddDomain(1, 1).Vcpus[0];
            Vcpu waker = sim.AddDomain(2, 1).Vcpus[0];
            sim.Block(waker);
            sim.Run(95 * Ms);
            Assert.Same(hog, sim.RunningOn(0));
            Assert.Equal(CreditPriority.Under, sim.Scheduler.PriorityOf(waker));

            waker.IsBlocked = false;
            int cpu = sim.Scheduler.Wake(waker, sim.Now);

            Assert.Equal(0, cpu);                                   // CPU 0 must decide again now
            Assert.Equal(CreditPriority.Boost, sim.Scheduler.PriorityOf(waker));
            Vcpu next = sim.Scheduler.PickNext(0, hog, sim.Now, out ulong runUntil);
            Assert.Same(waker, next);
            Assert.True(sim.Scheduler.IsRunning(waker, out int on) && on == 0);
            Assert.False(sim.Scheduler.IsRunning(hog, out _));
            Assert.Equal(100 * Ms, runUntil);                       // the next tick ends the boost
            Assert.Equal(1, sim.Scheduler.QueueLength(0));          // the hog waits its turn

            sim.Scheduler.PickNext(0, waker, runUntil, out _);
            Assert.NotEqual(CreditPriority.Boost, sim.Scheduler.PriorityOf(waker));
        }

        [Fact]
        public void Wake_Over_IsNotBoosted_AndDoesNotPreemptAnUnderVcpu()
        {
            var s = new CreditScheduler(1);
            Vcpu hog = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu waker = NewDomain(s, 2, 1).Vcpus[0];
            Assert.Same(hog, s.PickNext(0, null, 0, out _));
            waker.IsBlocked = true;
            s.Sleep(waker);
            waker.CreditState.Credit = -5 * (long)Ms;

            waker.IsBlocked = false;
            Assert.Equal(-1, s.Wake(waker, 1 * Ms));
            Assert.Equal(CreditPriority.Over, s.PriorityOf(waker));
            Assert.Same(hog, s.PickNext(0, hog, 2 * Ms, out _));
        }

        [Fact]
        public void Wake_IsIdempotent_AndSleepToo()
        {
            var s = new CreditScheduler(1);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu b = NewDomain(s, 2, 1).Vcpus[0];
            Assert.Same(a, s.PickNext(0, null, 0, out _));
            Assert.Equal(-1, s.Wake(a, 0));                         // running
            Assert.Equal(-1, s.Wake(b, 0));                         // queued
            Assert.Equal(1, s.QueueLength(0));
            s.Sleep(b);
            s.Sleep(b);
            Assert.Equal(0, s.QueueLength(0));
            Assert.Equal(0, s.Wake(b, 0));                          // boosted over the UNDER one running
            Assert.Equal(-1, s.Wake(b, 0));
            Assert.Equal(1, s.QueueLength(0));
        }

        [Fact]
        public void BoostedWaker_WantingTwoThirdsOfTheCpu_DoesNotStarveACpuBoundVcpu()
        {
            // It runs 2 ms, blocks 1 ms and is woken, over and over: each wake-up with credit left boosts
            // it, but once it has used its share it is OVER, wakes unboosted and waits its turn.
            var sim = new SchedulerSimulation(1);
            Domain waker = sim.AddDomain(1, 1);
            Domain hog = sim.AddDomain(2, 1);
            sim.MakeBursty(waker.Vcpus[0], 2 * Ms, 1 * Ms);
            sim.Run(10 * Second);

            Assert.InRange((double)sim.Ran(hog) / (10 * Second), 0.475, 0.525);
            Assert.InRange((double)sim.Ran(waker) / (10 * Second), 0.475, 0.525);
            Assert.True(sim.WakesThatPreempted(waker.Vcpus[0]) > 0);
        }

        [Theory]
        [InlineData(0u, 0UL)]                 // no rate limit: every wake-up preempts at once
        [InlineData(1000u, 1_000_000UL)]      // Xen's default: a vCPU that just got the CPU keeps it 1 ms
        public void LightWaker_NextToCpuBoundVcpus_GetsAllItAsksFor_WaitingAtMostTheRateLimit(uint rateLimitUs, ulong worstLatency)
        {
            // 0.5 ms of work every 10 ms (an interrupt handler, a back end): each wake-up preempts the
            // CPU-bound vCPUs (once they have had the CPU for the rate limit), and they share the rest evenly.
            var sim = new SchedulerSimulation(2);
            sim.Scheduler.RateLimitUs = rateLimitUs;
            Domain light = sim.AddDomain(1, 1);
            Domain a = sim.AddDomain(2, 1), b = sim.AddDomain(3, 1), c = sim.AddDomain(4, 1);
            sim.MakeBursty(light.Vcpus[0], 500_000, 9_500_000);
            sim.Run(10 * Second);

            Assert.InRange(sim.Ran(light), 490 * Ms, 500 * Ms);
            Assert.InRange(sim.WorstWakeLatency(light.Vcpus[0]), 0UL, worstLatency);
            foreach (Domain d in new[] { a, b, c })
                Assert.InRange((double)sim.Ran(d) / (10 * Second), 0.65 * 0.95, 0.65 * 1.05);
        }

        // ---- Rate limit ----

        /// <summary>One CPU: the waker runs from 0 and blocks at 100 ms, when the hog gets the CPU; the
        /// waker, with credit left, is woken <paramref name="after"/> that. Returns the scheduler's choice then, and its runUntil.</summary>
        private static (Vcpu Next, ulong RunUntil, Vcpu Hog, Vcpu Waker) WakeDuringHogsStint(uint rateLimitUs, ulong after, bool hogYields = false, bool hogBlocks = false)
        {
            var s = new CreditScheduler(1) { RateLimitUs = rateLimitUs };
            Vcpu waker = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu hog = NewDomain(s, 2, 1).Vcpus[0];
            Assert.Same(waker, s.PickNext(0, null, 0, out _));
            waker.IsBlocked = true;
            s.Sleep(waker);
            Assert.Same(hog, s.PickNext(0, waker, 100 * Ms, out _));  // the hog's stint starts at 100 ms
            waker.CreditState.Credit = 10 * (long)Ms;                // credit left: the wake-up boosts it

            waker.IsBlocked = false;
            Assert.Equal(0, s.Wake(waker, 100 * Ms + after));     // boosted: CPU 0 is asked to decide again
            if (hogYields)
                s.Yield(hog);
            if (hogBlocks)
            {
                hog.IsBlocked = true;
                s.Sleep(hog);
            }
            Vcpu next = s.PickNext(0, hog, 100 * Ms + after, out ulong runUntil);
            return (next, runUntil, hog, waker);
        }

        [Fact]
        public void RateLimit_AVcpuThatJustGotTheCpuKeepsItUntilTheLimit_ThenTheWakerRuns()
        {
            var (next, runUntil, hog, _) = WakeDuringHogsStint(1000, 300_000);
            Assert.Same(hog, next);
            Assert.Equal(101 * Ms, runUntil);                       // 1 ms after it got the CPU
        }

        [Fact]
        public void RateLimit_PassedOrOff_TheWakerPreemptsAtOnce()
        {
            Assert.Equal("waker", Name(WakeDuringHogsStint(1000, 1 * Ms)));
            Assert.Equal("waker", Name(WakeDuringHogsStint(1000, 2 * Ms)));
            Assert.Equal("waker", Name(WakeDuringHogsStint(0, 1000)));
        }

        [Fact]
        public void RateLimit_DoesNotHoldAVcpuThatYieldedOrBlocked()
        {
            Assert.Equal("waker", Name(WakeDuringHogsStint(1000, 300_000, hogYields: true)));
            Assert.Equal("waker", Name(WakeDuringHogsStint(1000, 300_000, hogBlocks: true)));
        }

        private static string Name((Vcpu Next, ulong RunUntil, Vcpu Hog, Vcpu Waker) r) =>
            r.Next == r.Waker ? "waker" : r.Next == r.Hog ? "hog" : "other";

        // ---- Load balancing ----

        [Fact]
        public void IdleCpu_StealsAQueuedVcpuFromABusyCpu_ButNotTheOneRunningThere()
        {
            var s = new CreditScheduler(2);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];                   // vCPU 0 of each: both start on CPU 0
            Vcpu b = NewDomain(s, 2, 1).Vcpus[0];
            Assert.Equal(2, s.QueueLength(0));
            Assert.Same(a, s.PickNext(0, null, 0, out _));

            Assert.Same(b, s.PickNext(1, null, 0, out _));
            Assert.True(s.IsRunning(b, out int cpu) && cpu == 1);
            Assert.Equal(0, s.QueueLength(0));

            // Nothing left to steal: the vCPU running on CPU 0 stays there.
            s.Sleep(b);
            Assert.Null(s.PickNext(1, b, 1 * Ms, out ulong runUntil));
            Assert.True(s.IsRunning(a, out cpu) && cpu == 0);
            Assert.Equal(ulong.MaxValue, runUntil);                  // what only runs elsewhere cannot be taken: no polling
            Assert.Equal(-1, s.IdleCpuFor(0));
        }

        [Fact]
        public void ADecisionThatLeavesWorkWaitingNamesAnIdleCpuToTakeIt()
        {
            var s = new CreditScheduler(2);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];                   // both queued on CPU 0
            Vcpu b = NewDomain(s, 2, 1).Vcpus[0];
            Assert.Same(a, s.PickNext(0, null, 0, out _));
            Assert.Equal(1, s.QueueLength(0));                       // b waits on CPU 0 ...
            Assert.Equal(1, s.IdleCpuFor(0));                        // ... while CPU 1 idles: wake it
            Assert.Equal(-1, s.IdleCpuFor(1));                       // CPU 1's own queue is empty

            Assert.Same(b, s.PickNext(1, null, 0, out _));          // it steals b
            Assert.Equal(-1, s.IdleCpuFor(0));                       // nothing waits any more
        }

        [Fact]
        public void CpuWithOnlyAnOverVcpu_StealsAnUnderVcpuFromAnotherQueue()
        {
            var s = new CreditScheduler(2);
            Vcpu x = NewDomain(s, 1, 1).Vcpus[0];                   // CPU 0
            Vcpu y = NewDomain(s, 2, 1).Vcpus[0];                   // CPU 0
            Domain z = NewDomain(s, 3, 2);                           // vCPU 0 on CPU 0, vCPU 1 on CPU 1
            Assert.Same(x, s.PickNext(0, null, 0, out _));
            z.Vcpus[1].CreditState.Credit = -1;                      // OVER
            y.CreditState.Credit = 1;                                // UNDER, at the head of CPU 0's queue

            Assert.Same(y, s.PickNext(1, null, 0, out _));
            Assert.Equal(1, s.QueueLength(0));                       // z.0 stays
            Assert.Equal(1, s.QueueLength(1));                       // z.1 waits
        }

        [Fact]
        public void Wake_PrefersAnIdleCpuToWaitingOrPreempting()
        {
            var s = new CreditScheduler(2);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu b = NewDomain(s, 2, 1).Vcpus[0];
            s.Sleep(b);
            Assert.Same(a, s.PickNext(0, null, 0, out _));
            Assert.Null(s.PickNext(1, null, 0, out _));

            Assert.Equal(1, s.Wake(b, 1 * Ms));
            Assert.Same(b, s.PickNext(1, null, 1 * Ms, out _));
            Assert.True(s.IsRunning(a, out int cpu) && cpu == 0);
        }

        [Fact]
        public void IdleMachine_SleepsUntilAWakeUp()
        {
            var s = new CreditScheduler(2);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            s.Sleep(a);
            Assert.Null(s.PickNext(0, null, 0, out ulong runUntil));
            Assert.Equal(ulong.MaxValue, runUntil);
            Assert.Null(s.PickNext(1, null, 0, out runUntil));
            Assert.Equal(ulong.MaxValue, runUntil);
        }

        [Fact]
        public void RandomLoads_NoVcpuRunsOnTwoCpus_AndCpuTimeAddsUpToBusyTime()
        {
            // Three CPUs, domains of one to four vCPUs with random weights, some capped, some vCPUs
            // bursty; the simulation asserts at every decision that no vCPU is picked twice.
            var random = new Random(1234);
            var sim = new SchedulerSimulation(3);
            for (ushort id = 1; id <= 8; id++)
            {
                Domain d = sim.AddDomain(id, random.Next(1, 5), (uint)random.Next(1, 1000), id % 3 == 0 ? (uint)random.Next(10, 150) : 0);
                foreach (Vcpu v in d.Vcpus)
                {
                    if (random.Next(2) == 0)
                        sim.MakeBursty(v, (ulong)random.Next(100_000, 20_000_000), (ulong)random.Next(100_000, 20_000_000));
                }
            }
            for (int step = 0; step < 50; step++)
            {
                // Pause and unpause some vCPUs from outside, as the toolstack would.
                Vcpu v = sim.Vcpus[random.Next(sim.Vcpus.Count)];
                sim.Scheduler.Sleep(v);
                sim.RescheduleIfRunning(v);
                sim.Run((ulong)random.Next(1, 40) * Ms);
                sim.Kick(sim.Scheduler.Wake(v, sim.Now));
                sim.Run((ulong)random.Next(1, 40) * Ms);
            }

            ulong charged = 0, busy = 0;
            foreach (Vcpu v in sim.Vcpus)
            {
                Assert.Equal(sim.Ran(v), sim.Scheduler.CpuTime(v, sim.Now));
                charged += sim.Scheduler.CpuTime(v, sim.Now);
            }
            for (int c = 0; c < 3; c++)
                busy += sim.Now - sim.Idle(c);
            Assert.Equal(busy, charged);
            Assert.True(charged > 0);
        }

        // ---- Parameters ----

        [Fact]
        public void Parameters_DefaultWeight256NoCap_WeightBoundsRefused()
        {
            var s = new CreditScheduler(1);
            Domain d = NewDomain(s, 1, 1);
            s.GetParameters(d, out ushort weight, out ushort cap);
            Assert.Equal(256, weight);
            Assert.Equal(0, cap);

            Assert.Equal(-XenErrno.EINVAL, s.SetParameters(d, 0, 0));
            Assert.Equal(-XenErrno.EINVAL, s.SetParameters(d, 65536, 0));
            Assert.Equal(-XenErrno.EINVAL, s.SetParameters(d, 256, 65536));
            s.GetParameters(d, out weight, out cap);
            Assert.Equal(256, weight);
            Assert.Equal(0, cap);

            Assert.Equal(0, s.SetParameters(d, 65535, 200));
            s.GetParameters(d, out weight, out cap);
            Assert.Equal(65535, weight);
            Assert.Equal(200, cap);
            Assert.Equal(0, s.SetParameters(d, 1, 0));
            s.GetParameters(d, out weight, out cap);
            Assert.Equal(1, weight);
            Assert.Equal(0, cap);
        }

        [Fact]
        public void Cap0_IsNoCap_TheDomainUsesTheWholeMachine()
        {
            var sim = new SchedulerSimulation(2);
            Domain d = sim.AddDomain(1, 2, weight: 1, cap: 0);
            sim.Run(1 * Second);
            Assert.Equal(2 * Second, sim.Ran(d));
        }

        [Fact]
        public void TimeSlice_Defaults30Ms_SettableWithin1MsTo1S()
        {
            var s = new CreditScheduler(1);
            Assert.Equal(30 * Ms, s.TimeSlice);
            Assert.False(s.SetTimeSlice(Ms - 1));
            Assert.False(s.SetTimeSlice(Second + 1));
            Assert.Equal(30 * Ms, s.TimeSlice);
            Assert.True(s.SetTimeSlice(Ms));
            Assert.Equal(Ms, s.TimeSlice);
            Assert.True(s.SetTimeSlice(Second));

            Vcpu v = NewDomain(s, 1, 1).Vcpus[0];
            Assert.True(s.SetTimeSlice(4 * Ms));
            Assert.Same(v, s.PickNext(0, null, 0, out ulong runUntil));
            Assert.Equal(4 * Ms, runUntil);
        }

        [Fact]
        public void EqualVcpus_TakeTurnsAtTheEndOfEachSlice()
        {
            var s = new CreditScheduler(1);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu b = NewDomain(s, 2, 1).Vcpus[0];
            a.CreditState.Credit = b.CreditState.Credit = 60 * (long)Ms;   // both UNDER throughout
            Assert.True(s.SetTimeSlice(5 * Ms));

            Assert.Same(a, s.PickNext(0, null, 0, out ulong until));
            Assert.Equal(5 * Ms, until);
            Assert.Same(b, s.PickNext(0, a, until, out until));
            Assert.Equal(10 * Ms, until);
            Assert.Same(a, s.PickNext(0, b, until, out _));
        }

        // ---- Yield ----

        [Fact]
        public void Yield_LetsAnEqualRunFirst_ThenTheOtherMayYieldBack()
        {
            var s = new CreditScheduler(1);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu b = NewDomain(s, 2, 1).Vcpus[0];
            a.CreditState.Credit = b.CreditState.Credit = 60 * (long)Ms;
            Assert.Same(a, s.PickNext(0, null, 0, out _));

            s.Yield(a);                                              // mid-slice: without it, a would keep the CPU
            Assert.Same(b, s.PickNext(0, a, 1 * Ms, out _));
            Assert.Same(b, s.PickNext(0, b, 2 * Ms, out _));         // the yield was used up; b keeps its slice
            s.Yield(b);
            Assert.Same(a, s.PickNext(0, b, 3 * Ms, out _));
        }

        [Fact]
        public void Yield_Alone_RunsOnWithItsSlice()
        {
            var s = new CreditScheduler(1);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            a.CreditState.Credit = 60 * (long)Ms;
            Assert.Same(a, s.PickNext(0, null, 0, out ulong until));
            s.Yield(a);
            Assert.Same(a, s.PickNext(0, a, 1 * Ms, out ulong after));
            Assert.Equal(until, after);
            Assert.False(a.CreditState.HasYielded);
        }

        [Fact]
        public void Yield_GoesBehindOneLowerPriorityVcpu_AsCredit1Does()
        {
            var s = new CreditScheduler(1);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu over1 = NewDomain(s, 2, 1).Vcpus[0];
            Vcpu over2 = NewDomain(s, 3, 1).Vcpus[0];
            Assert.Same(a, s.PickNext(0, null, 0, out _));           // the first accounting is behind us
            a.CreditState.Credit = 60 * (long)Ms;
            over1.CreditState.Credit = over2.CreditState.Credit = -(long)Ms;   // OVER
            s.Yield(a);
            Assert.Same(over1, s.PickNext(0, a, 1 * Ms, out _));
            Assert.Same(a, s.PickNext(0, over1, 2 * Ms, out _));     // UNDER again ahead of the other OVER one
        }

        [Fact]
        public void Yield_OfAVcpuNotRunning_IsIgnored()
        {
            var s = new CreditScheduler(1);
            Vcpu a = NewDomain(s, 1, 1).Vcpus[0];
            Vcpu b = NewDomain(s, 2, 1).Vcpus[0];
            a.CreditState.Credit = b.CreditState.Credit = 60 * (long)Ms;
            Assert.Same(a, s.PickNext(0, null, 0, out _));
            s.Yield(b);
            Assert.False(b.CreditState.HasYielded);
            Assert.Same(a, s.PickNext(0, a, 1 * Ms, out _));
        }

        // ---- What must never run ----

        [Fact]
        public void BlockedPausedDownUninitialisedAndDeadVcpus_AreNeverPicked()
        {
            var s = new CreditScheduler(1);
            Domain d = NewDomain(s, 1, 4);
            d.Vcpus[0].IsBlocked = true;
            s.Sleep(d.Vcpus[1]);                                     // paused
            d.Vcpus[2].IsDown = true;
            d.Vcpus[3].KernelTableFrame = 0;                         // never initialised
            Domain dead = NewDomain(s, 2, 1);
            dead.State = DomainState.Crashed;

            for (ulong t = 0; t < 200 * Ms; t += 5 * Ms)
                Assert.Null(s.PickNext(0, null, t, out _));

            // A running vCPU that stops being runnable is not queued again.
            Domain live = NewDomain(s, 3, 1);
            Assert.Same(live.Vcpus[0], s.PickNext(0, null, 200 * Ms, out _));
            live.State = DomainState.ShutDown;
            Assert.Null(s.PickNext(0, live.Vcpus[0], 201 * Ms, out _));
            Assert.Equal(1 * Ms, s.CpuTime(live.Vcpus[0]));
        }

        [Fact]
        public void RemoveDomain_LeavesNothingBehind()
        {
            var s = new CreditScheduler(2);
            Domain gone = NewDomain(s, 1, 3);
            Domain stays = NewDomain(s, 2, 1);
            Assert.Same(gone.Vcpus[0], s.PickNext(0, null, 0, out _));
            Assert.Same(gone.Vcpus[1], s.PickNext(1, null, 0, out _));
            Assert.Equal(0, s.SetParameters(gone, 512, 50));

            s.RemoveDomain(gone);

            foreach (Vcpu v in gone.Vcpus)
            {
                Assert.Null(v.CreditState);
                Assert.False(s.IsRunning(v, out _));
                Assert.Equal(0UL, s.CpuTime(v));
            }
            Assert.Equal(1, s.QueueLength(0) + s.QueueLength(1));
            s.GetParameters(gone, out ushort weight, out ushort cap);
            Assert.Equal(256, weight);
            Assert.Equal(0, cap);
            for (ulong t = 1 * Ms; t < 100 * Ms; t += 1 * Ms)
            {
                for (int cpu = 0; cpu < 2; cpu++)
                {
                    Vcpu next = s.PickNext(cpu, null, t, out _);
                    Assert.True(next == null || next == stays.Vcpus[0]);
                }
            }

            // The id can be used again, from the defaults.
            Domain again = NewDomain(s, 1, 1);
            s.GetParameters(again, out weight, out _);
            Assert.Equal(256, weight);
            Assert.NotNull(again.Vcpus[0].CreditState);
        }

        // ---- Helpers ----

        private static readonly Host BareHost = new Host(null, null, null, null);

        /// <summary>A domain whose vCPUs are all initialised (runnable), added to <paramref name="s"/>.</summary>
        private static Domain NewDomain(CreditScheduler s, ushort id, int vcpus)
        {
            var d = new Domain(BareHost, id, false, vcpus);
            foreach (Vcpu v in d.Vcpus)
            {
                v.KernelTableFrame = 1;
                s.AddVcpu(v);
            }
            return d;
        }
    }
}
