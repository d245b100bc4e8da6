using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// Xen's credit scheduler (credit1): every domain has a weight, its share of the machine against the
    /// other domains that want CPU time, and may have a cap, the most CPU time it may use at all. Each
    /// accounting period hands out the machine's CPU time as credit to the domains that competed for it,
    /// by weight; running debits the vCPU for the time it used. Each CPU has a run queue ordered by
    /// priority: BOOST (just woken with credit left: short I/O-bound work gets the CPU quickly) over
    /// UNDER (credit left) over OVER (credit spent, runs only when nothing UNDER wants the CPU). A CPU
    /// with nothing better than OVER to run takes better work from another CPU's queue.
    /// <para>Platform-neutral: the arch layer calls it with the system time, under one lock for the whole
    /// scheduler, and runs what <see cref="PickNext"/> returns until the time it says.</para>
    /// </summary>
    public sealed partial class CreditScheduler
    {
        /// <summary>How often a running vCPU is charged and its priority looked at again.</summary>
        public const ulong TickPeriod = 10_000_000;
        /// <summary>How often credits are handed out (three ticks, as in Xen).</summary>
        public const ulong AccountingPeriod = 3 * TickPeriod;
        public const ulong DefaultTimeSlice = 30_000_000;
        public const ulong MinimumTimeSlice = 1_000_000;
        public const ulong MaximumTimeSlice = 1_000_000_000;
        public const uint MinimumWeight = 1;
        public const uint MaximumWeight = 65535;
        public const uint MaximumCap = 65535;
        /// <summary>Most credit a vCPU may hold, and most debt: one period of one CPU. A vCPU that waits
        /// (blocked) cannot save up more than that for later, and one that used idle CPU time while
        /// nobody else wanted it is not punished for long once others do.</summary>
        public const long CreditBound = (long)AccountingPeriod;

        private readonly CreditRunQueue[] queues;
        /// <summary>What each CPU runs (null: idle).</summary>
        private readonly CreditVcpu[] running;
        private readonly ulong[] nextTick;
        /// <summary>Scheduler state of each domain by id.</summary>
        private readonly CreditDomain[] domains = new CreditDomain[DomainList.Capacity];
        /// <summary>Domain ids [0, domainSlots) may be in use.</summary>
        private int domainSlots;
        private ulong nextAccounting;
        private ulong timeSlice = DefaultTimeSlice;

        public CreditScheduler(int cpuCount)
        {
            CpuCount = cpuCount;
            queues = new CreditRunQueue[cpuCount];
            running = new CreditVcpu[cpuCount];
            nextTick = new ulong[cpuCount];
            for (int i = 0; i < cpuCount; i++)
                queues[i] = new CreditRunQueue();
            activeDomains = new int[DomainList.Capacity];
            shareWeights = new long[DomainList.Capacity];
            shareLimits = new long[DomainList.Capacity];
            shares = new long[DomainList.Capacity];
            saturated = new bool[DomainList.Capacity];
        }

        public int CpuCount { get; }

        /// <summary>How long a vCPU runs before others of its priority get their turn.</summary>
        public ulong TimeSlice => timeSlice;

        /// <summary>sysctl's rate limit, in us (Xen's default 1000; 0: none): once a vCPU has a CPU it keeps
        /// it at least this long while it stays runnable and does not yield, whatever wakes meanwhile, so
        /// a stream of wake-ups cannot switch the CPU back and forth faster than that.</summary>
        public uint RateLimitUs = 1000;

        /// <summary>sysctl's vCPU migration delay (us, default 0): kept and reported for the toolstack;
        /// this scheduler's decisions do not use it.</summary>
        public uint MigrationDelayUs;

        /// <summary>Sets <see cref="TimeSlice"/>; false (unchanged) outside 1 ms..1 s.</summary>
        public bool SetTimeSlice(ulong nanoseconds)
        {
            if (nanoseconds < MinimumTimeSlice || nanoseconds > MaximumTimeSlice)
                return false;
            timeSlice = nanoseconds;
            return true;
        }

        // ---- vCPUs and domains coming and going ----

        /// <summary>Takes a new vCPU on: vCPU i of a domain starts on CPU i % <see cref="CpuCount"/>, so a
        /// domain's vCPUs are spread. A runnable one is queued at once; returns the CPU that should call
        /// <see cref="PickNext"/> for it (-1: none needs to). Nothing happens for a vCPU already known.</summary>
        public int AddVcpu(Vcpu vcpu)
        {
            Domain domain = vcpu.Domain;
            CreditDomain owner = TakeOn(domain);
            if (owner == null || vcpu.Id >= owner.Vcpus.Length || owner.Vcpus[vcpu.Id] != null)
                return -1;
            var state = new CreditVcpu(vcpu, owner, vcpu.Id % CpuCount);
            owner.Vcpus[vcpu.Id] = state;
            vcpu.CreditState = state;
            if (!IsSchedulable(state))
                return -1;
            queues[state.Cpu].Insert(state, false);
            Runstate.Change(vcpu, VcpuRunstate.Runnable, vcpu.RunstateEntryTime);   // runnable since it was made
            return NeedsPreemption(state.Cpu, state) ? state.Cpu : -1;
        }

        /// <summary>Forgets every vCPU of <paramref name="domain"/> and its parameters. A CPU still running
        /// one of them is idle for the scheduler: its next <see cref="PickNext"/> charges nothing.</summary>
        public void RemoveDomain(Domain domain)
        {
            if (domain.Id >= DomainList.Capacity)
                return;
            CreditDomain owner = domains[domain.Id];
            if (owner == null || owner.Domain != domain)
                return;
            CreditVcpu[] vcpus = owner.Vcpus;
            for (int i = 0; i < vcpus.Length; i++)
            {
                CreditVcpu state = vcpus[i];
                if (state == null)
                    continue;
                if (state.IsQueued)
                    state.Queue.Remove(state);
                if (state.IsRunning && running[state.Cpu] == state)
                    running[state.Cpu] = null;
                state.IsRunning = false;
                vcpus[i] = null;
                if (state.Vcpu.CreditState == state)
                    state.Vcpu.CreditState = null;
            }
            domains[domain.Id] = null;
            while (domainSlots > 0 && domains[domainSlots - 1] == null)
                domainSlots--;
        }

        // ---- Runnable or not ----

        /// <summary>The vCPU may run again (its block or poll ended, it was unpaused or brought up).
        /// Queues it if it is runnable and neither running, queued nor parked by its cap. Woken with
        /// credit left, it is boosted. Returns the CPU that should call <see cref="PickNext"/> now because
        /// the vCPU beats what runs there (an idle CPU is beaten by anything), or -1. Idempotent.
        /// <paramref name="now"/> is when it woke: its runstate is runnable from then.</summary>
        public int Wake(Vcpu vcpu, ulong now)
        {
            CreditVcpu state = vcpu.CreditState;
            if (state == null)
                return -1;
            state.IsAsleep = false;
            if (state.IsRunning || state.IsQueued || !IsSchedulable(state))
                return -1;
            if (state.Credit >= 0)
                state.IsBoosted = true;
            int cpu = CpuForWake(state);
            state.Cpu = cpu;
            queues[cpu].Insert(state, false);
            Runstate.Change(vcpu, VcpuRunstate.Runnable, now);
            return NeedsPreemption(cpu, state) ? cpu : -1;
        }

        /// <summary>The vCPU must not run until <see cref="Wake"/> (it blocked, was paused or taken down,
        /// or its domain died). A queued vCPU leaves its queue; a running one keeps its CPU until that
        /// CPU's next <see cref="PickNext"/>, which then does not queue it again. Idempotent.</summary>
        public void Sleep(Vcpu vcpu)
        {
            CreditVcpu state = vcpu.CreditState;
            if (state == null)
                return;
            state.IsAsleep = true;
            if (state.IsQueued)
                state.Queue.Remove(state);
        }

        /// <summary>SCHEDOP_yield: at its CPU's next <see cref="PickNext"/> the vCPU lets the others of its
        /// priority, and one below, run first; alone, it runs on.</summary>
        public void Yield(Vcpu vcpu)
        {
            CreditVcpu state = vcpu.CreditState;
            if (state != null && state.IsRunning)
                state.HasYielded = true;
        }

        // ---- Choosing what runs ----

        /// <summary>
        /// The scheduling decision for <paramref name="cpu"/> at system time <paramref name="now"/>: charges
        /// what ran there since it was picked, hands out credits when an accounting period ended, queues the
        /// previous vCPU again if it is still runnable, and returns the vCPU to run (possibly the same one)
        /// or null to idle. The CPU must call again at <paramref name="runUntil"/> at the latest: the end of
        /// the slice or the next tick, whichever is first (ulong.MaxValue when idle and nothing anywhere
        /// can become runnable without a <see cref="Wake"/>, which names the CPU to wake).
        /// <paramref name="current"/> is what the last call on this CPU returned; the scheduler keeps its
        /// own record of that and trusts it.
        /// </summary>
        public Vcpu PickNext(int cpu, Vcpu current, ulong now, out ulong runUntil)
        {
            CreditVcpu previous = running[cpu];
            if (previous != null)
                Charge(previous, now);
            if (now >= nextAccounting)
                Account(now);
            if (now >= nextTick[cpu])
                nextTick[cpu] = NextBoundary(now, TickPeriod);

            CreditRunQueue queue = queues[cpu];
            bool yielded = previous != null && previous.HasYielded;
            if (previous != null)
            {
                previous.IsRunning = false;
                running[cpu] = null;
                // A vCPU in the middle of its slice goes in front of its equals, so it keeps the CPU
                // unless something better waits; at the end of its slice, or when it yielded, it goes
                // behind them.
                if (IsSchedulable(previous))
                {
                    if (previous.HasYielded)
                        queue.InsertYielded(previous);
                    else
                        queue.Insert(previous, now < previous.SliceEnd);
                }
                previous.HasYielded = false;
            }

            ulong rateLimitEnd = previous != null ? previous.RunningSince + (ulong)RateLimitUs * 1000 : 0;
            bool heldByRateLimit = previous != null && previous.IsQueued && !yielded && now < rateLimitEnd;
            CreditVcpu next;
            if (heldByRateLimit)
            {
                next = previous;
                queue.Remove(next);
            }
            else
            {
                next = FirstSchedulable(queue);
                CreditPriority best = next == null ? CreditPriority.Idle : next.Priority;
                CreditVcpu stolen = best <= CreditPriority.Over ? Steal(cpu, best) : null;
                if (stolen != null)
                    next = stolen;
                else if (next != null)
                    queue.Remove(next);
            }

            if (next == null)
            {
                if (previous != null)
                    Runstate.Change(previous.Vcpu, Runstate.Waiting(previous.Vcpu), now);
                runUntil = HasWorkElsewhere(cpu) ? nextTick[cpu] : ulong.MaxValue;
                return null;
            }
            if (next != previous)
                next.RunningSince = now;
            if (next != previous || now >= next.SliceEnd)
                next.SliceEnd = now + timeSlice;
            next.IsRunning = true;
            next.Cpu = cpu;
            next.ChargedUntil = now;
            running[cpu] = next;
            if (previous != null && previous != next)
                Runstate.Change(previous.Vcpu, Runstate.Waiting(previous.Vcpu), now);
            Runstate.Change(next.Vcpu, VcpuRunstate.Running, now);

            runUntil = next.SliceEnd < nextTick[cpu] ? next.SliceEnd : nextTick[cpu];
            if (heldByRateLimit && rateLimitEnd < runUntil && FirstSchedulable(queue) != null)
                runUntil = rateLimitEnd;    // then what waits gets its chance
            if (next.Owner.IsCapped)
            {
                // Stop in time to park it when the domain's budget runs out, shared by its vCPUs running now.
                ulong budgetEnd = now + BudgetShare(next.Owner);
                if (budgetEnd < runUntil)
                    runUntil = budgetEnd;
            }
            return next.Vcpu;
        }

        // ---- Parameters and figures ----

        /// <summary>XEN_DOMCTL_SCHEDOP_putinfo for the credit scheduler: weight 1..65535, cap in percent of
        /// one CPU (0: none). 0 or -EINVAL (nothing changed) for a weight or cap out of range.</summary>
        public int SetParameters(Domain domain, uint weight, uint cap)
        {
            if (weight < MinimumWeight || weight > MaximumWeight || cap > MaximumCap)
                return -XenErrno.EINVAL;
            CreditDomain owner = TakeOn(domain);
            if (owner == null)
                return -XenErrno.EINVAL;
            if (owner.Cap != cap)
            {
                // A new cap starts with one period's budget; lifting the cap releases a parked domain.
                owner.Budget = BudgetPerPeriod(cap);
                if (cap == 0 || owner.Budget > 0)
                    Unpark(owner);
            }
            owner.Weight = (ushort)weight;
            owner.Cap = (ushort)cap;
            return 0;
        }

        /// <summary>XEN_DOMCTL_SCHEDOP_getinfo: the defaults (256, no cap) for a domain never set.</summary>
        public void GetParameters(Domain domain, out ushort weight, out ushort cap)
        {
            CreditDomain owner = DomainState(domain);
            weight = owner == null ? CreditDomain.DefaultWeight : owner.Weight;
            cap = owner == null ? (ushort)0 : owner.Cap;
        }

        /// <summary>CPU time the vCPU has been charged, in ns (up to its CPU's last scheduling decision
        /// if it is running).</summary>
        public ulong CpuTime(Vcpu vcpu)
        {
            CreditVcpu state = vcpu.CreditState;
            return state == null ? 0 : state.CpuTime;
        }

        /// <summary>CPU time up to <paramref name="now"/>, counting the part of a slice that runs now.</summary>
        public ulong CpuTime(Vcpu vcpu, ulong now)
        {
            CreditVcpu state = vcpu.CreditState;
            if (state == null)
                return 0;
            ulong time = state.CpuTime;
            if (state.IsRunning && now > state.ChargedUntil)
                time += now - state.ChargedUntil;
            return time;
        }

        public bool IsRunning(Vcpu vcpu, out int cpu)
        {
            CreditVcpu state = vcpu.CreditState;
            cpu = state != null && state.IsRunning ? state.Cpu : -1;
            return cpu >= 0;
        }

        /// <summary>The vCPU's priority now (Idle for a vCPU the scheduler does not know).</summary>
        public CreditPriority PriorityOf(Vcpu vcpu)
        {
            CreditVcpu state = vcpu.CreditState;
            return state == null ? CreditPriority.Idle : state.Priority;
        }

        /// <summary>The vCPU's domain is over its cap until the next accounting period.</summary>
        public bool IsParked(Vcpu vcpu)
        {
            CreditVcpu state = vcpu.CreditState;
            return state != null && state.Owner.IsParked;
        }

        /// <summary>vCPUs waiting in <paramref name="cpu"/>'s run queue.</summary>
        public int QueueLength(int cpu) => queues[cpu].Count;

        /// <summary>An idle CPU that should call <see cref="PickNext"/> now, because
        /// <paramref name="cpu"/>'s queue holds work it could take (-1: none, or nothing waits). Asked
        /// after each decision: idle CPUs do not look at other queues on their own while nothing waits
        /// in them (<see cref="PickNext"/>'s runUntil), so a vCPU a decision left waiting is handed to
        /// one this way, as Xen's credit scheduler tickles an idle CPU.</summary>
        public int IdleCpuFor(int cpu)
        {
            if (queues[cpu].Count == 0)
                return -1;
            for (int offset = 1; offset < CpuCount; offset++)
            {
                int other = (cpu + offset) % CpuCount;
                if (running[other] == null && queues[other].Count == 0)
                    return other;
            }
            return -1;
        }

        // ---- Inside ----

        /// <summary>The domain's state, created with the defaults the first time (null for an id beyond
        /// the domain list).</summary>
        private CreditDomain TakeOn(Domain domain)
        {
            if (domain.Id >= DomainList.Capacity)
                return null;
            CreditDomain owner = domains[domain.Id];
            if (owner != null && owner.Domain != domain)
            {
                // A destroyed domain's id reused without RemoveDomain: forget the old one.
                RemoveDomain(owner.Domain);
                owner = null;
            }
            if (owner == null)
            {
                owner = new CreditDomain(domain);
                domains[domain.Id] = owner;
                if (domain.Id >= domainSlots)
                    domainSlots = domain.Id + 1;
            }
            return owner;
        }

        private CreditDomain DomainState(Domain domain)
        {
            if (domain.Id >= DomainList.Capacity)
                return null;
            CreditDomain owner = domains[domain.Id];
            return owner != null && owner.Domain == domain ? owner : null;
        }

        /// <summary>May be queued: not put to sleep, runnable as the vCPU itself sees it, and not parked.</summary>
        private static bool IsSchedulable(CreditVcpu state) =>
            !state.IsAsleep && !state.Owner.IsParked && state.Vcpu.IsRunnable;

        /// <summary>Debits the vCPU for the time since it was last charged. Being charged ends a boost;
        /// a capped domain that used up its budget is parked.</summary>
        private void Charge(CreditVcpu state, ulong now)
        {
            if (now > state.ChargedUntil)
            {
                ulong used = now - state.ChargedUntil;
                state.CpuTime += used;
                state.Credit -= (long)used;
                state.RanThisPeriod = true;
                if (state.Owner.IsCapped)
                    state.Owner.Budget -= (long)used;
                state.ChargedUntil = now;
            }
            state.IsBoosted = false;
            if (state.Owner.IsCapped && state.Owner.Budget <= 0)
                Park(state.Owner);
        }

        /// <summary>Takes the domain's vCPUs off the queues until its budget is refilled; running ones
        /// stop at their CPU's next decision.</summary>
        private static void Park(CreditDomain owner)
        {
            owner.IsParked = true;
            CreditVcpu[] vcpus = owner.Vcpus;
            for (int i = 0; i < vcpus.Length; i++)
            {
                CreditVcpu state = vcpus[i];
                if (state != null && state.IsQueued)
                    state.Queue.Remove(state);
            }
        }

        private void Unpark(CreditDomain owner)
        {
            if (!owner.IsParked)
                return;
            owner.IsParked = false;
            CreditVcpu[] vcpus = owner.Vcpus;
            for (int i = 0; i < vcpus.Length; i++)
            {
                CreditVcpu state = vcpus[i];
                if (state != null && !state.IsRunning && !state.IsQueued && IsSchedulable(state))
                    queues[state.Cpu].Insert(state, false);
            }
        }

        /// <summary>What a domain capped at <paramref name="cap"/> percent may run per period.</summary>
        private static long BudgetPerPeriod(uint cap) => (long)(cap * AccountingPeriod / 100);

        /// <summary>ns until the capped domain's budget runs out if all its running vCPUs go on running.</summary>
        private ulong BudgetShare(CreditDomain owner)
        {
            if (owner.Budget <= 0)
                return 1;
            ulong runningHere = 0;
            for (int i = 0; i < running.Length; i++)
            {
                if (running[i] != null && running[i].Owner == owner)
                    runningHere++;
            }
            ulong share = (ulong)owner.Budget / (runningHere == 0 ? 1 : runningHere);
            return share == 0 ? 1 : share;
        }

        /// <summary>The head of the queue, after dropping vCPUs that stopped being runnable while they
        /// waited without a <see cref="Sleep"/> (their domain died, they were blocked or taken down):
        /// a <see cref="Wake"/> queues them again.</summary>
        private static CreditVcpu FirstSchedulable(CreditRunQueue queue)
        {
            CreditVcpu first = queue.First;
            while (first != null && !IsSchedulable(first))
            {
                queue.Remove(first);
                first = queue.First;
            }
            return first;
        }

        /// <summary>The CPU a woken vCPU is queued on: its own if that is idle, else an idle one (rather than
        /// waiting or preempting), else its own.</summary>
        private int CpuForWake(CreditVcpu state)
        {
            if (running[state.Cpu] == null)
                return state.Cpu;
            for (int i = 0; i < CpuCount; i++)
            {
                if (running[i] == null && queues[i].Count == 0)
                    return i;
            }
            return state.Cpu;
        }

        /// <summary>The vCPU just queued on <paramref name="cpu"/> should run there before what runs now.</summary>
        private bool NeedsPreemption(int cpu, CreditVcpu state)
        {
            CreditVcpu current = running[cpu];
            return current == null || state.Priority > current.Priority;
        }

        /// <summary>Load balancing: takes the best queued vCPU of another CPU whose priority is above
        /// <paramref name="than"/>; a running vCPU is never taken. Searches from the next CPU on, so the
        /// CPUs do not all raid the same one.</summary>
        private CreditVcpu Steal(int cpu, CreditPriority than)
        {
            CreditVcpu best = null;
            for (int offset = 1; offset < CpuCount; offset++)
            {
                CreditVcpu candidate = FirstSchedulable(queues[(cpu + offset) % CpuCount]);
                if (candidate != null && candidate.Priority > than && (best == null || candidate.Priority > best.Priority))
                    best = candidate;
            }
            if (best != null)
                best.Queue.Remove(best);
            return best;
        }

        /// <summary>Something waits on another CPU (it could be stolen), or a parked domain will be let go
        /// at the next accounting: an idle CPU must look again at its next tick. What merely runs elsewhere
        /// cannot be taken; when a decision there leaves something waiting, <see cref="IdleCpuFor"/> names
        /// an idle CPU to wake.</summary>
        private bool HasWorkElsewhere(int cpu)
        {
            for (int i = 0; i < CpuCount; i++)
            {
                if (i != cpu && queues[i].Count != 0)
                    return true;
            }
            for (int id = 0; id < domainSlots; id++)
            {
                CreditDomain owner = domains[id];
                if (owner != null && owner.IsParked)
                    return true;
            }
            return false;
        }

        /// <summary>The first multiple of <paramref name="period"/> after <paramref name="now"/>.</summary>
        private static ulong NextBoundary(ulong now, ulong period) => now - now % period + period;
    }
}
