using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    /// <summary>
    /// vcpu_op's timers: set_periodic_timer (at least 1 ms, any vCPU of the domain), stop_periodic_timer,
    /// set_singleshot_timer (the caller only; VCPU_SSHOTTMR_future ignored, as in Xen 4.17.7)
    /// and stop_singleshot_timer, all raising VIRQ_TIMER.
    /// </summary>
    public class VcpuOpTimerTests
    {
        private const ulong Ms = 1_000_000;

        private sealed class Setup
        {
            public TestDomain T;
            public EventGuest G;
            public TestClock Clock;
            public uint TimerPort;
            public Vcpu Vcpu => T.Vcpu;
        }

        private static Setup New(ulong now = 0)
        {
            var t = TestDomain.Create();
            var s = new Setup { T = t, G = EventGuest.Of(t), Clock = TestClock.Attach(t, now) };
            s.TimerPort = (uint)s.G.BindVirq(Virq.Timer);
            Assert.Equal(1u, s.TimerPort);
            return s;
        }

        private static long Op(EventGuest g, int cmd, uint vcpu, ulong arg = 0) =>
            g.Call(HypercallNumber.VcpuOp, (ulong)cmd, vcpu, arg);

        private static long SetPeriodic(EventGuest g, uint vcpu, ulong period)
        {
            g.Write(g.Args, new VcpuSetPeriodicTimer { PeriodNs = period });
            return Op(g, VcpuOp.SetPeriodicTimer, vcpu, g.Args);
        }

        private static long SetSingleshot(EventGuest g, uint vcpu, ulong deadline, uint flags = 0)
        {
            g.Write(g.Args, new VcpuSetSingleshotTimer { TimeoutAbsNs = deadline, Flags = flags });
            return Op(g, VcpuOp.SetSingleshotTimer, vcpu, g.Args);
        }

        // ---- periodic ----

        [Fact]
        public void Periodic_DefaultIs10ms_FiringOncePerPeriod()
        {
            var s = New();
            Assert.Equal(10 * Ms, Vcpu.DefaultPeriodicPeriod);
            Assert.Equal(10 * Ms, s.Vcpu.PeriodicPeriod);

            VcpuTimers.Expire(s.T.Host, 10 * Ms - 1);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));

            s.G.AcknowledgeAll();
            VcpuTimers.Expire(s.T.Host, 10 * Ms);                 // the same instant again: nothing
            VcpuTimers.Expire(s.T.Host, 15 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, 20 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void Periodic_SeveralPeriodsMissed_OneTick_ThenAPeriodFromThen()
        {
            var s = New();
            VcpuTimers.Expire(s.T.Host, 55 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
            s.G.AcknowledgeAll();
            VcpuTimers.Expire(s.T.Host, 64 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, 65 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void Periodic_NotWhileBlocked_OneTickOnceWoken()
        {
            var s = New();
            Assert.Equal(0, s.G.Call(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.True(s.Vcpu.IsBlocked);

            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            VcpuTimers.Expire(s.T.Host, 30 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));
            Assert.True(s.Vcpu.IsBlocked);                         // the periodic timer does not wake it

            Core.Scheduling.VcpuBlocking.Wake(s.Vcpu);
            VcpuTimers.Expire(s.T.Host, 30 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void Periodic_NotForAVcpuThatIsDown()
        {
            var s = New();
            s.Vcpu.IsDown = true;
            VcpuTimers.Expire(s.T.Host, 100 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void SetPeriodic_FirstTickOnePeriodFromNow()
        {
            var s = New(now: 100 * Ms);
            Assert.Equal(0, SetPeriodic(s.G, 0, 2 * Ms));
            Assert.Equal(2 * Ms, s.Vcpu.PeriodicPeriod);
            VcpuTimers.Expire(s.T.Host, 102 * Ms - 1);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, 102 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
            s.G.AcknowledgeAll();
            VcpuTimers.Expire(s.T.Host, 104 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(1UL)]
        [InlineData(999_999UL)]
        public void SetPeriodic_UnderOneMillisecond_Einval(ulong period)
        {
            var s = New();
            Assert.Equal(-XenErrno.EINVAL, SetPeriodic(s.G, 0, period));
            Assert.Equal(10 * Ms, s.Vcpu.PeriodicPeriod);
        }

        [Fact]
        public void SetPeriodic_OneMillisecond_Accepted()
        {
            var s = New();
            Assert.Equal(0, SetPeriodic(s.G, 0, 1 * Ms));
            Assert.Equal(1 * Ms, s.Vcpu.PeriodicPeriod);
        }

        [Theory]
        [InlineData(0x8000_0000_0000_0000UL)]
        [InlineData(ulong.MaxValue)]
        public void SetPeriodic_NegativeAsSystemTime_Einval(ulong period)
        {
            var s = New();
            Assert.Equal(-XenErrno.EINVAL, SetPeriodic(s.G, 0, period));
            Assert.Equal(10 * Ms, s.Vcpu.PeriodicPeriod);
        }

        [Theory]
        [InlineData(0x4000_0000_0000_0000UL)]       // STIME_DELTA_MAX + 1
        [InlineData(0x7FFF_FFFF_FFFF_FFFFUL)]
        public void SetPeriodic_BeyondStimeDeltaMax_Einval(ulong period)
        {
            // Xen: "if ( set.period_ns > STIME_DELTA_MAX ) return -EINVAL;", STIME_DELTA_MAX = 2^62 - 1,
            // so that NOW() + period cannot overflow.
            var s = New();
            Assert.Equal(-XenErrno.EINVAL, SetPeriodic(s.G, 0, period));
            Assert.Equal(10 * Ms, s.Vcpu.PeriodicPeriod);
        }

        [Fact]
        public void SetPeriodic_StimeDeltaMax_Accepted()
        {
            var s = New();
            Assert.Equal(0, SetPeriodic(s.G, 0, 0x3FFF_FFFF_FFFF_FFFFUL));
            Assert.Equal(0x3FFF_FFFF_FFFF_FFFFUL, s.Vcpu.PeriodicPeriod);
        }

        [Fact]
        public void StopPeriodic_NoMoreTicks()
        {
            var s = New();
            Assert.Equal(0, Op(s.G, VcpuOp.StopPeriodicTimer, 0));
            Assert.Equal(0UL, s.Vcpu.PeriodicPeriod);
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            VcpuTimers.Expire(s.T.Host, 1000 * Ms);
            s.G.AssertNothingRaised();

            Assert.Equal(0, SetPeriodic(s.G, 0, 5 * Ms));          // and it can be started again
            VcpuTimers.Expire(s.T.Host, 1005 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void PeriodicOps_MissingVcpu_Enoent()
        {
            var s = New();
            Assert.Equal(-XenErrno.ENOENT, SetPeriodic(s.G, 1, 5 * Ms));
            Assert.Equal(-XenErrno.ENOENT, Op(s.G, VcpuOp.StopPeriodicTimer, 1));
            Assert.Equal(10 * Ms, s.Vcpu.PeriodicPeriod);
        }

        [Fact]
        public void SetPeriodic_UnreadableArgument_Efault()
        {
            var s = New();
            Assert.Equal(-XenErrno.EFAULT, Op(s.G, VcpuOp.SetPeriodicTimer, 0, TestDomain.UnmappedAddress));
            Assert.Equal(10 * Ms, s.Vcpu.PeriodicPeriod);
        }

        [Fact]
        public void Periodic_OfAnotherVcpuOfTheDomain_MayBeSetAndStopped()
        {
            var t = TestDomain.Create();
            TestClock.Attach(t, 50 * Ms);
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            Vcpu v1 = d.Domain.Vcpus[1];
            Assert.Equal(0, SetPeriodic(d, 1, 3 * Ms));
            Assert.Equal(3 * Ms, v1.PeriodicPeriod);
            Assert.Equal(50 * Ms, v1.PeriodicLastEvent);
            Assert.Equal(10 * Ms, d.Domain.Vcpus[0].PeriodicPeriod);

            Assert.Equal(1, d.BindVirq(Virq.Timer, 1));
            VcpuTimers.Expire(t.Host, 53 * Ms);
            Assert.True(d.IsPending(1));
            Assert.Equal(1, d.UpcallPending(1));

            Assert.Equal(0, Op(d, VcpuOp.StopPeriodicTimer, 1));
            Assert.Equal(0UL, v1.PeriodicPeriod);
        }

        // ---- one-shot ----

        [Fact]
        public void Singleshot_FiresOnceAtItsDeadline()
        {
            var s = New();
            Assert.Equal(0, Op(s.G, VcpuOp.StopPeriodicTimer, 0));
            Assert.Equal(0, SetSingleshot(s.G, 0, 7 * Ms));
            Assert.Equal(7 * Ms, s.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 7 * Ms - 1);
            Assert.False(s.G.IsPending(s.TimerPort));
            VcpuTimers.Expire(s.T.Host, 7 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
            s.G.AcknowledgeAll();
            VcpuTimers.Expire(s.T.Host, 100 * Ms);
            Assert.False(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void Singleshot_FutureFlag_PastDeadline_IgnoredFiresAtTheNextCheck()
        {
            // Xen 4.17.7 (Debian's) no longer answers -ETIME: the flag is ignored and the timer fires.
            var s = New(now: 10 * Ms);
            Assert.Equal(0, Op(s.G, VcpuOp.StopPeriodicTimer, 0));
            Assert.Equal(0, SetSingleshot(s.G, 0, 10 * Ms - 1, VcpuSetSingleshotTimer.FlagFuture));
            Assert.NotEqual(0UL, s.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void Singleshot_FutureFlag_FutureOrPresentDeadline_Armed()
        {
            var s = New(now: 10 * Ms);
            Assert.Equal(0, SetSingleshot(s.G, 0, 10 * Ms, VcpuSetSingleshotTimer.FlagFuture));
            Assert.Equal(10 * Ms, s.Vcpu.SingleshotDeadline);
            Assert.Equal(0, SetSingleshot(s.G, 0, 12 * Ms, VcpuSetSingleshotTimer.FlagFuture));
            Assert.Equal(12 * Ms, s.Vcpu.SingleshotDeadline);
        }

        [Fact]
        public void Singleshot_PastDeadlineWithoutFlag_FiresAtTheNextCheck()
        {
            var s = New(now: 10 * Ms);
            Assert.Equal(0, Op(s.G, VcpuOp.StopPeriodicTimer, 0));
            Assert.Equal(0, SetSingleshot(s.G, 0, 3 * Ms));
            Assert.NotEqual(0UL, s.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void Singleshot_DeadlineZero_IsLongPast_NotStop()
        {
            var s = New(now: 10 * Ms);
            Assert.Equal(0, Op(s.G, VcpuOp.StopPeriodicTimer, 0));
            Assert.Equal(0, SetSingleshot(s.G, 0, 0));
            Assert.NotEqual(0UL, s.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 10 * Ms);
            Assert.True(s.G.IsPending(s.TimerPort));
        }

        [Fact]
        public void StopSingleshot_Disarms()
        {
            var s = New();
            Assert.Equal(0, Op(s.G, VcpuOp.StopPeriodicTimer, 0));
            Assert.Equal(0, SetSingleshot(s.G, 0, 7 * Ms));
            Assert.Equal(0, Op(s.G, VcpuOp.StopSingleshotTimer, 0));
            Assert.Equal(0UL, s.Vcpu.SingleshotDeadline);
            VcpuTimers.Expire(s.T.Host, 100 * Ms);
            s.G.AssertNothingRaised();
        }

        [Fact]
        public void Singleshot_OnlyOnTheCallingVcpu()
        {
            var t = TestDomain.Create();
            TestClock.Attach(t);
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            Vcpu v1 = d.Domain.Vcpus[1];

            Assert.Equal(-XenErrno.EINVAL, SetSingleshot(d, 1, 5 * Ms));
            Assert.Equal(0UL, v1.SingleshotDeadline);
            v1.SingleshotDeadline = 9 * Ms;
            Assert.Equal(-XenErrno.EINVAL, Op(d, VcpuOp.StopSingleshotTimer, 1));
            Assert.Equal(9 * Ms, v1.SingleshotDeadline);

            // vCPU 1 itself may.
            EventGuest fromV1 = d.From(1);
            Assert.Equal(0, SetSingleshot(fromV1, 1, 5 * Ms));
            Assert.Equal(5 * Ms, v1.SingleshotDeadline);
            Assert.Equal(0UL, d.Domain.Vcpus[0].SingleshotDeadline);
            Assert.Equal(0, Op(fromV1, VcpuOp.StopSingleshotTimer, 1));
            Assert.Equal(0UL, v1.SingleshotDeadline);
        }

        [Fact]
        public void Singleshot_OtherVcpu_EinvalEvenWithAnUnreadableArgument()
        {
            var t = TestDomain.Create();
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            Assert.Equal(-XenErrno.EINVAL, Op(d, VcpuOp.SetSingleshotTimer, 1, TestDomain.UnmappedAddress));
        }

        [Fact]
        public void SingleshotOps_MissingVcpu_Enoent()
        {
            var s = New();
            Assert.Equal(-XenErrno.ENOENT, SetSingleshot(s.G, 1, 5 * Ms));
            Assert.Equal(-XenErrno.ENOENT, Op(s.G, VcpuOp.StopSingleshotTimer, 1));
        }

        [Fact]
        public void Singleshot_UnreadableArgument_Efault()
        {
            var s = New();
            Assert.Equal(-XenErrno.EFAULT, Op(s.G, VcpuOp.SetSingleshotTimer, 0, TestDomain.UnmappedAddress));
            Assert.Equal(0UL, s.Vcpu.SingleshotDeadline);
        }

        [Fact]
        public void SingleshotAndSetTimerOp_AreTheSameTimer()
        {
            var s = New();
            Assert.Equal(0, SetSingleshot(s.G, 0, 7 * Ms));
            Assert.Equal(0, s.G.Call(HypercallNumber.SetTimerOp, 0));
            Assert.Equal(0UL, s.Vcpu.SingleshotDeadline);
            Assert.Equal(0, s.G.Call(HypercallNumber.SetTimerOp, 9 * Ms));
            Assert.Equal(0, Op(s.G, VcpuOp.StopSingleshotTimer, 0));
            Assert.Equal(0UL, s.Vcpu.SingleshotDeadline);
        }
    }
}
