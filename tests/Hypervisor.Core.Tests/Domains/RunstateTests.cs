using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>
    /// Runstates as Xen keeps them (<see cref="Runstate"/>): a vCPU is offline from the time it is made;
    /// the scheduler's picks make it running, and the vCPU it puts aside blocked, runnable or offline;
    /// a wake-up makes it runnable, VCPUOP_down and pausedomain offline; each state's time is added when
    /// it ends, so the four times add up to the time since the vCPU was made and state_entry_time says
    /// when the present state began; a registered area is rewritten at each change (with
    /// XEN_RUNSTATE_UPDATE set while it is, under VMASST_TYPE_runstate_update_flag).
    /// </summary>
    public unsafe class RunstateTests
    {
        private const ulong Ms = 1_000_000;

        private sealed class Machine
        {
            public TestDomain T;
            public TestClock Clock;
            public CreditScheduler Scheduler;
            public EventGuest G;
            public Domain D => G.Domain;
            public Vcpu V0 => G.Domain.Vcpus[0];
            public Vcpu V1 => G.Domain.Vcpus[1];
        }

        // A two-vCPU domain on a one-CPU scheduler, made at 10 ms (both offline since then).
        private static Machine New()
        {
            var t = TestDomain.Create();
            var m = new Machine { T = t, Clock = TestClock.Attach(t, 10 * Ms) };
            m.Scheduler = new CreditScheduler(1);
            t.Host.Scheduler = m.Scheduler;
            m.G = EventGuest.HandBuilt(t, 1, false, 2);
            foreach (Vcpu v in m.D.Vcpus)
            {
                v.RunstateEntryTime = 10 * Ms;
                m.Scheduler.AddVcpu(v);
            }
            return m;
        }

        private static VcpuRunstateInfo Get(Machine m, Vcpu v)
        {
            Assert.Same(m.Scheduler, v.Domain.Host.Scheduler);
            return Runstate.Get(v);
        }

        [Fact]
        public void AVcpuMadeByTheToolstack_IsOfflineSinceItWasMade()
        {
            var t = TestDomain.Create();
            var clock = TestClock.Attach(t, 7 * Ms);
            t.Host.Scheduler = new CreditScheduler(1);
            Assert.Equal(0, DomainCreation.Create(t.Host, 3, false, 2, 0, out Domain d));
            Assert.Equal(0, DomainCreation.AddVcpus(d, 2));
            clock.Now = 50 * Ms;

            VcpuRunstateInfo info = Runstate.Get(d.Vcpus[1]);
            Assert.Equal(VcpuRunstate.Offline, info.State);
            Assert.Equal(7 * Ms, info.StateEntryTime);
            Assert.Equal(43 * Ms, info.Time[VcpuRunstate.Offline]);
            Assert.Equal(0UL, info.Time[VcpuRunstate.Running] + info.Time[VcpuRunstate.Runnable] + info.Time[VcpuRunstate.Blocked]);
        }

        [Fact]
        public void PickedRunning_PutAsideWhenBlocked_TimesAddUpToTheTimeSinceMade()
        {
            var m = New();
            m.Clock.Now = 20 * Ms;
            Assert.Same(m.V0, m.Scheduler.PickNext(0, null, 20 * Ms, out _));
            VcpuRunstateInfo info = Get(m, m.V0);
            Assert.Equal(VcpuRunstate.Running, info.State);
            Assert.Equal(20 * Ms, info.StateEntryTime);
            Assert.Equal(10 * Ms, info.Time[VcpuRunstate.Runnable]);   // up and waiting until picked

            m.V0.IsBlocked = true;                                      // SCHEDOP_block
            m.Clock.Now = 25 * Ms;
            Assert.Equal(VcpuRunstate.Running, Get(m, m.V0).State);     // still on the CPU until it is put aside
            Assert.Same(m.V1, m.Scheduler.PickNext(0, m.V0, 25 * Ms, out _));
            m.Clock.Now = 40 * Ms;
            info = Get(m, m.V0);
            Assert.Equal(VcpuRunstate.Blocked, info.State);
            Assert.Equal(25 * Ms, info.StateEntryTime);
            Assert.Equal(5 * Ms, info.Time[VcpuRunstate.Running]);
            Assert.Equal(15 * Ms, info.Time[VcpuRunstate.Blocked]);
            Assert.Equal(30 * Ms, info.Time[0] + info.Time[1] + info.Time[2] + info.Time[3]);

            VcpuRunstateInfo other = Get(m, m.V1);
            Assert.Equal(VcpuRunstate.Running, other.State);
            Assert.Equal(15 * Ms, other.Time[VcpuRunstate.Runnable]);
        }

        [Fact]
        public void AWakeUp_MakesABlockedVcpuRunnable_AtThatTime()
        {
            var m = New();
            m.Scheduler.PickNext(0, null, 20 * Ms, out _);              // vCPU 0 runs
            m.V0.IsBlocked = true;
            m.Scheduler.PickNext(0, m.V0, 25 * Ms, out _);              // vCPU 1 runs, vCPU 0 blocked
            m.Clock.Now = 33 * Ms;
            Core.Scheduling.VcpuBlocking.Wake(m.V0);
            m.Clock.Now = 50 * Ms;
            VcpuRunstateInfo info = Get(m, m.V0);
            Assert.Equal(VcpuRunstate.Runnable, info.State);
            Assert.Equal(33 * Ms, info.StateEntryTime);
            Assert.Equal(8 * Ms, info.Time[VcpuRunstate.Blocked]);
        }

        [Fact]
        public void DownOfAWaitingVcpu_IsOfflineAtOnce()
        {
            var m = New();
            m.Scheduler.PickNext(0, null, 20 * Ms, out _);              // vCPU 0 runs, vCPU 1 waits
            m.Clock.Now = 30 * Ms;
            Assert.Equal(0, m.G.Call(HypercallNumber.VcpuOp, (ulong)VcpuOp.Down, 1));
            m.Clock.Now = 45 * Ms;
            VcpuRunstateInfo info = Get(m, m.V1);
            Assert.Equal(VcpuRunstate.Offline, info.State);
            Assert.Equal(30 * Ms, info.StateEntryTime);
            Assert.Equal(20 * Ms, info.Time[VcpuRunstate.Runnable]);
            Assert.Equal(15 * Ms, info.Time[VcpuRunstate.Offline]);
        }

        [Fact]
        public void APausedDomainsVcpus_AreOffline()
        {
            var m = New();
            m.Clock.Now = 30 * Ms;
            DomctlPause(m);
            VcpuRunstateInfo info = Get(m, m.V1);
            Assert.Equal(VcpuRunstate.Offline, info.State);
            Assert.Equal(30 * Ms, info.StateEntryTime);
        }

        private static void DomctlPause(Machine m)
        {
            // dom0 (the test domain) pauses domain 1.
            var op = new XenDomctl { Cmd = Domctl.PauseDomain, InterfaceVersion = Domctl.InterfaceVersion, Domain = 1 };
            ulong address = m.T.Scratch + 0x30000;
            m.T.WriteStruct(address, op);
            Assert.Equal(0, m.T.Hypercall(HypercallNumber.Domctl, address));
            Assert.Equal(1, m.D.ControllerPauses);
        }

        [Fact]
        public void ARegisteredArea_IsRewrittenAtEachChange()
        {
            var m = New();
            ulong area = m.T.Scratch + 0x28000;
            m.V0.RunstateArea = area;
            m.Scheduler.PickNext(0, null, 20 * Ms, out _);
            var written = m.T.ReadStruct<VcpuRunstateInfo>(area);
            Assert.Equal(VcpuRunstate.Running, written.State);
            Assert.Equal(20 * Ms, written.StateEntryTime);
            Assert.Equal(10 * Ms, written.Time[VcpuRunstate.Runnable]);

            m.V0.IsBlocked = true;
            m.Scheduler.PickNext(0, m.V0, 26 * Ms, out _);
            written = m.T.ReadStruct<VcpuRunstateInfo>(area);
            Assert.Equal(VcpuRunstate.Blocked, written.State);
            Assert.Equal(26 * Ms, written.StateEntryTime);
            Assert.Equal(6 * Ms, written.Time[VcpuRunstate.Running]);
        }

        [Fact]
        public void WithTheRunstateUpdateFlagAssist_TheAreaEndsWithoutTheFlag()
        {
            var m = New();
            m.D.VmAssist = 1UL << VmAssistType.RunstateUpdateFlag;
            ulong area = m.T.Scratch + 0x28000;
            m.V0.RunstateArea = area;
            m.Scheduler.PickNext(0, null, 20 * Ms, out _);
            var written = m.T.ReadStruct<VcpuRunstateInfo>(area);
            Assert.Equal(20 * Ms, written.StateEntryTime);
            Assert.Equal(VcpuRunstate.Running, written.State);
        }
    }
}
