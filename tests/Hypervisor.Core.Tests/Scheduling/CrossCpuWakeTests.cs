using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Scheduling
{
    /// <summary>
    /// The wake plumbing between CPUs (what the arch layer turns into IPIs): a vCPU made runnable asks
    /// the CPU the scheduler queued it on to choose again; an event for a vCPU that runs on another CPU
    /// makes that CPU look; a vCPU taken down is taken off the CPU running it.
    /// </summary>
    public class CrossCpuWakeTests
    {
        /// <summary>dom0 with two vCPUs under a two-CPU scheduler: vCPU 0 running on CPU 0, vCPU 1
        /// (given page tables, so up) known to the scheduler on CPU 1.</summary>
        private static (TestDomain T, Vcpu V0, Vcpu V1, CreditScheduler S) New()
        {
            var t = TestDomain.Create(o => o.Vcpus = 2);
            var s = new CreditScheduler(2);
            t.Host.Scheduler = s;
            Vcpu v0 = t.Domain.Vcpus[0], v1 = t.Domain.Vcpus[1];
            v1.KernelTableFrame = v0.KernelTableFrame;   // initialised (the scheduler only reads it)
            s.AddVcpu(v0);
            s.AddVcpu(v1);
            Assert.Same(v0, s.PickNext(0, null, 0, out _));
            t.Platform.Invocations.Clear();
            return (t, v0, v1, s);
        }

        [Fact]
        public void AWokenVcpuAsksTheCpuItIsQueuedOnToChooseAgain()
        {
            var (t, _, v1, s) = New();
            Assert.Same(v1, s.PickNext(1, null, 0, out _));
            v1.IsBlocked = true;
            Assert.Null(s.PickNext(1, v1, 1_000, out _));          // CPU 1 idles

            VcpuBlocking.Wake(v1);

            Assert.False(v1.IsBlocked);
            t.Platform.Verify(p => p.RequestReschedule(1), Times.Once());
            t.Platform.Verify(p => p.RequestReschedule(0), Times.Never());
        }

        [Fact]
        public void AnEventForAVcpuRunningOnAnotherCpuMakesThatCpuLook()
        {
            var (t, _, v1, s) = New();
            Assert.Same(v1, s.PickNext(1, null, 0, out _));
            t.Platform.Setup(p => p.CurrentCpu).Returns(0);

            TwoLevelEvents.SetPending(t.Domain, 1, 5);   // unmasked port: selector and upcall for vCPU 1

            Assert.Equal(1, t.Memory.Read8(v1.VcpuInfoAddress + VcpuInfoAccess.UpcallPendingOffset));
            t.Platform.Verify(p => p.NotifyCpu(1), Times.Once());
            t.Platform.Verify(p => p.RequestReschedule(It.IsAny<int>()), Times.Never());
        }

        [Fact]
        public void AnEventForTheVcpuOfTheCallingCpuNeedsNobodyToBeTold()
        {
            var (t, v0, _, _) = New();
            t.Platform.Setup(p => p.CurrentCpu).Returns(0);

            TwoLevelEvents.SetPending(t.Domain, 0, 5);

            Assert.Equal(1, t.Memory.Read8(v0.VcpuInfoAddress + VcpuInfoAccess.UpcallPendingOffset));
            t.Platform.Verify(p => p.NotifyCpu(It.IsAny<int>()), Times.Never());
        }

        [Fact]
        public void AnEventForAVcpuThatRunsNowhereTellsNoCpu()
        {
            var (t, _, _, _) = New();   // vCPU 1 is queued on CPU 1, not running
            TwoLevelEvents.SetPending(t.Domain, 1, 5);
            t.Platform.Verify(p => p.NotifyCpu(It.IsAny<int>()), Times.Never());
        }

        [Fact]
        public void VcpuOpDownOfAVcpuRunningElsewhereTakesItOffThatCpu()
        {
            var (t, v0, v1, s) = New();
            Assert.Same(v1, s.PickNext(1, null, 0, out _));

            Assert.Equal(0, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.Down, 1, 0));

            Assert.False(v1.IsUp);
            t.Platform.Verify(p => p.RequestReschedule(1), Times.Once());
            Assert.Null(s.PickNext(1, v1, 1_000, out _));          // and CPU 1 then leaves it
            Assert.True(v0.IsUp);
        }

        [Fact]
        public void UpAgainQueuesItAndAsksAnIdleCpu()
        {
            var (t, _, v1, s) = New();
            Assert.Equal(0, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.Down, 1, 0));
            Assert.Null(s.PickNext(1, null, 1_000, out _));
            t.Platform.Invocations.Clear();

            Assert.Equal(0, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.Up, 1, 0));

            t.Platform.Verify(p => p.RequestReschedule(1), Times.Once());
            Assert.Same(v1, s.PickNext(1, null, 2_000, out _));
        }
    }
}
