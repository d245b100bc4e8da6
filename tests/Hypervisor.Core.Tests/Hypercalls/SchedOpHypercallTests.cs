using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    public class SchedOpHypercallTests
    {
        private static long Shutdown(TestDomain t, uint reason)
        {
            t.WriteStruct(t.Scratch, new SchedShutdown { Reason = reason });
            return t.Hypercall(HypercallNumber.SchedOp, SchedOp.Shutdown, t.Scratch);
        }

        [Theory]
        [InlineData(ShutdownReason.Poweroff, "poweroff")]
        [InlineData(ShutdownReason.Reboot, "reboot")]
        [InlineData(ShutdownReason.Suspend, "suspend")]
        [InlineData(ShutdownReason.Crash, "crash")]
        [InlineData(ShutdownReason.Watchdog, "watchdog")]
        [InlineData(ShutdownReason.SoftReset, "soft_reset")]
        public void Shutdown_StopsTheDomainWithItsReason(uint reason, string name)
        {
            var t = TestDomain.Create();
            Assert.Equal(0, Shutdown(t, reason));
            Assert.Equal(DomainState.ShutDown, t.Domain.State);
            Assert.Equal((int)reason, t.Domain.ShutdownReason);
            Assert.False(t.Domain.IsAlive);
            Assert.Contains("(HV) domain 0 shut down: " + name + "\n", t.ConsoleText);
        }

        [Fact]
        public void Shutdown_UnknownReasonIsReportedAsSuch()
        {
            var t = TestDomain.Create();
            Assert.Equal(0, Shutdown(t, 77));
            Assert.Equal(DomainState.ShutDown, t.Domain.State);
            Assert.Equal(77, t.Domain.ShutdownReason);
            Assert.Contains("shut down: unknown reason 77", t.ConsoleText);
        }

        [Fact]
        public void Shutdown_OnlyTheFirstCounts()
        {
            var t = TestDomain.Create();
            Assert.Equal(0, Shutdown(t, ShutdownReason.Reboot));
            Shutdown(t, ShutdownReason.Poweroff);
            Assert.Equal((int)ShutdownReason.Reboot, t.Domain.ShutdownReason);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(t.ConsoleText, "shut down"));
        }

        [Fact]
        public void Shutdown_ThroughTheRegistersLikeAGuest()
        {
            var t = TestDomain.Create();
            t.WriteStruct(t.Scratch, new SchedShutdown { Reason = ShutdownReason.Poweroff });
            Assert.Equal(0, t.SyscallHypercall(HypercallNumber.SchedOp, SchedOp.Shutdown, t.Scratch));
            Assert.Equal(DomainState.ShutDown, t.Domain.State);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(TestDomain.UnmappedAddress)]
        [InlineData(0xFFFF_8000_0000_0000UL)]
        public void Shutdown_BadPointer_Efault_AndTheDomainLives(ulong pointer)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EFAULT, t.Hypercall(HypercallNumber.SchedOp, SchedOp.Shutdown, pointer));
            Assert.True(t.Domain.IsAlive);
            Assert.Equal(DomainState.Created, t.Domain.State);
        }

        [Fact]
        public void ShutdownCode_RecordsTheReasonWithoutStopping()
        {
            var t = TestDomain.Create();
            t.WriteStruct(t.Scratch, new SchedShutdown { Reason = ShutdownReason.Reboot });
            Assert.Equal(0, t.Hypercall(HypercallNumber.SchedOp, SchedOp.ShutdownCode, t.Scratch));
            Assert.True(t.Domain.IsAlive);
            Assert.Equal((int)ShutdownReason.Reboot, t.Domain.ShutdownReason);
            Assert.Equal(-XenErrno.EFAULT, t.Hypercall(HypercallNumber.SchedOp, SchedOp.ShutdownCode, TestDomain.UnmappedAddress));
        }

        [Fact]
        public void Yield_ReturnsZero()
        {
            var t = TestDomain.Create();
            Assert.Equal(0, t.Hypercall(HypercallNumber.SchedOp, SchedOp.Yield));
            Assert.True(t.Domain.IsAlive);
            Assert.Equal(1, t.UpcallMask);     // untouched
        }

        [Theory]
        [InlineData(HypercallNumber.SchedOp)]
        [InlineData(HypercallNumber.SchedOpCompat)]
        public void Yield_MarksTheRunningVcpu_AndAsksForANewChoice(ulong hypercall)
        {
            var t = TestDomain.Create();
            var scheduler = new Core.Scheduling.CreditScheduler(1);
            t.Host.Scheduler = scheduler;
            scheduler.AddVcpu(t.Vcpu);
            Assert.Same(t.Vcpu, scheduler.PickNext(0, null, 0, out _));
            t.Platform.Invocations.Clear();

            Assert.Equal(0, t.Hypercall(hypercall, SchedOp.Yield));
            Assert.True(t.Vcpu.CreditState.HasYielded);
            t.Platform.Verify(p => p.RequestReschedule(0), Moq.Times.Once());   // the calling CPU chooses again
            Assert.True(t.Vcpu.IsRunnable);                       // not blocked: it runs again when its turn comes
        }

        [Fact]
        public void Block_ReenablesEvents()
        {
            var t = TestDomain.Create();
            Assert.Equal(1, t.UpcallMask);
            Assert.Equal(0, t.Hypercall(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.Equal(0, t.UpcallMask);
        }

        [Theory]
        [InlineData(99UL)]
        [InlineData(0xFFFF_FFFFUL)]
        public void UnknownSubOp_Enosys(ulong command)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.ENOSYS, t.Hypercall(HypercallNumber.SchedOp, command, t.Scratch));
            Assert.True(t.Domain.IsAlive);
        }
    }
}
