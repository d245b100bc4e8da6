using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Time
{
    /// <summary>
    /// SCHEDOP_watchdog: id 0 creates a watchdog (ids 1 and 2, then -ENOSPC), an id re-arms it or with
    /// timeout 0 removes it, an id not in use is -EINVAL; one that expires shuts the domain down with
    /// SHUTDOWN_watchdog.
    /// </summary>
    public class DomainWatchdogsTests
    {
        private const ulong Second = 1_000_000_000;

        private static (TestDomain T, EventGuest G, TestClock Clock) New(ulong now = 0)
        {
            var t = TestDomain.Create();
            var clock = TestClock.Attach(t, now);
            return (t, EventGuest.Of(t), clock);
        }

        private static long Watchdog(EventGuest g, uint id, uint timeout)
        {
            g.Write(g.Args, new SchedWatchdog { Id = id, Timeout = timeout });
            return g.Call(HypercallNumber.SchedOp, SchedOp.Watchdog, g.Args);
        }

        [Fact]
        public void Create_Returns1Then2ThenEnospc()
        {
            var (t, g, _) = New();
            Assert.Equal(1, Watchdog(g, 0, 10));
            Assert.Equal(2, Watchdog(g, 0, 20));
            Assert.Equal(-XenErrno.ENOSPC, Watchdog(g, 0, 30));
            Assert.Equal(10 * Second, t.Domain.WatchdogDeadlines[0]);
            Assert.Equal(20 * Second, t.Domain.WatchdogDeadlines[1]);
        }

        [Fact]
        public void Remove_FreesTheIdForTheNextCreate()
        {
            var (t, g, _) = New();
            Assert.Equal(1, Watchdog(g, 0, 10));
            Assert.Equal(2, Watchdog(g, 0, 10));
            Assert.Equal(0, Watchdog(g, 1, 0));
            Assert.Equal(0UL, t.Domain.WatchdogDeadlines[0]);
            Assert.Equal(-XenErrno.EINVAL, Watchdog(g, 1, 5));    // no longer in use
            Assert.Equal(1, Watchdog(g, 0, 10));
            Assert.Equal(-XenErrno.ENOSPC, Watchdog(g, 0, 10));
        }

        [Theory]
        [InlineData(1u)]
        [InlineData(2u)]
        public void IdNotInUse_Einval(uint id)
        {
            var (t, g, _) = New();
            Assert.Equal(-XenErrno.EINVAL, Watchdog(g, id, 10));
            Assert.Equal(-XenErrno.EINVAL, Watchdog(g, id, 0));
            Assert.Equal(0UL, t.Domain.WatchdogDeadlines[id - 1]);
        }

        [Theory]
        [InlineData(3u)]
        [InlineData(100u)]
        [InlineData(0xFFFF_FFFFu)]
        public void IdAbove2_Einval(uint id)
        {
            var (t, g, _) = New();
            Assert.Equal(1, Watchdog(g, 0, 10));
            Assert.Equal(2, Watchdog(g, 0, 10));
            Assert.Equal(-XenErrno.EINVAL, Watchdog(g, id, 10));
            Assert.Equal(-XenErrno.EINVAL, Watchdog(g, id, 0));
            Assert.Equal(10 * Second, t.Domain.WatchdogDeadlines[0]);
            Assert.Equal(10 * Second, t.Domain.WatchdogDeadlines[1]);
        }

        [Fact]
        public void Expiry_ShutsTheDomainDownWithSHUTDOWN_watchdog()
        {
            var (t, g, _) = New();
            Assert.Equal(1, Watchdog(g, 0, 5));

            VcpuTimers.Expire(t.Host, 5 * Second - 1);
            Assert.True(t.Domain.IsAlive);

            VcpuTimers.Expire(t.Host, 5 * Second);
            Assert.Equal(DomainState.ShutDown, t.Domain.State);
            Assert.Equal((int)ShutdownReason.Watchdog, t.Domain.ShutdownReason);
            Assert.Contains("watchdog 1 expired", t.ConsoleText);
            Assert.Contains("domain 0 shut down: watchdog", t.ConsoleText);
        }

        [Fact]
        public void TheSecondWatchdogExpiresToo()
        {
            var (t, g, _) = New();
            Assert.Equal(1, Watchdog(g, 0, 50));
            Assert.Equal(2, Watchdog(g, 0, 3));
            VcpuTimers.Expire(t.Host, 3 * Second);
            Assert.Equal((int)ShutdownReason.Watchdog, t.Domain.ShutdownReason);
            Assert.Contains("watchdog 2 expired", t.ConsoleText);
        }

        [Fact]
        public void Patting_PushesTheDeadlineBack()
        {
            var (t, g, clock) = New();
            Assert.Equal(1, Watchdog(g, 0, 5));
            clock.Now = 4 * Second;
            Assert.Equal(0, Watchdog(g, 1, 5));
            Assert.Equal(9 * Second, t.Domain.WatchdogDeadlines[0]);
            VcpuTimers.Expire(t.Host, 5 * Second);
            Assert.True(t.Domain.IsAlive);
            VcpuTimers.Expire(t.Host, 9 * Second);
            Assert.False(t.Domain.IsAlive);
            Assert.Equal((int)ShutdownReason.Watchdog, t.Domain.ShutdownReason);
        }

        [Fact]
        public void ARemovedWatchdogNeverFires()
        {
            var (t, g, _) = New();
            Assert.Equal(1, Watchdog(g, 0, 5));
            Assert.Equal(0, Watchdog(g, 1, 0));
            VcpuTimers.Expire(t.Host, 100 * Second);
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void CreatedWithTimeout0_FiresAtTheNextCheck()
        {
            var (t, g, clock) = New(now: 7 * Second);
            Assert.Equal(1, Watchdog(g, 0, 0));
            Assert.NotEqual(0UL, t.Domain.WatchdogDeadlines[0]);   // in use, not "free"
            VcpuTimers.Expire(t.Host, 7 * Second);
            Assert.Equal((int)ShutdownReason.Watchdog, t.Domain.ShutdownReason);
        }

        [Fact]
        public void CreatedWithTimeout0AtTime0_IsStillInUse()
        {
            var (t, g, _) = New(now: 0);
            Assert.Equal(1, Watchdog(g, 0, 0));
            Assert.Equal(2, Watchdog(g, 0, 0));
            Assert.Equal(-XenErrno.ENOSPC, Watchdog(g, 0, 0));
        }

        [Fact]
        public void LongestTimeout_DoesNotOverflow()
        {
            var (t, g, _) = New(now: 1 * Second);
            Assert.Equal(1, Watchdog(g, 0, uint.MaxValue));
            Assert.Equal(Second + uint.MaxValue * Second, t.Domain.WatchdogDeadlines[0]);
            VcpuTimers.Expire(t.Host, 1_000_000 * Second);
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void ChangingAWatchdog_FlagsTheTimers()
        {
            var (t, g, _) = New();
            t.Host.TimersChanged = false;
            Assert.Equal(1, Watchdog(g, 0, 5));
            Assert.True(t.Host.TimersChanged);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(TestDomain.UnmappedAddress)]
        public void UnreadableArgument_Efault(ulong pointer)
        {
            var (t, g, _) = New();
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.SchedOp, SchedOp.Watchdog, pointer));
            Assert.Equal(0UL, t.Domain.WatchdogDeadlines[0]);
        }

        [Fact]
        public void NextDeadline_IsTheEarlierWatchdog()
        {
            var (t, g, _) = New();
            Assert.Equal(0UL, DomainWatchdogs.NextDeadline(t.Domain));
            Assert.Equal(1, Watchdog(g, 0, 8));
            Assert.Equal(2, Watchdog(g, 0, 3));
            Assert.Equal(3 * Second, DomainWatchdogs.NextDeadline(t.Domain));
            Assert.Equal(0, Watchdog(g, 2, 0));
            Assert.Equal(8 * Second, DomainWatchdogs.NextDeadline(t.Domain));
        }

        [Fact]
        public void WatchdogsArePerDomain()
        {
            var (t, g, _) = New();
            var d = EventGuest.HandBuilt(t, 1, false, 1);
            Assert.Equal(1, Watchdog(d, 0, 2));                    // dom1's first
            Assert.Equal(1, Watchdog(g, 0, 10));                   // dom0's first
            VcpuTimers.Expire(t.Host, 2 * Second);
            Assert.Equal(DomainState.ShutDown, d.Domain.State);
            Assert.Equal((int)ShutdownReason.Watchdog, d.Domain.ShutdownReason);
            Assert.True(t.Domain.IsAlive);
        }
    }
}
