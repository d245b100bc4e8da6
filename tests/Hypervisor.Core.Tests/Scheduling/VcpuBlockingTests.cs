using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Scheduling
{
    /// <summary>
    /// SCHEDOP_block and SCHEDOP_poll as the core implements them (<see cref="VcpuBlocking"/>), and the
    /// wake-ups that end them: an upcall, a polled port being raised (masked or not), the poll's deadline.
    /// </summary>
    public class VcpuBlockingTests
    {
        private static (TestDomain T, EventGuest G) New()
        {
            var t = TestDomain.Create();
            return (t, EventGuest.Of(t));
        }

        // ---- Block ----

        [Fact]
        public void Block_UpcallPending_ReturnsAtOnceNotBlocked_AndUnmasksEvents()
        {
            var (t, g) = New();
            Assert.Equal(1, t.UpcallMask);
            g.SetUpcallPending(1);
            t.Host.TimersChanged = false;

            VcpuBlocking.Block(t.Vcpu);

            Assert.False(t.Vcpu.IsBlocked);
            Assert.True(t.Vcpu.IsRunnable);
            Assert.Equal(0, t.UpcallMask);
            Assert.False(t.Host.TimersChanged);
        }

        [Fact]
        public void Block_NothingPending_LeavesTheVcpuBlocked()
        {
            var (t, g) = New();
            Assert.True(t.Vcpu.IsRunnable);
            t.Host.TimersChanged = false;

            VcpuBlocking.Block(t.Vcpu);

            Assert.True(t.Vcpu.IsBlocked);
            Assert.False(t.Vcpu.IsPolling);
            Assert.False(t.Vcpu.IsRunnable);
            Assert.Equal(0, t.UpcallMask);
            Assert.True(t.Host.TimersChanged);                    // the arch reprograms its timer
        }

        [Fact]
        public void Block_APendingPortWithoutUpcall_StillBlocks()
        {
            // Only the upcall flag counts: a masked port that is pending does not end a block.
            var (t, g) = New();
            g.SetPendingBit(5, true);
            VcpuBlocking.Block(t.Vcpu);
            Assert.True(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Blocked_WokenByAnEventOnAnUnmaskedPort_NotByAMaskedOne()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            g.SetMasked(1, true);
            VcpuBlocking.Block(t.Vcpu);

            Assert.Equal(0, g.Send(1));
            Assert.True(t.Vcpu.IsBlocked);
            Assert.True(g.IsPending(1));

            Assert.Equal(0, g.Send(2));
            Assert.False(t.Vcpu.IsBlocked);
            Assert.True(t.Vcpu.IsRunnable);
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void Blocked_WokenByAVirq()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindVirq(Virq.Debug));
            VcpuBlocking.Block(t.Vcpu);
            EventChannels.SendVirq(t.Vcpu, Virq.Debug);
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Blocked_NotWokenByAPollersWakeUp()
        {
            // A plain block waits for an upcall; a port raised while masked only wakes pollers.
            var (t, g) = New();
            VcpuBlocking.Block(t.Vcpu);
            VcpuBlocking.WakePollers(t.Domain, 5);
            Assert.True(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Wake_EndsABlockOrPoll_AndForgetsTheDeadline()
        {
            var (t, g) = New();
            g.WritePorts(g.Data, 3);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 12345));
            Assert.True(t.Vcpu.IsPolling);
            Assert.Equal(12345UL, t.Vcpu.PollDeadline);

            VcpuBlocking.Wake(t.Vcpu);

            Assert.False(t.Vcpu.IsBlocked);
            Assert.False(t.Vcpu.IsPolling);
            Assert.Equal(0UL, t.Vcpu.PollDeadline);
            Assert.True(t.Vcpu.IsRunnable);
        }

        [Fact]
        public void Wake_ARunningVcpu_Nothing()
        {
            var (t, g) = New();
            t.Vcpu.PollDeadline = 77;                              // not waiting: left alone
            VcpuBlocking.Wake(t.Vcpu);
            Assert.False(t.Vcpu.IsBlocked);
            Assert.Equal(77UL, t.Vcpu.PollDeadline);
        }

        // ---- Poll ----

        [Fact]
        public void Poll_NothingPending_BlocksOnThatPort()
        {
            var (t, g) = New();
            g.WritePorts(g.Data, 7);
            t.Host.TimersChanged = false;

            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 5_000));

            Assert.True(t.Vcpu.IsBlocked);
            Assert.True(t.Vcpu.IsPolling);
            Assert.False(t.Vcpu.IsRunnable);
            Assert.Equal(7, t.Vcpu.PollPort);
            Assert.Equal(5_000UL, t.Vcpu.PollDeadline);
            Assert.True(t.Host.TimersChanged);
            Assert.Equal(1, t.UpcallMask);                        // unlike block, poll leaves the mask alone
        }

        [Fact]
        public void Poll_SeveralPorts_WaitsForAny()
        {
            var (t, g) = New();
            g.WritePorts(g.Data, 7, 8, 9);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 3, 0));
            Assert.True(t.Vcpu.IsPolling);
            Assert.Equal(-1, t.Vcpu.PollPort);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        public void Poll_AnyPortAlreadyPending_ReturnsWithoutBlocking(int which)
        {
            var (t, g) = New();
            uint[] ports = { 10, 200, 4095 };
            g.WritePorts(g.Data, ports);
            g.SetPendingBit(ports[which], true);
            g.SetMasked(ports[which], true);                       // masked or not: pending is pending

            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 3, 0));

            Assert.False(t.Vcpu.IsBlocked);
            Assert.False(t.Vcpu.IsPolling);
        }

        [Fact]
        public void Poll_UpcallDue_ReturnsWithoutBlocking_EvenBeforeReadingThePorts()
        {
            var (t, g) = New();
            t.SetUpcallMask(0);
            g.SetUpcallPending(1);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, TestDomain.UnmappedAddress, 1, 0));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Poll_UpcallPendingButMasked_Blocks()
        {
            var (t, g) = New();
            g.SetUpcallPending(1);
            Assert.Equal(1, t.UpcallMask);
            g.WritePorts(g.Data, 3);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));
            Assert.True(t.Vcpu.IsBlocked);
        }

        [Theory]
        [InlineData(TestDomain.UnmappedAddress)]
        [InlineData(0UL)]
        public void Poll_UnreadablePortList_Efault_NotBlocked(ulong list)
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EFAULT, VcpuBlocking.Poll(t.Vcpu, list, 1, 0));
            Assert.False(t.Vcpu.IsBlocked);
            Assert.False(t.Vcpu.IsPolling);
        }

        [Fact]
        public void Poll_ListInTheHypervisorsRange_Efault_EvenWhenEmpty()
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EFAULT, VcpuBlocking.Poll(t.Vcpu, 0xFFFF_8000_0000_0000UL, 0, 0));
            Assert.Equal(-XenErrno.EFAULT, VcpuBlocking.Poll(t.Vcpu, 0xFFFF_8000_0000_0000UL, 1, 0));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Poll_ListRunningOffTheMapping_Efault()
        {
            var (t, g) = New();
            ulong list = t.Layout.MappedEnd - 8;                    // two ports readable, the third is not
            Assert.False(GuestMemory.TryRead(t.Vcpu, t.Layout.MappedEnd, out byte _));
            g.WritePorts(list, 3, 4);
            Assert.Equal(-XenErrno.EFAULT, VcpuBlocking.Poll(t.Vcpu, list, 3, 0));
            Assert.False(t.Vcpu.IsBlocked);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, list, 2, 0));   // the readable part alone is fine
            Assert.True(t.Vcpu.IsBlocked);
        }

        [Theory]
        [InlineData(4096u)]
        [InlineData(65536u)]
        [InlineData(0xFFFF_FFFFu)]
        public void Poll_PortBeyondTheAbi_Einval(uint port)
        {
            var (t, g) = New();
            g.WritePorts(g.Data, 3, port);
            Assert.Equal(-XenErrno.EINVAL, VcpuBlocking.Poll(t.Vcpu, g.Data, 2, 0));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Poll_TheLastPortOfTheAbi_IsFine()
        {
            var (t, g) = New();
            g.WritePorts(g.Data, 4095);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));
            Assert.True(t.Vcpu.IsPolling);
        }

        [Fact]
        public void Poll_WokenByItsPort_EvenMasked()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            g.SetMasked(1, true);
            g.WritePorts(g.Data, 1);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));

            Assert.Equal(0, g.Send(1));

            Assert.False(t.Vcpu.IsBlocked);
            Assert.False(t.Vcpu.IsPolling);
            Assert.Equal(0, g.UpcallPending());                    // woken by the poll, not by an upcall
        }

        [Fact]
        public void Poll_OnePort_NotWokenByAnotherMaskedPort()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            g.SetMasked(1, true);
            g.SetMasked(2, true);
            g.WritePorts(g.Data, 1);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));

            Assert.Equal(0, g.Send(2));

            Assert.True(t.Vcpu.IsBlocked);
            Assert.True(t.Vcpu.IsPolling);

            Assert.Equal(0, g.Send(1));
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Poll_OnePort_WokenByAnUpcallFromAnotherPort()
        {
            // As in Xen, marking an upcall kicks the vCPU out of any wait.
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            g.WritePorts(g.Data, 1);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));
            Assert.Equal(0, g.Send(2));
            Assert.False(t.Vcpu.IsBlocked);
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void Poll_SeveralPorts_WokenByAnyPort()
        {
            var (t, g) = New();
            for (uint i = 1; i <= 3; i++)
            {
                Assert.Equal(i, (ulong)g.BindIpi());
                g.SetMasked(i, true);
            }

            g.WritePorts(g.Data, 1, 2);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 2, 0));
            Assert.Equal(0, g.Send(3));                            // not even one of the list
            Assert.False(t.Vcpu.IsBlocked);
            Assert.False(t.Vcpu.IsPolling);
        }

        [Fact]
        public void Poll_NotWokenByAnAlreadyPendingPort()
        {
            // Raising a port that is already pending is not an edge: a poll on another port stays.
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            g.SetMasked(2, true);
            g.WritePorts(g.Data, 1, 2);
            Assert.Equal(0, g.Send(2));
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));   // polls port 1 only
            Assert.True(t.Vcpu.IsPolling);
            Assert.Equal(0, g.Send(2));
            Assert.True(t.Vcpu.IsPolling);
        }

        [Fact]
        public void Poll_WokenByItsDeadline()
        {
            var (t, g) = New();
            TestClock.Attach(t);
            g.WritePorts(g.Data, 1);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 5_000_000));

            VcpuTimers.Expire(t.Host, 4_999_999);
            Assert.True(t.Vcpu.IsPolling);
            Assert.True(t.Vcpu.IsBlocked);

            VcpuTimers.Expire(t.Host, 5_000_000);
            Assert.False(t.Vcpu.IsPolling);
            Assert.False(t.Vcpu.IsBlocked);
            Assert.Equal(0UL, t.Vcpu.PollDeadline);
            Assert.False(g.IsPending(1));                          // a timeout raises nothing
        }

        [Fact]
        public void Poll_WithoutDeadline_NeverTimesOut()
        {
            var (t, g) = New();
            TestClock.Attach(t);
            g.WritePorts(g.Data, 1);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 0));
            VcpuTimers.Expire(t.Host, 1_000_000_000);
            VcpuTimers.Expire(t.Host, ulong.MaxValue);
            Assert.True(t.Vcpu.IsPolling);
        }

        [Fact]
        public void Poll_DeadlineAlreadyPast_EndsAtTheNextExpire()
        {
            var (t, g) = New();
            var clock = TestClock.Attach(t, 10_000_000);
            g.WritePorts(g.Data, 1);
            Assert.Equal(0, VcpuBlocking.Poll(t.Vcpu, g.Data, 1, 5_000_000));
            VcpuTimers.Expire(t.Host, clock.Now);
            Assert.False(t.Vcpu.IsPolling);
        }

        [Fact]
        public void WakePollers_WakesOnlyTheVcpusPollingThePort()
        {
            var t = TestDomain.Create();
            var d = EventGuest.HandBuilt(t, 1, false, 3);
            Vcpu v0 = d.Domain.Vcpus[0], v1 = d.Domain.Vcpus[1], v2 = d.Domain.Vcpus[2];
            d.WritePorts(d.Data, 5);
            d.WritePorts(d.Data + 0x100, 6);
            d.WritePorts(d.Data + 0x200, 6, 7);
            Assert.Equal(0, VcpuBlocking.Poll(v0, d.Data, 1, 0));
            Assert.Equal(0, VcpuBlocking.Poll(v1, d.Data + 0x100, 1, 0));
            Assert.Equal(0, VcpuBlocking.Poll(v2, d.Data + 0x200, 2, 0));

            VcpuBlocking.WakePollers(d.Domain, 5);
            Assert.False(v0.IsPolling);
            Assert.True(v1.IsPolling);
            Assert.False(v2.IsPolling);                            // polls several: any port wakes it
        }

        [Fact]
        public void Poll_OnAnotherVcpu_WokenWhicheverVcpuThePortNotifies()
        {
            var t = TestDomain.Create();
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            Assert.Equal(1, d.BindIpi(0));                         // notifies vCPU 0
            d.SetMasked(1, true);
            d.WritePorts(d.Data, 1);
            Vcpu v1 = d.Domain.Vcpus[1];
            Assert.Equal(0, VcpuBlocking.Poll(v1, d.Data, 1, 0));
            Assert.Equal(0, d.Send(1));
            Assert.False(v1.IsPolling);
            Assert.False(v1.IsBlocked);
        }

        [Fact]
        public void PollersOfAnotherDomain_AreNotWoken()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            var d = EventGuest.HandBuilt(t, 1, false, 1);
            d.WritePorts(d.Data, 1);
            Assert.Equal(0, VcpuBlocking.Poll(d.Vcpu, d.Data, 1, 0));
            Assert.Equal(1, g.BindIpi());
            g.SetMasked(1, true);
            Assert.Equal(0, g.Send(1));
            Assert.True(d.Vcpu.IsPolling);
        }
    }
}
