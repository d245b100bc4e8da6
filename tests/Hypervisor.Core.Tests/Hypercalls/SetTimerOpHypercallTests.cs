using Hypervisor.Abi;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    /// <summary>
    /// set_timer_op(timeout): the one-shot timer for an absolute system time (ns) raising VIRQ_TIMER
    /// once at or after it; 0 stops it; a deadline already past fires at the next check; a negative one,
    /// or one 2^50 ns or more away, fires 100 ms from now (Xen's compromise for wrapped guest clocks). The periodic timer is stopped in these tests so that only the
    /// one-shot can raise VIRQ_TIMER.
    /// </summary>
    public class SetTimerOpHypercallTests
    {
        private const ulong Ms = 1_000_000;
        private const ulong FarFuture = 1UL << 50;

        private sealed class Setup
        {
            public TestDomain T;
            public EventGuest G;
            public TestClock Clock;
            public uint TimerPort;
        }

        private static Setup New(ulong now = 0)
        {
            var t = TestDomain.Create();
            var s = new Setup { T = t, G = EventGuest.Of(t), Clock = TestClock.Attach(t, now) };
            VcpuTimers.SetPeriodic(t.Vcpu, 0);
            Assert.Equal(1, s.G.BindIpi());                        // so the timer port is not port 1 by accident
            s.TimerPort = (uint)s.G.BindVirq(Virq.Timer);
            Assert.Equal(2u, s.TimerPort);
            return s;
        }

        private static long SetTimer(Setup s, ulong timeout) => s.G.Call(HypercallNumber.SetTimerOp, timeout);

        [Fact]
        public void FiresOnceAtItsDeadline_NotBefore()
        {
            var s = New();
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            Assert.Equal(5 * Ms, s.T.Vcpu.SingleshotDeadline);

            VcpuTimers.Expire(s.T.Host, 5 * Ms - 1);
            Assert.False(s.G.IsPending(s.TimerPort));

            VcpuTimers.Expire(s.T.Host, 5 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
            Assert.Equal(1, s.G.UpcallPending());
            Assert.Equal(0UL, s.T.Vcpu.SingleshotDeadline);
            Assert.False(s.G.IsPending(1));

            s.G.AcknowledgeAll();
            VcpuTimers.Expire(s.T.Host, 6 * Ms);
            VcpuTimers.Expire(s.T.Host, 1000 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));             // once only
        }

        [Fact]
        public void FiresLateIfTheCheckIsLate()
        {
            var s = New();
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            VcpuTimers.Expire(s.T.Host, 70 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void Zero_StopsIt()
        {
            var s = New();
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            Assert.Equal(0, SetTimer(s, 0));
            Assert.Equal(0UL, s.T.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 100 * Ms);
            s.G.AssertNothingRaised();
        }

        [Fact]
        public void Zero_WithNothingArmed_RaisesNothing()
        {
            var s = New();
            Assert.Equal(0, SetTimer(s, 0));
            s.G.AssertNothingRaised();
        }

        [Fact]
        public void ANewDeadlineReplacesTheOld()
        {
            var s = New();
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            Assert.Equal(0, SetTimer(s, 8 * Ms));
            VcpuTimers.Expire(s.T.Host, 5 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, 8 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void ArmingTellsTheArchToReprogramItsTimer()
        {
            var s = New();
            s.T.Host.TimersChanged = false;
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            Assert.True(s.T.Host.TimersChanged);
            Assert.Equal(5 * Ms, VcpuTimers.NextDeadline(s.T.Host));
        }

        [Fact]
        public void PastDeadline_FiresAtTheNextCheck()
        {
            var s = New(now: 10 * Ms);
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            Assert.Equal(5 * Ms, s.T.Vcpu.SingleshotDeadline);
            Assert.True(s.T.Host.TimersChanged);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
            Assert.Equal(1, s.G.UpcallPending());
            Assert.Equal(0UL, s.T.Vcpu.SingleshotDeadline);
        }

        [Fact]
        public void PastDeadline_ByOneNanosecond_FiresAtTheNextCheck()
        {
            var s = New(now: 10 * Ms);
            Assert.Equal(0, SetTimer(s, 10 * Ms - 1));
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void DeadlineEqualToNow_IsArmed_AndFiresAtTheNextCheck()
        {
            var s = New(now: 10 * Ms);
            Assert.Equal(0, SetTimer(s, 10 * Ms));
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void DeadlineTwoToThe50NanosecondsAway_FiresIn100Milliseconds()
        {
            ulong now = 1_000 * Ms;
            var s = New(now);
            Assert.Equal(0, SetTimer(s, now + FarFuture));
            Assert.Equal(now + 100 * Ms, s.T.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, now + 100 * Ms - 1);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, now + 100 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void DeadlineJustUnderTwoToThe50Away_IsArmed()
        {
            ulong now = 1_000 * Ms;
            var s = New(now);
            Assert.Equal(0, SetTimer(s, now + FarFuture - 1));
            Assert.False(s.G.IsPending(s.TimerPort));
            Assert.Equal(now + FarFuture - 1, s.T.Vcpu.SingleshotDeadline);
        }

        [Theory]
        [InlineData(0x8000_0000_0000_0000UL)]
        [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
        public void NegativeDeadline_FiresIn100Milliseconds(ulong timeout)
        {
            var s = New(now: 5 * Ms);
            Assert.Equal(0, SetTimer(s, timeout));
            Assert.False(s.G.IsPending(s.TimerPort));
            Assert.Equal(105 * Ms, s.T.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 105 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Theory]
        [InlineData(1 * Ms, 10 * Ms)]                          // already past: fires at the next check
        [InlineData(0x8000_0000_0000_0000UL, 110 * Ms)]        // negative: fires 100 ms from now
        public void ANewDeadlineReplacesAnArmedOne(ulong timeout, ulong firesAt)
        {
            // A vCPU has one one-shot timer: Xen's set_timer_op always re-sets it, so the deadline
            // armed before (20 ms) is gone.
            var s = New(now: 10 * Ms);
            Assert.Equal(0, SetTimer(s, 20 * Ms));
            Assert.Equal(0, SetTimer(s, timeout));
            Assert.Equal(firesAt == 10 * Ms ? timeout : firesAt, s.T.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            if (firesAt == 10 * Ms)
            {
                Assert.True(s.G.IsPending(s.TimerPort));
                s.G.AcknowledgeAll();
            }
            VcpuTimers.Expire(s.T.Host, 20 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void NoVirqTimerBound_NothingRaised()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            TestClock.Attach(t, 10 * Ms);
            VcpuTimers.SetPeriodic(t.Vcpu, 0);
            Assert.Equal(0, g.Call(HypercallNumber.SetTimerOp, 1 * Ms));
            Assert.Equal(0, g.Call(HypercallNumber.SetTimerOp, 20 * Ms));
            VcpuTimers.Expire(t.Host, 30 * Ms);
            g.AssertNothingRaised();
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void WakesABlockedVcpu()
        {
            var s = New();
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            Assert.Equal(0, s.G.Call(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.True(s.T.Vcpu.IsBlocked);
            VcpuTimers.Expire(s.T.Host, 4 * Ms);
            Assert.True(s.T.Vcpu.IsBlocked);
            VcpuTimers.Expire(s.T.Host, 5 * Ms);
            Assert.False(s.T.Vcpu.IsBlocked);
        }

        [Fact]
        public void MaskedTimerPort_PendingOnly()
        {
            var s = New();
            s.G.SetMasked(s.TimerPort, true);
            Assert.Equal(0, SetTimer(s, 5 * Ms));
            VcpuTimers.Expire(s.T.Host, 5 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
            Assert.Equal(0, s.G.UpcallPending());
        }

        [Fact]
        public void ThroughTheRegistersLikeAGuest()
        {
            var s = New();
            Assert.Equal(0, s.T.SyscallHypercall(HypercallNumber.SetTimerOp, 3 * Ms));
            Assert.Equal(3 * Ms, s.T.Vcpu.SingleshotDeadline);
        }
    }
}
