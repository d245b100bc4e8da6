using System.Collections.Generic;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Scheduling;
using Xunit;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>
    /// A discrete-event simulation of a machine under the <see cref="CreditScheduler"/>: a fake clock in
    /// ns, each CPU calling <see cref="CreditScheduler.PickNext"/> when its last decision said (or at once
    /// when a wake-up names it), and vCPUs that are either CPU-bound (never block) or bursty (use some CPU
    /// time, block for a while, are woken as an event would wake them). It measures, independently of the
    /// scheduler, how long each vCPU ran and how long each CPU idled, and fails the test at once if a vCPU
    /// is picked on two CPUs at the same time or a vCPU that may not run is picked.
    /// </summary>
    internal sealed class SchedulerSimulation
    {
        private readonly Host host = new Host(null, null, null, null);
        private readonly Vcpu[] onCpu;
        private readonly ulong[] nextCall;
        private readonly ulong[] accountedUntil;
        private readonly ulong[] idle;
        private readonly Dictionary<Vcpu, Load> loads = new Dictionary<Vcpu, Load>();
        private readonly List<Vcpu> vcpus = new List<Vcpu>();

        public SchedulerSimulation(int cpus)
        {
            Scheduler = new CreditScheduler(cpus);
            onCpu = new Vcpu[cpus];
            nextCall = new ulong[cpus];
            accountedUntil = new ulong[cpus];
            idle = new ulong[cpus];
        }

        public const ulong Millisecond = 1_000_000;
        public const ulong Second = 1_000_000_000;

        public CreditScheduler Scheduler { get; }
        public ulong Now { get; private set; }
        /// <summary>How many scheduling decisions were made.</summary>
        public int Decisions { get; private set; }

        /// <summary>What one vCPU does; a CPU-bound vCPU has <see cref="Burst"/> 0.</summary>
        private sealed class Load
        {
            public ulong Burst;
            public ulong Pause;
            /// <summary>CPU time left in the current burst.</summary>
            public ulong Remaining;
            /// <summary>When a blocked bursty vCPU is woken (0: not blocked).</summary>
            public ulong WakeAt;
            public ulong Ran;
            public int Wakes;
            public int WakesThatPreempted;
            /// <summary>Longest time from a wake-up to being picked.</summary>
            public ulong WorstLatency;
            public ulong WokenAt;
        }

        /// <summary>A domain with <paramref name="vcpuCount"/> CPU-bound vCPUs, taken on by the scheduler
        /// with the given parameters.</summary>
        public Domain AddDomain(ushort id, int vcpuCount, uint weight = CreditDomain.DefaultWeight, uint cap = 0)
        {
            var domain = new Domain(host, id, false, vcpuCount);
            Assert.Equal(0, Scheduler.SetParameters(domain, weight, cap));
            for (int i = 0; i < vcpuCount; i++)
            {
                Vcpu v = domain.Vcpus[i];
                v.KernelTableFrame = 1;   // initialised: runnable
                loads[v] = new Load();
                vcpus.Add(v);
                Kick(Scheduler.AddVcpu(v));
            }
            return domain;
        }

        /// <summary>Makes <paramref name="vcpu"/> run <paramref name="burst"/> ns of CPU time, then block for
        /// <paramref name="pause"/> ns, over and over.</summary>
        public void MakeBursty(Vcpu vcpu, ulong burst, ulong pause)
        {
            Load load = loads[vcpu];
            load.Burst = burst;
            load.Pause = pause;
            load.Remaining = burst;
        }

        /// <summary>Runs the machine for <paramref name="duration"/> ns of simulated time.</summary>
        public void Run(ulong duration)
        {
            ulong end = Now + duration;
            while (true)
            {
                ulong t = end;
                int cpu = -1;
                Vcpu waking = null;
                for (int c = 0; c < onCpu.Length; c++)
                {
                    ulong due = CpuEventTime(c);
                    if (due < t)
                    {
                        t = due;
                        cpu = c;
                    }
                }
                foreach (Vcpu v in vcpus)
                {
                    Load load = loads[v];
                    if (load.WakeAt != 0 && load.WakeAt < t)
                    {
                        t = load.WakeAt;
                        waking = v;
                        cpu = -1;
                    }
                }
                Advance(t);
                if (waking != null)
                    WakeUp(waking);
                else if (cpu >= 0)
                    Decide(cpu);
                else
                    return;
            }
        }

        /// <summary>CPU time the simulation saw <paramref name="vcpu"/> use.</summary>
        public ulong Ran(Vcpu vcpu) => loads[vcpu].Ran;

        /// <summary>CPU time the simulation saw the domain's vCPUs use, together.</summary>
        public ulong Ran(Domain domain)
        {
            ulong total = 0;
            foreach (Vcpu v in domain.Vcpus)
                total += loads[v].Ran;
            return total;
        }

        public ulong Idle(int cpu) => idle[cpu];
        public int Wakes(Vcpu vcpu) => loads[vcpu].Wakes;
        public int WakesThatPreempted(Vcpu vcpu) => loads[vcpu].WakesThatPreempted;
        public ulong WorstWakeLatency(Vcpu vcpu) => loads[vcpu].WorstLatency;
        public Vcpu RunningOn(int cpu) => onCpu[cpu];
        public IReadOnlyList<Vcpu> Vcpus => vcpus;

        /// <summary>Blocks or unblocks a vCPU from the test (as an event or SCHEDOP_block would).</summary>
        public void Block(Vcpu vcpu)
        {
            vcpu.IsBlocked = true;
            Scheduler.Sleep(vcpu);
            RescheduleIfRunning(vcpu);
        }

        public void Unblock(Vcpu vcpu)
        {
            vcpu.IsBlocked = false;
            Kick(Scheduler.Wake(vcpu, Now));
        }

        /// <summary>A paused (or taken down, or dead) vCPU: the CPU running it must decide again now.</summary>
        public void RescheduleIfRunning(Vcpu vcpu)
        {
            for (int c = 0; c < onCpu.Length; c++)
            {
                if (onCpu[c] == vcpu)
                    nextCall[c] = Now;
            }
        }

        /// <summary>The CPU is to call PickNext at once (a wake-up named it).</summary>
        public void Kick(int cpu)
        {
            if (cpu >= 0)
                nextCall[cpu] = Now;
        }

        private ulong CpuEventTime(int c)
        {
            Vcpu v = onCpu[c];
            if (v == null)
                return nextCall[c];
            Load load = loads[v];
            if (load.Burst == 0 || load.WakeAt != 0)
                return nextCall[c];
            ulong burstEnd = accountedUntil[c] + load.Remaining;
            return burstEnd < nextCall[c] ? burstEnd : nextCall[c];
        }

        private void Advance(ulong t)
        {
            for (int c = 0; c < onCpu.Length; c++)
            {
                ulong elapsed = t - accountedUntil[c];
                accountedUntil[c] = t;
                Vcpu v = onCpu[c];
                if (v == null)
                {
                    idle[c] += elapsed;
                    continue;
                }
                Load load = loads[v];
                load.Ran += elapsed;
                if (load.Burst != 0)
                    load.Remaining -= elapsed;
            }
            Now = t;
        }

        private void WakeUp(Vcpu v)
        {
            Load load = loads[v];
            load.WakeAt = 0;
            load.Remaining = load.Burst;
            load.Wakes++;
            load.WokenAt = Now;
            v.IsBlocked = false;
            int cpu = Scheduler.Wake(v, Now);
            if (cpu >= 0 && onCpu[cpu] != null)
                load.WakesThatPreempted++;
            Kick(cpu);
        }

        private void Decide(int cpu)
        {
            Vcpu previous = onCpu[cpu];
            if (previous != null)
            {
                Load load = loads[previous];
                if (load.Burst != 0 && load.Remaining == 0 && load.WakeAt == 0)
                {
                    // The burst is over: the vCPU blocks until its next wake-up.
                    previous.IsBlocked = true;
                    Scheduler.Sleep(previous);
                    load.WakeAt = Now + load.Pause;
                }
            }
            Vcpu next = Scheduler.PickNext(cpu, previous, Now, out ulong runUntil);
            Decisions++;
            Assert.True(runUntil > Now, $"runUntil {runUntil} is not after now {Now}");
            onCpu[cpu] = next;
            nextCall[cpu] = runUntil;
            Kick(Scheduler.IdleCpuFor(cpu));   // what the decision left waiting, an idle CPU may take
            if (next == null)
                return;
            Assert.True(next.IsRunnable, "a vCPU that may not run was picked");
            for (int c = 0; c < onCpu.Length; c++)
                Assert.False(c != cpu && onCpu[c] == next, $"vCPU {next.Domain.Id}.{next.Id} picked on CPU {cpu} while it runs on CPU {c}");
            Assert.True(Scheduler.IsRunning(next, out int where) && where == cpu);
            Load picked = loads[next];
            if (picked.WokenAt != 0)
            {
                ulong latency = Now - picked.WokenAt;
                if (latency > picked.WorstLatency)
                    picked.WorstLatency = latency;
                picked.WokenAt = 0;
            }
        }
    }
}
