using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Events
{
    /// <summary>
    /// event_channel_op where the events conformance suite showed Xen 4.17 answering differently:
    /// status writes only the union members of the port's kind; the FIFO commands and reset_cont copy
    /// their argument in first (-EFAULT) and answer as on a 2-level domain (expand_array -EOPNOTSUPP,
    /// set_priority -EINVAL for a bad port, else -ENOSYS; reset_cont -EBUSY, no reset being under way);
    /// the compat form needs the whole evtchn_op readable and offers only commands 0-9; reset of
    /// another domain is -EINVAL unless its controller keeps it paused.
    /// </summary>
    public class EventChannelConformanceFixTests
    {
        private const ulong Filler = 0xA5A5A5A5A5A5A5A5UL;

        private static long Op(TestDomain t, int command, ulong argument) =>
            t.Hypercall(HypercallNumber.EventChannelOp, (ulong)(uint)command, argument);

        private static long Compat(TestDomain t, ulong argument) =>
            t.Hypercall(HypercallNumber.EventChannelOpCompat, argument);

        // The status struct as the guest leaves it: dom and port set, every other byte the filler.
        private static EvtchnStatus StatusOf(TestDomain t, uint port, out long rc)
        {
            byte[] bytes = new byte[24];
            for (int i = 0; i < bytes.Length; i++)
                bytes[i] = 0xA5;
            t.Write(t.Scratch, bytes);
            t.WriteStruct(t.Scratch, (ushort)DomainId.Self);
            t.WriteStruct(t.Scratch + 4, port);
            rc = Op(t, EventChannelOp.Status, t.Scratch);
            return t.ReadStruct<EvtchnStatus>(t.Scratch);
        }

        private static ulong UnionOf(TestDomain t) => t.Read64(t.Scratch + 16);

        [Fact]
        public void Status_IpiPort_LeavesTheUnionAsGiven()
        {
            var t = TestDomain.Create();
            long port = EventChannels.BindIpi(t.Domain, 0);
            EvtchnStatus status = StatusOf(t, (uint)port, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal(EvtchnStatusKind.Ipi, status.Status);
            Assert.Equal(0u, status.Vcpu);
            Assert.Equal(Filler, UnionOf(t));
        }

        [Fact]
        public void Status_ClosedPort_LeavesTheUnionAsGiven()
        {
            var t = TestDomain.Create();
            EvtchnStatus status = StatusOf(t, 7, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal(EvtchnStatusKind.Closed, status.Status);
            Assert.Equal(0u, status.Vcpu);
            Assert.Equal(Filler, UnionOf(t));
        }

        [Fact]
        public void Status_UnboundPort_WritesOnlyTheRemoteDomain()
        {
            var t = TestDomain.Create();
            long port = EventChannels.AllocUnbound(t.Domain, 42);
            EvtchnStatus status = StatusOf(t, (uint)port, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal(EvtchnStatusKind.Unbound, status.Status);
            Assert.Equal((ushort)42, status.PeerDom);
            // Bytes 18-23 (padding and the interdomain port) are not the unbound member's.
            Assert.Equal(Filler & ~0xFFFFUL, UnionOf(t) & ~0xFFFFUL);
        }

        [Fact]
        public void Status_InterdomainAndVirqPorts_WriteTheirMembers()
        {
            var t = TestDomain.Create();
            long remote = EventChannels.AllocUnbound(t.Domain, t.Domain.Id);
            long local = EventChannels.BindInterdomain(t.Domain, t.Domain, (uint)remote);
            EvtchnStatus status = StatusOf(t, (uint)local, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal(EvtchnStatusKind.Interdomain, status.Status);
            Assert.Equal(t.Domain.Id, status.PeerDom);
            Assert.Equal((uint)remote, status.PeerPort);

            long virq = EventChannels.BindVirq(t.Domain, Virq.Debug, 0);
            status = StatusOf(t, (uint)virq, out rc);
            Assert.Equal(0, rc);
            Assert.Equal(EvtchnStatusKind.Virq, status.Status);
            Assert.Equal(Virq.Debug, status.VirqNumber);
            Assert.Equal(Filler >> 32, UnionOf(t) >> 32);
        }

        [Theory]
        [InlineData(EventChannelOp.InitControl)]
        [InlineData(EventChannelOp.ExpandArray)]
        [InlineData(EventChannelOp.SetPriority)]
        [InlineData(EventChannelOp.ResetCont)]
        public void FifoCommandsAndResetCont_UnreadableArgument_Efault(int command)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EFAULT, Op(t, command, TestDomain.UnmappedAddress));
            Assert.Equal(-XenErrno.EFAULT, Op(t, command, 0));
        }

        [Fact]
        public void InitControl_ReadableArgument_EnosysAsBefore()
        {
            var t = TestDomain.Create();
            t.WriteStruct(t.Scratch, new EvtchnInitControl());
            Assert.Equal(-XenErrno.ENOSYS, Op(t, EventChannelOp.InitControl, t.Scratch));
        }

        [Fact]
        public void ExpandArray_OnTwoLevel_Eopnotsupp()
        {
            var t = TestDomain.Create();
            t.WriteStruct(t.Scratch, new EvtchnExpandArray { ArrayGfn = 5 });
            Assert.Equal(-XenErrno.EOPNOTSUPP, Op(t, EventChannelOp.ExpandArray, t.Scratch));
        }

        [Fact]
        public void SetPriority_ChecksThePortThenEnosys()
        {
            var t = TestDomain.Create();
            long port = EventChannels.BindIpi(t.Domain, 0);
            t.WriteStruct(t.Scratch, new EvtchnSetPriority { Port = (uint)port, Priority = EvtchnFifo.PriorityDefault });
            Assert.Equal(-XenErrno.ENOSYS, Op(t, EventChannelOp.SetPriority, t.Scratch));
            t.WriteStruct(t.Scratch, new EvtchnSetPriority { Port = 1000, Priority = EvtchnFifo.PriorityDefault });
            Assert.Equal(-XenErrno.EINVAL, Op(t, EventChannelOp.SetPriority, t.Scratch));
        }

        [Fact]
        public void ResetCont_NoResetUnderWay_EbusyAndPortsStay()
        {
            var t = TestDomain.Create();
            long port = EventChannels.BindIpi(t.Domain, 0);
            t.WriteStruct(t.Scratch, new EvtchnReset { Dom = DomainId.Self });
            Assert.Equal(-XenErrno.EBUSY, Op(t, EventChannelOp.ResetCont, t.Scratch));
            Assert.Equal(EventChannelState.Ipi, t.Domain.Events[(uint)port].State);
            t.WriteStruct(t.Scratch, new EvtchnReset { Dom = 42 });
            Assert.Equal(-XenErrno.ESRCH, Op(t, EventChannelOp.ResetCont, t.Scratch));
        }

        [Fact]
        public void Reset_AnotherRunningDomain_EinvalAndItsPortsStay()
        {
            var t = TestDomain.Create();
            var other = new Domain(t.Host, 1, false, 1);
            Assert.True(t.Host.Domains.Add(other));
            long port = EventChannels.AllocUnbound(other, t.Domain.Id);
            t.WriteStruct(t.Scratch, new EvtchnReset { Dom = 1 });
            Assert.Equal(-XenErrno.EINVAL, Op(t, EventChannelOp.Reset, t.Scratch));
            Assert.Equal(EventChannelState.Unbound, other.Events[(uint)port].State);
            Assert.Equal(-XenErrno.EINVAL, Op(t, EventChannelOp.ResetCont, t.Scratch));
        }

        [Fact]
        public void Reset_Self_StillClosesEverything()
        {
            var t = TestDomain.Create();
            long ipi = EventChannels.BindIpi(t.Domain, 0);
            long unbound = EventChannels.AllocUnbound(t.Domain, t.Domain.Id);
            t.WriteStruct(t.Scratch, new EvtchnReset { Dom = DomainId.Self });
            Assert.Equal(0, Op(t, EventChannelOp.Reset, t.Scratch));
            Assert.Equal(EventChannelState.Free, t.Domain.Events[(uint)ipi].State);
            Assert.Equal(EventChannelState.Free, t.Domain.Events[(uint)unbound].State);
        }

        [Fact]
        public void Compat_OpRunningOffTheMapping_EfaultAndNothingSent()
        {
            var t = TestDomain.Create();
            long port = EventChannels.BindIpi(t.Domain, 0);
            // The command and the send's port are the last 8 mapped bytes; the rest of the 28 is not mapped.
            ulong edge = t.Layout.MappedEnd - 8;
            t.WriteStruct(edge, (uint)EventChannelOp.Send);
            t.WriteStruct(edge + 4, (uint)port);
            Assert.Equal(-XenErrno.EFAULT, Compat(t, edge));
            Assert.False(TwoLevelEvents.IsPending(t.Domain, (uint)port));
        }

        [Fact]
        public void Compat_WholeOpReadable_Sends()
        {
            var t = TestDomain.Create();
            long port = EventChannels.BindIpi(t.Domain, 0);
            var op = new EvtchnOp { Cmd = (uint)EventChannelOp.Send };
            t.WriteStruct(t.Scratch, op);
            t.WriteStruct(t.Scratch + 4, (uint)port);
            Assert.Equal(0, Compat(t, t.Scratch));
            Assert.True(TwoLevelEvents.IsPending(t.Domain, (uint)port));
        }

        [Theory]
        [InlineData(EventChannelOp.Reset)]
        [InlineData(EventChannelOp.InitControl)]
        [InlineData(EventChannelOp.ExpandArray)]
        [InlineData(EventChannelOp.SetPriority)]
        [InlineData(EventChannelOp.ResetCont)]
        [InlineData(99)]
        [InlineData(-1)]
        public void Compat_CommandsBeyondUnmask_EnosysAndNothingDone(int command)
        {
            var t = TestDomain.Create();
            long port = EventChannels.BindIpi(t.Domain, 0);
            t.WriteStruct(t.Scratch, new EvtchnOp { Cmd = (uint)command });
            t.WriteStruct(t.Scratch + 4, (ushort)DomainId.Self);   // a reset of the caller, were it run
            Assert.Equal(-XenErrno.ENOSYS, Compat(t, t.Scratch));
            Assert.Equal(EventChannelState.Ipi, t.Domain.Events[(uint)port].State);
        }
    }
}
