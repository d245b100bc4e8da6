using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    /// <summary>
    /// sched_op block and poll through the hypercall, remote_shutdown, and sched_op_compat (yield,
    /// block, shutdown with the reason in the argument).
    /// </summary>
    public class SchedOpWaitingTests
    {
        private static (TestDomain T, EventGuest G) New(bool privileged = true)
        {
            var t = TestDomain.Create(o => o.Privileged = privileged);
            return (t, EventGuest.Of(t));
        }

        private static long Poll(EventGuest g, ulong timeout, params uint[] ports)
        {
            g.WritePorts(g.Data, ports);
            g.Write(g.Args, new SchedPoll { Ports = g.Data, NrPorts = (uint)ports.Length, Timeout = timeout });
            return g.Call(HypercallNumber.SchedOp, SchedOp.Poll, g.Args);
        }

        // ---- block ----

        [Fact]
        public void Block_NothingPending_BlocksAndReturnsZero()
        {
            var (t, g) = New();
            Assert.Equal(0, t.SyscallHypercall(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.True(t.Vcpu.IsBlocked);
            Assert.False(t.Vcpu.IsRunnable);
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void Block_UpcallPending_ReturnsAtOnce()
        {
            var (t, g) = New();
            g.SetUpcallPending(1);
            Assert.Equal(0, g.Call(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.False(t.Vcpu.IsBlocked);
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void Block_ThenAnEvent_Wakes()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(0, g.Call(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.True(t.Vcpu.IsBlocked);
            Assert.Equal(0, g.Send(1));                            // as another vCPU or domain would
            Assert.False(t.Vcpu.IsBlocked);
        }

        // ---- poll ----

        [Fact]
        public void Poll_NothingPending_Blocks()
        {
            var (t, g) = New();
            Assert.Equal(0, Poll(g, 123_000, 5));
            Assert.True(t.Vcpu.IsBlocked);
            Assert.True(t.Vcpu.IsPolling);
            Assert.Equal(5, t.Vcpu.PollPort);
            Assert.Equal(123_000UL, t.Vcpu.PollDeadline);
        }

        [Fact]
        public void Poll_PortPending_ReturnsWithoutBlocking()
        {
            var (t, g) = New();
            g.SetPendingBit(6, true);
            Assert.Equal(0, Poll(g, 0, 5, 6));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Poll_MoreThan128Ports_Einval()
        {
            var (t, g) = New();
            var ports = new uint[129];
            for (uint i = 0; i < ports.Length; i++)
                ports[i] = i + 1;
            Assert.Equal(-XenErrno.EINVAL, Poll(g, 0, ports));
            Assert.False(t.Vcpu.IsBlocked);

            // 128 is the limit, not beyond it.
            g.Write(g.Args, new SchedPoll { Ports = g.Data, NrPorts = 128 });
            Assert.Equal(0, g.Call(HypercallNumber.SchedOp, SchedOp.Poll, g.Args));
            Assert.True(t.Vcpu.IsPolling);
            Assert.Equal(-1, t.Vcpu.PollPort);
        }

        [Fact]
        public void Poll_HugeCount_EinvalBeforeTheListIsJudged()
        {
            var (t, g) = New();
            g.Write(g.Args, new SchedPoll { Ports = 0xFFFF_8000_0000_0000UL, NrPorts = 0xFFFF_FFFF });
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.SchedOp, SchedOp.Poll, g.Args));
        }

        [Fact]
        public void Poll_PortBeyond4095_Einval()
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EINVAL, Poll(g, 0, 4096));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Poll_UnreadablePortList_Efault()
        {
            var (t, g) = New();
            g.Write(g.Args, new SchedPoll { Ports = TestDomain.UnmappedAddress, NrPorts = 1 });
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.SchedOp, SchedOp.Poll, g.Args));
            g.Write(g.Args, new SchedPoll { Ports = 0xFFFF_8000_0000_0000UL, NrPorts = 1 });
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.SchedOp, SchedOp.Poll, g.Args));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(TestDomain.UnmappedAddress)]
        public void Poll_UnreadableArgument_Efault(ulong pointer)
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.SchedOp, SchedOp.Poll, pointer));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Poll_WokenByItsPortOrItsTimeout()
        {
            var (t, g) = New();
            TestClock.Attach(t);
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            g.SetMasked(1, true);
            g.SetMasked(2, true);

            Assert.Equal(0, Poll(g, 0, 1));
            Assert.Equal(0, g.Send(2));
            Assert.True(t.Vcpu.IsPolling);
            Assert.Equal(0, g.Send(1));
            Assert.False(t.Vcpu.IsPolling);

            g.AcknowledgeAll();
            Assert.Equal(0, Poll(g, 2_000_000, 1));
            VcpuTimers.Expire(t.Host, 1_999_999);
            Assert.True(t.Vcpu.IsPolling);
            VcpuTimers.Expire(t.Host, 2_000_000);
            Assert.False(t.Vcpu.IsPolling);
            Assert.False(t.Vcpu.IsBlocked);
        }

        // ---- remote_shutdown ----

        private static long RemoteShutdown(EventGuest g, ushort domain, uint reason)
        {
            g.Write(g.Args, new SchedRemoteShutdown { DomainId = domain, Reason = reason });
            return g.Call(HypercallNumber.SchedOp, SchedOp.RemoteShutdown, g.Args);
        }

        [Fact]
        public void RemoteShutdown_Privileged_ShutsTheTargetDown()
        {
            var t = TestDomain.Create(EventGuest.TwoDomainOptions());
            var dom0 = EventGuest.Of(t);
            var dom1 = EventGuest.Build(t, 1, privileged: false);

            Assert.Equal(0, RemoteShutdown(dom0, 1, ShutdownReason.Reboot));

            Assert.Equal(DomainState.ShutDown, dom1.Domain.State);
            Assert.Equal((int)ShutdownReason.Reboot, dom1.Domain.ShutdownReason);
            Assert.True(dom0.Domain.IsAlive);
            Assert.Contains("domain 1 shut down: reboot", t.ConsoleText);
        }

        [Fact]
        public void RemoteShutdown_Unprivileged_Eperm()
        {
            var (t, g) = New(privileged: false);
            var target = EventGuest.HandBuilt(t, 1, true, 1);
            Assert.Equal(-XenErrno.EPERM, RemoteShutdown(g, 1, ShutdownReason.Poweroff));
            Assert.True(target.Domain.IsAlive);
            Assert.True(t.Domain.IsAlive);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void RemoteShutdown_UnknownDomain_Esrch_ForAnyone(bool privileged)
        {
            var (t, g) = New(privileged);
            Assert.Equal(-XenErrno.ESRCH, RemoteShutdown(g, 7, ShutdownReason.Poweroff));
            Assert.Equal(-XenErrno.ESRCH, RemoteShutdown(g, 300, ShutdownReason.Poweroff));
            // Xen looks the id up as it is: DOMID_SELF names no domain here.
            Assert.Equal(-XenErrno.ESRCH, RemoteShutdown(g, DomainId.Self, ShutdownReason.Poweroff));
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void RemoteShutdown_UnreadableArgument_Efault()
        {
            var (t, g) = New();
            var target = EventGuest.HandBuilt(t, 1, false, 1);
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.SchedOp, SchedOp.RemoteShutdown, TestDomain.UnmappedAddress));
            Assert.True(target.Domain.IsAlive);
        }

        [Fact]
        public void RemoteShutdown_TheTargetKeepsTheReasonGiven()
        {
            var (t, g) = New();
            var target = EventGuest.HandBuilt(t, 3, false, 1);
            Assert.Equal(0, RemoteShutdown(g, 3, ShutdownReason.Crash));
            Assert.Equal(DomainState.ShutDown, target.Domain.State);
            Assert.Equal((int)ShutdownReason.Crash, target.Domain.ShutdownReason);
            Assert.True(t.Domain.IsAlive);
        }

        // ---- sched_op_compat ----

        [Fact]
        public void Compat_Yield()
        {
            var (t, g) = New();
            Assert.Equal(0, g.Call(HypercallNumber.SchedOpCompat, SchedOp.Yield));
            Assert.True(t.Domain.IsAlive);
            Assert.False(t.Vcpu.IsBlocked);
            Assert.Equal(1, t.UpcallMask);
        }

        [Fact]
        public void Compat_Block()
        {
            var (t, g) = New();
            Assert.Equal(0, g.Call(HypercallNumber.SchedOpCompat, SchedOp.Block));
            Assert.True(t.Vcpu.IsBlocked);
            Assert.Equal(0, t.UpcallMask);

            VcpuBlockingWake(t);
            g.SetUpcallPending(1);
            Assert.Equal(0, g.Call(HypercallNumber.SchedOpCompat, SchedOp.Block));
            Assert.False(t.Vcpu.IsBlocked);
        }

        private static void VcpuBlockingWake(TestDomain t) => Core.Scheduling.VcpuBlocking.Wake(t.Vcpu);

        [Theory]
        [InlineData(ShutdownReason.Poweroff)]
        [InlineData(ShutdownReason.Reboot)]
        [InlineData(ShutdownReason.Crash)]
        public void Compat_Shutdown_ReasonIsTheArgumentItself(uint reason)
        {
            var (t, g) = New();
            Assert.Equal(0, g.Call(HypercallNumber.SchedOpCompat, SchedOp.Shutdown, reason));
            Assert.Equal(DomainState.ShutDown, t.Domain.State);
            Assert.Equal((int)reason, t.Domain.ShutdownReason);
        }

        [Fact]
        public void Compat_Shutdown_OnlyTheLowByteOfTheReason()
        {
            var (t, g) = New();
            Assert.Equal(0, g.Call(HypercallNumber.SchedOpCompat, SchedOp.Shutdown, 0xFF00 | ShutdownReason.Watchdog));
            Assert.Equal((int)ShutdownReason.Watchdog, t.Domain.ShutdownReason);
        }

        [Fact]
        public void Compat_Shutdown_ThroughTheRegisters()
        {
            var (t, g) = New();
            Assert.Equal(0, t.SyscallHypercall(HypercallNumber.SchedOpCompat, SchedOp.Shutdown, ShutdownReason.Reboot));
            Assert.Equal(DomainState.ShutDown, t.Domain.State);
            Assert.Equal((int)ShutdownReason.Reboot, t.Domain.ShutdownReason);
        }

        [Theory]
        [InlineData(SchedOp.Poll)]
        [InlineData(SchedOp.RemoteShutdown)]
        [InlineData(SchedOp.ShutdownCode)]
        [InlineData(SchedOp.Watchdog)]
        [InlineData(99)]
        public void Compat_OtherCommands_Enosys(int cmd)
        {
            var (t, g) = New();
            g.Write(g.Args, new SchedWatchdog { Id = 0, Timeout = 5 });
            Assert.Equal(-XenErrno.ENOSYS, g.Call(HypercallNumber.SchedOpCompat, (ulong)cmd, g.Args));
            Assert.True(t.Domain.IsAlive);
            Assert.False(t.Vcpu.IsBlocked);
            Assert.Equal(0UL, t.Domain.WatchdogDeadlines[0]);
        }
    }
}
