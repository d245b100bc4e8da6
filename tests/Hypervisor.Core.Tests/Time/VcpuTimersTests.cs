using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Time
{
    /// <summary>
    /// What the arch layer's timer interrupt and idle loop rely on: <see cref="VcpuTimers.Expire"/> fires
    /// everything due (one-shot, periodic while runnable, poll timeouts, watchdogs) and
    /// <see cref="VcpuTimers.NextDeadline"/> is the earliest thing that will be due.
    /// </summary>
    public class VcpuTimersTests
    {
        private const ulong Ms = 1_000_000;

        private static (TestDomain T, EventGuest G, TestClock Clock) New(ulong now = 0)
        {
            var t = TestDomain.Create();
            var clock = TestClock.Attach(t, now);
            return (t, EventGuest.Of(t), clock);
        }

        // ---- SetSingleshot / SetPeriodic ----

        [Fact]
        public void SetSingleshot_ArmsOrStops_AndFlagsTheChange()
        {
            var (t, g, _) = New();
            t.Host.TimersChanged = false;
            VcpuTimers.SetSingleshot(t.Vcpu, 42);
            Assert.Equal(42UL, t.Vcpu.SingleshotDeadline);
            Assert.True(t.Host.TimersChanged);
            t.Host.TimersChanged = false;
            VcpuTimers.SetSingleshot(t.Vcpu, 0);
            Assert.Equal(0UL, t.Vcpu.SingleshotDeadline);
            Assert.True(t.Host.TimersChanged);
        }

        [Fact]
        public void SetPeriodic_RestartsThePeriodFromNow()
        {
            var (t, g, clock) = New(now: 33 * Ms);
            t.Host.TimersChanged = false;
            VcpuTimers.SetPeriodic(t.Vcpu, 4 * Ms);
            Assert.Equal(4 * Ms, t.Vcpu.PeriodicPeriod);
            Assert.Equal(33 * Ms, t.Vcpu.PeriodicLastEvent);
            Assert.True(t.Host.TimersChanged);
            Assert.Equal(37 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        // ---- Expire ----

        [Fact]
        public void Expire_SingleshotAndPeriodicDueTogether_BothRaiseTheSamePort()
        {
            var (t, g, _) = New();
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            VcpuTimers.SetSingleshot(t.Vcpu, 10 * Ms);
            VcpuTimers.Expire(t.Host, 10 * Ms);
            Assert.True(g.IsPending(1));
            Assert.Equal(0UL, t.Vcpu.SingleshotDeadline);
            Assert.Equal(10 * Ms, t.Vcpu.PeriodicLastEvent);
        }

        [Fact]
        public void Expire_NothingDue_NothingChanges()
        {
            var (t, g, _) = New();
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            VcpuTimers.SetSingleshot(t.Vcpu, 20 * Ms);
            VcpuTimers.Expire(t.Host, 9 * Ms);
            g.AssertNothingRaised();
            Assert.Equal(20 * Ms, t.Vcpu.SingleshotDeadline);
            Assert.Equal(0UL, t.Vcpu.PeriodicLastEvent);
        }

        [Fact]
        public void Expire_ReachesEveryDomain()
        {
            var (t, g, _) = New();
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            VcpuTimers.SetPeriodic(t.Vcpu, 0);
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            Assert.Equal(1, d.BindVirq(Virq.Timer, 1));
            Assert.Equal(2, d.BindVirq(Virq.Timer, 0));
            VcpuTimers.SetPeriodic(d.Domain.Vcpus[0], 0);
            VcpuTimers.SetPeriodic(d.Domain.Vcpus[1], 0);
            VcpuTimers.SetSingleshot(t.Vcpu, 5 * Ms);
            VcpuTimers.SetSingleshot(d.Domain.Vcpus[1], 5 * Ms);

            VcpuTimers.Expire(t.Host, 5 * Ms);

            Assert.True(g.IsPending(1));
            Assert.True(d.IsPending(1));                           // vCPU 1's VIRQ_TIMER
            Assert.False(d.IsPending(2));                          // vCPU 0's had no timer due
            Assert.Equal(1, d.UpcallPending(1));
            Assert.Equal(0, d.UpcallPending(0));
        }

        [Fact]
        public void Expire_SkipsDomainsThatAreNotAlive()
        {
            var (t, g, _) = New();
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            VcpuTimers.SetSingleshot(t.Vcpu, 5 * Ms);
            DomainLifecycle.Shutdown(t.Domain, ShutdownReason.Poweroff);
            VcpuTimers.Expire(t.Host, 50 * Ms);
            g.AssertNothingRaised();
            Assert.Equal(5 * Ms, t.Vcpu.SingleshotDeadline);
        }

        [Fact]
        public void Expire_WakesAPollerAtItsDeadlineOnly()
        {
            var (t, g, _) = New();
            g.WritePorts(g.Data, 3);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 8 * Ms));
            VcpuTimers.Expire(t.Host, 8 * Ms - 1);
            Assert.True(t.Vcpu.IsPolling);
            VcpuTimers.Expire(t.Host, 8 * Ms);
            Assert.False(t.Vcpu.IsPolling);
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Expire_APlainBlockHasNoTimeout()
        {
            var (t, g, _) = New();
            VcpuBlocking.Block(t.Vcpu);
            t.Vcpu.PollDeadline = 1;                               // only a poll's deadline counts
            VcpuTimers.Expire(t.Host, 100 * Ms);
            Assert.True(t.Vcpu.IsBlocked);
        }

        // ---- NextDeadline ----

        [Fact]
        public void NextDeadline_NothingArmed_MaxValue()
        {
            var (t, g, _) = New();
            VcpuTimers.SetPeriodic(t.Vcpu, 0);
            Assert.Equal(ulong.MaxValue, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_PeriodicOnly()
        {
            var (t, g, _) = New();
            Assert.Equal(10 * Ms, VcpuTimers.NextDeadline(t.Host));   // last event 0 + 10 ms
            VcpuTimers.Expire(t.Host, 12 * Ms);
            Assert.Equal(22 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_EarliestOfSingleshotAndPeriodic()
        {
            var (t, g, _) = New();
            VcpuTimers.SetSingleshot(t.Vcpu, 7 * Ms);
            Assert.Equal(7 * Ms, VcpuTimers.NextDeadline(t.Host));
            VcpuTimers.SetSingleshot(t.Vcpu, 17 * Ms);
            Assert.Equal(10 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_BlockedVcpusPeriodicDoesNotCount()
        {
            var (t, g, _) = New();
            VcpuBlocking.Block(t.Vcpu);
            Assert.True(t.Vcpu.IsBlocked);
            Assert.Equal(ulong.MaxValue, VcpuTimers.NextDeadline(t.Host));
            VcpuTimers.SetSingleshot(t.Vcpu, 30 * Ms);
            Assert.Equal(30 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_PollTimeout()
        {
            var (t, g, _) = New();
            VcpuTimers.SetSingleshot(t.Vcpu, 7 * Ms);
            g.WritePorts(g.Data, 3);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 3 * Ms));
            Assert.Equal(3 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_PollWithoutTimeout_DoesNotCount()
        {
            var (t, g, _) = New();
            VcpuTimers.SetSingleshot(t.Vcpu, 7 * Ms);
            g.WritePorts(g.Data, 3);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));
            Assert.Equal(7 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_Watchdog()
        {
            var (t, g, _) = New();
            VcpuTimers.SetPeriodic(t.Vcpu, 0);
            Assert.Equal(1, DomainWatchdogs.Set(t.Domain, 0, 2));
            Assert.Equal(2_000 * Ms, VcpuTimers.NextDeadline(t.Host));
            VcpuTimers.SetSingleshot(t.Vcpu, 1_500 * Ms);
            Assert.Equal(1_500 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_AcrossDomainsAndVcpus()
        {
            var (t, g, _) = New();
            var d = EventGuest.HandBuilt(t, 1, false, 3);
            VcpuTimers.SetPeriodic(t.Vcpu, 0);
            foreach (Vcpu v in d.Domain.Vcpus)
                VcpuTimers.SetPeriodic(v, 0);
            VcpuTimers.SetSingleshot(t.Vcpu, 9 * Ms);
            VcpuTimers.SetSingleshot(d.Domain.Vcpus[0], 8 * Ms);
            VcpuTimers.SetSingleshot(d.Domain.Vcpus[2], 4 * Ms);
            Assert.Equal(4 * Ms, VcpuTimers.NextDeadline(t.Host));
            VcpuTimers.SetPeriodic(d.Domain.Vcpus[1], 2 * Ms);     // last event 0: due at 2 ms
            Assert.Equal(2 * Ms, VcpuTimers.NextDeadline(t.Host));
        }

        [Fact]
        public void NextDeadline_DeadDomainsDoNotCount()
        {
            var (t, g, _) = New();
            var d = EventGuest.HandBuilt(t, 1, false, 1);
            VcpuTimers.SetPeriodic(t.Vcpu, 0);
            VcpuTimers.SetPeriodic(d.Vcpu, 0);
            VcpuTimers.SetSingleshot(t.Vcpu, 9 * Ms);
            VcpuTimers.SetSingleshot(d.Vcpu, 1 * Ms);
            Assert.Equal(1 * Ms, VcpuTimers.NextDeadline(t.Host));
            DomainLifecycle.Crash(d.Domain);
            Assert.Equal(9 * Ms, VcpuTimers.NextDeadline(t.Host));
        }
    }
}
