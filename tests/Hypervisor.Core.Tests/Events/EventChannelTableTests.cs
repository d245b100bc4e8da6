using Hypervisor.Abi;
using Hypervisor.Core.Events;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Events
{
    /// <summary>
    /// The port space of a domain (2-level ABI): lowest free port first, port 0 reserved for ever,
    /// ports valid in buckets of 64 as they are first needed, -ENOSPC once all 4096 are in use.
    /// </summary>
    public class EventChannelTableTests
    {
        // ---- The table itself ----

        [Fact]
        public void NewTable_Port0Reserved_FirstBucketValid_RestNot()
        {
            var table = new EventChannelTable();
            Assert.Equal(EventChannelState.Reserved, table[0].State);
            Assert.Equal(64, EventChannelTable.PortsPerBucket);
            Assert.Equal(4096, EventChannelTable.MaxPorts);
            Assert.Equal(64, table.ValidPorts);
            Assert.True(table.IsValid(0));
            Assert.True(table.IsValid(63));
            Assert.False(table.IsValid(64));
            Assert.False(table.IsValid(4095));
            Assert.False(table.IsValid(uint.MaxValue));
            for (uint port = 1; port < 64; port++)
                Assert.Equal(EventChannelState.Free, table[port].State);
        }

        [Fact]
        public void FindFreePort_IsLowestFree_AndLeavesThePortFree()
        {
            var table = new EventChannelTable();
            Assert.Equal(1, table.FindFreePort());
            Assert.Equal(EventChannelState.Free, table[1].State);
            Assert.Equal(1, table.FindFreePort());      // still free: the caller has not taken it
            table[1].State = EventChannelState.Ipi;
            table[2].State = EventChannelState.Ipi;
            table[3].State = EventChannelState.Ipi;
            Assert.Equal(4, table.FindFreePort());
            table.Free(2);
            Assert.Equal(2, table.FindFreePort());
        }

        [Fact]
        public void Free_ForgetsEverythingAboutThePort()
        {
            var table = new EventChannelTable();
            ref EventChannel c = ref table[5];
            c.State = EventChannelState.Interdomain;
            c.NotifyVcpu = 3;
            c.RemoteDomain = 7;
            c.RemotePort = 9;
            c.Virq = 2;
            table.Free(5);
            Assert.Equal(default(EventChannel), table[5]);
        }

        [Fact]
        public void TableGrowsOneBucketWhenTheLastIsFull()
        {
            var table = new EventChannelTable();
            for (uint port = 1; port < 64; port++)
            {
                Assert.Equal(port, (uint)table.FindFreePort());
                table[port].State = EventChannelState.Ipi;
            }

            Assert.Equal(64, table.ValidPorts);         // the first bucket is just full: no growth yet
            Assert.Equal(64, table.FindFreePort());
            Assert.Equal(128, table.ValidPorts);
            Assert.True(table.IsValid(127));
            Assert.False(table.IsValid(128));
        }

        [Fact]
        public void AllPortsInUse_Enospc()
        {
            var table = new EventChannelTable();
            for (uint port = 1; port < 4096; port++)
            {
                Assert.Equal(port, (uint)table.FindFreePort());
                table[port].State = EventChannelState.Ipi;
            }

            Assert.Equal(4096, table.ValidPorts);
            Assert.Equal(-XenErrno.ENOSPC, table.FindFreePort());
            Assert.Equal(4096, table.ValidPorts);
            table.Free(4000);
            Assert.Equal(4000, table.FindFreePort());
        }

        // ---- As a guest sees it ----

        [Fact]
        public void Guest_PortsHandedOutLowestFirst_ClosedOnesReused()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            Assert.Equal(3, g.BindVirq(Virq.Timer));
            Assert.Equal(4, g.AllocUnbound(DomainId.Self));
            Assert.Equal(0, g.Close(2));
            Assert.Equal(0, g.Close(3));
            Assert.Equal(2, g.BindIpi());
            Assert.Equal(3, g.BindIpi());
            Assert.Equal(5, g.BindIpi());
        }

        [Fact]
        public void Guest_Port0IsReserved()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(0));
            Assert.Equal(-XenErrno.EINVAL, g.Close(0));
            Assert.Equal(-XenErrno.EINVAL, g.Send(0));
            Assert.Equal(-XenErrno.EINVAL, g.BindVcpu(0, 0));
            Assert.Equal(EventChannelState.Reserved, t.Domain.Events[0].State);
            Assert.NotEqual(0, g.BindIpi());
        }

        [Fact]
        public void Guest_AFreePortInsideTheBuckets_IsClosedAndUnmaskable_BeyondIsEinval()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);

            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(63));
            g.SetMasked(63, true);
            Assert.Equal(0, g.Unmask(63));
            Assert.False(g.IsMasked(63));

            Assert.Equal(-XenErrno.EINVAL, g.Status(64, out _));
            g.SetMasked(64, true);
            Assert.Equal(-XenErrno.EINVAL, g.Unmask(64));
            Assert.True(g.IsMasked(64));                // refused: not touched
            Assert.Equal(-XenErrno.EINVAL, g.Send(64));
            Assert.Equal(-XenErrno.EINVAL, g.Close(64));
            Assert.Equal(-XenErrno.EINVAL, g.BindVcpu(64, 0));
        }

        [Fact]
        public void Guest_BucketsGrowAsPortsAreNeeded()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            for (uint port = 1; port < 64; port++)
                Assert.Equal(port, (ulong)g.BindIpi());
            Assert.Equal(-XenErrno.EINVAL, g.Status(64, out _));

            Assert.Equal(64, g.BindIpi());
            Assert.Equal(EvtchnStatusKind.Ipi, g.StatusOf(64));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(127));
            Assert.Equal(-XenErrno.EINVAL, g.Status(128, out _));

            // Closing ports does not shrink the table.
            Assert.Equal(0, g.Close(64));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(127));
        }

        [Fact]
        public void Guest_AllPortsInUse_Enospc_UntilOneIsClosed()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            // 4095 ports through the core (the hypercall path for every one would be slow), the edge
            // through the hypercalls.
            for (uint port = 1; port < 4095; port++)
                Assert.Equal(port, (ulong)EventChannels.BindIpi(t.Domain, 0));
            Assert.Equal(4095, g.BindIpi());
            Assert.Equal(-XenErrno.ENOSPC, g.BindIpi());
            Assert.Equal(-XenErrno.ENOSPC, g.BindVirq(Virq.Timer));
            Assert.Equal(-XenErrno.ENOSPC, g.AllocUnbound(DomainId.Self));
            Assert.Equal(0u, t.Vcpu.VirqPorts[Virq.Timer]);    // the failed bind left nothing behind
            Assert.Equal(EvtchnStatusKind.Ipi, g.StatusOf(4095));

            Assert.Equal(0, g.Close(1234));
            Assert.Equal(1234, g.BindVirq(Virq.Timer));
            Assert.Equal(-XenErrno.ENOSPC, g.BindIpi());
        }
    }
}
