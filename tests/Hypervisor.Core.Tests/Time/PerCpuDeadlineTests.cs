using Hypervisor.Core.Domains;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Time
{
    /// <summary>
    /// Each CPU arms its timer for the deadlines it looks after (<see cref="VcpuTimers.NextDeadline(Host, int)"/>):
    /// those of the vCPUs the scheduler keeps on it, and on CPU 0 the watchdogs. Every deadline is one
    /// CPU's, so together they cover the machine's earliest, and an idle CPU is not woken for the timers of a
    /// vCPU another CPU runs.
    /// </summary>
    public class PerCpuDeadlineTests
    {
        private const ulong Ms = 1_000_000;

        private static (TestDomain T, Vcpu V0, Vcpu V1, CreditScheduler S) New()
        {
            var t = TestDomain.Create(o => o.Vcpus = 2);
            var s = new CreditScheduler(2);
            t.Host.Scheduler = s;
            Vcpu v0 = t.Domain.Vcpus[0], v1 = t.Domain.Vcpus[1];
            v1.KernelTableFrame = v0.KernelTableFrame;
            s.AddVcpu(v0);                                    // vCPU i starts on CPU i
            s.AddVcpu(v1);
            v0.PeriodicPeriod = 0;
            v1.PeriodicPeriod = 0;
            return (t, v0, v1, s);
        }

        [Fact]
        public void EachCpuSeesTheDeadlinesOfItsOwnVcpus()
        {
            var (t, v0, v1, _) = New();
            VcpuTimers.SetSingleshot(v0, 30 * Ms);
            VcpuTimers.SetSingleshot(v1, 20 * Ms);

            Assert.Equal(30 * Ms, VcpuTimers.NextDeadline(t.Host, 0));
            Assert.Equal(20 * Ms, VcpuTimers.NextDeadline(t.Host, 1));
            Assert.Equal(20 * Ms, VcpuTimers.NextDeadline(t.Host));   // the machine's earliest is one of them
        }

        [Fact]
        public void AVcpuTakenByAnotherCpuTakesItsDeadlinesAlong()
        {
            var (t, v0, v1, s) = New();
            VcpuTimers.SetSingleshot(v1, 20 * Ms);
            Assert.Same(v0, s.PickNext(0, null, 0, out _));
            v0.IsBlocked = true;
            Assert.Same(v1, s.PickNext(0, v0, 1 * Ms, out _));   // CPU 1 has not decided yet: CPU 0 takes vCPU 1

            Assert.Equal(20 * Ms, VcpuTimers.NextDeadline(t.Host, 0));
            Assert.Equal(ulong.MaxValue, VcpuTimers.NextDeadline(t.Host, 1));
        }

        [Fact]
        public void ABlockedVcpusWakeUpIsTheCpuItLastRanOn()
        {
            var (t, _, v1, s) = New();
            Assert.Same(v1, s.PickNext(1, null, 0, out _));
            Assert.Equal(0, VcpuBlocking.Poll(v1, 0, 0, 50 * Ms));   // no ports: waits for the timeout
            Assert.True(v1.IsPolling);
            Assert.Equal(50 * Ms, VcpuTimers.NextDeadline(t.Host, 1));
            Assert.Equal(ulong.MaxValue, VcpuTimers.NextDeadline(t.Host, 0));
        }
    }
}
