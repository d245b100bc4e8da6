using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    /// <summary>
    /// event_channel_op within one domain: bind_virq, bind_ipi, alloc_unbound and bind_interdomain to
    /// itself, send, close, status, bind_vcpu, unmask, reset, the compat form, and the errors (Xen's).
    /// The domain is dom0 (id 0, privileged) unless a test says otherwise.
    /// </summary>
    public class EventChannelOpHypercallTests
    {
        private static (TestDomain T, EventGuest G) New(bool privileged = true)
        {
            var t = TestDomain.Create(o => o.Privileged = privileged);
            return (t, EventGuest.Of(t));
        }

        // ---- bind_virq ----

        [Fact]
        public void BindVirq_ReturnsZeroAndThePortInTheStructure()
        {
            var (t, g) = New();
            g.Write(g.Args, new EvtchnBindVirq { VirqNumber = Virq.Timer, Vcpu = 0, Port = EventGuest.Untouched });
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.BindVirq, g.Args));
            EvtchnBindVirq result = g.Read<EvtchnBindVirq>(g.Args);
            Assert.Equal(1u, result.Port);
            Assert.Equal(Virq.Timer, result.VirqNumber);          // the in-fields are given back as they were
            Assert.Equal(0u, result.Vcpu);
            Assert.Equal(1u, t.Vcpu.VirqPorts[Virq.Timer]);

            Assert.Equal(0, g.Status(1, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Virq, s.Status);
            Assert.Equal(Virq.Timer, s.VirqNumber);
            Assert.Equal(0u, s.Vcpu);
        }

        [Fact]
        public void BindVirq_TheVirqRaisesThePort()
        {
            var (t, g) = New();
            long port = g.BindVirq(Virq.Debug);
            Assert.Equal(1, port);
            EventChannels.SendVirq(t.Vcpu, Virq.Debug);
            Assert.True(g.IsPending(1));
            Assert.Equal(1UL, g.Selector());
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void BindVirq_GlobalVirqOnVcpu0_RaisedThroughSendGlobalVirq()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindVirq(Virq.Console));
            Assert.Equal(1u, t.Vcpu.VirqPorts[Virq.Console]);
            EventChannels.SendGlobalVirq(t.Domain, Virq.Console);
            Assert.True(g.IsPending(1));
            Assert.Equal(1, g.UpcallPending());
        }

        [Theory]
        [InlineData(Virq.Count)]
        [InlineData(100u)]
        [InlineData(0xFFFF_FFFFu)]
        public void BindVirq_UnknownVirq_Einval_NoPortTaken(uint virq)
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EINVAL, g.BindVirq(virq));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
            Assert.Equal(1, g.BindIpi());
        }

        [Theory]
        [InlineData(Virq.Console)]
        [InlineData(Virq.DomExc)]
        [InlineData(Virq.Tbuf)]
        [InlineData(Virq.ConRing)]
        [InlineData(Virq.Enomem)]
        [InlineData(Virq.Arch0)]
        public void BindVirq_GlobalVirqOnAVcpuOtherThan0_Einval(uint virq)
        {
            // Checked before the vCPU is looked up: -EINVAL even for a vCPU the domain lacks.
            var (t, g) = New();
            Assert.Equal(-XenErrno.EINVAL, g.BindVirq(virq, 1));
            Assert.Equal(-XenErrno.EINVAL, g.BindVirq(virq, 0xFFFF_FFFF));
            Assert.Equal(1, g.BindVirq(virq, 0));
        }

        [Theory]
        [InlineData(Virq.Timer)]
        [InlineData(Virq.Debug)]
        [InlineData(Virq.Xenoprof)]
        [InlineData(Virq.Xenpmu)]
        public void BindVirq_PerVcpuVirqOnAMissingVcpu_Enoent(uint virq)
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.ENOENT, g.BindVirq(virq, 1));
            Assert.Equal(-XenErrno.ENOENT, g.BindVirq(virq, 0xFFFF_FFFF));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
        }

        [Fact]
        public void BindVirq_Twice_Eexist_OtherVirqsStillBind()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            Assert.Equal(-XenErrno.EEXIST, g.BindVirq(Virq.Timer));
            Assert.Equal(2, g.BindVirq(Virq.Console));
            Assert.Equal(-XenErrno.EEXIST, g.BindVirq(Virq.Console));
            Assert.Equal(1u, t.Vcpu.VirqPorts[Virq.Timer]);
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(3));   // the refusals took no port
        }

        [Fact]
        public void BindVirq_RebindAfterClose_Works()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindVirq(Virq.Timer));
            Assert.Equal(0, g.Close(2));
            Assert.Equal(0u, t.Vcpu.VirqPorts[Virq.Timer]);
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(2));
            Assert.Equal(2, g.BindVirq(Virq.Timer));
            Assert.Equal(2u, t.Vcpu.VirqPorts[Virq.Timer]);
            Assert.Equal(EvtchnStatusKind.Virq, g.StatusOf(2));
        }

        [Fact]
        public void BindVirq_RebindAfterClose_GetsAPortAndTheVirqRaisesIt()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            Assert.Equal(0, g.Close(1));
            EventChannels.SendVirq(t.Vcpu, Virq.Timer);            // unbound now: goes nowhere
            g.AssertNothingRaised();

            Assert.Equal(1, g.BindVirq(Virq.Timer));
            Assert.Equal(1u, t.Vcpu.VirqPorts[Virq.Timer]);
            EventChannels.SendVirq(t.Vcpu, Virq.Timer);
            Assert.True(g.IsPending(1));
        }

        // ---- bind_ipi ----

        [Fact]
        public void BindIpi_PortNotifiesTheVcpu_SendRaisesItsOwnPort()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            Assert.Equal(0, g.Status(2, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Ipi, s.Status);
            Assert.Equal(0u, s.Vcpu);

            Assert.Equal(0, g.Send(2));
            Assert.False(g.IsPending(1));
            Assert.True(g.IsPending(2));
            Assert.Equal(1UL, g.Selector());
            Assert.Equal(1, g.UpcallPending());
        }

        [Theory]
        [InlineData(1u)]
        [InlineData(0xFFFF_FFFFu)]
        public void BindIpi_MissingVcpu_Enoent(uint vcpu)
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.ENOENT, g.BindIpi(vcpu));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
        }

        // ---- alloc_unbound / bind_interdomain within the domain ----

        [Fact]
        public void AllocUnbound_ForSelf_IsUnboundOfferedToTheCaller()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(2, g.AllocUnbound(remoteDom: 0, dom: 0));      // the own id works as well as DOMID_SELF
            foreach (uint port in new uint[] { 1, 2 })
            {
                Assert.Equal(0, g.Status(port, out EvtchnStatus s));
                Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
                Assert.Equal((ushort)0, s.PeerDom);
                Assert.Equal(0u, s.Vcpu);
            }
        }

        [Fact]
        public void AllocUnbound_ForAnyRemoteId_RecordsIt()
        {
            // Xen does not ask whether the remote domain exists yet.
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(42));
            Assert.Equal(0, g.Status(1, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)42, s.PeerDom);
        }

        [Fact]
        public void BindInterdomain_ToOwnUnboundPort_ConnectsBothEnds_AndRaisesTheNewPort()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(2, g.BindInterdomain(DomainId.Self, 1));

            Assert.Equal(0, g.Status(1, out EvtchnStatus a));
            Assert.Equal(EvtchnStatusKind.Interdomain, a.Status);
            Assert.Equal((ushort)0, a.PeerDom);
            Assert.Equal(2u, a.PeerPort);
            Assert.Equal(0, g.Status(2, out EvtchnStatus b));
            Assert.Equal(EvtchnStatusKind.Interdomain, b.Status);
            Assert.Equal((ushort)0, b.PeerDom);
            Assert.Equal(1u, b.PeerPort);

            // As in Xen, the binder's new port is raised so that an early send is not missed.
            Assert.True(g.IsPending(2));
            Assert.False(g.IsPending(1));
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void BindInterdomain_ByOwnId_Works()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(2, g.BindInterdomain(0, 1));
        }

        [Fact]
        public void Send_OnAnInterdomainPort_RaisesThePeer()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(2, g.BindInterdomain(DomainId.Self, 1));
            g.AcknowledgeAll();

            Assert.Equal(0, g.Send(2));
            Assert.True(g.IsPending(1));
            Assert.False(g.IsPending(2));
            Assert.Equal(1, g.UpcallPending());

            g.AcknowledgeAll();
            Assert.Equal(0, g.Send(1));
            Assert.True(g.IsPending(2));
            Assert.False(g.IsPending(1));
        }

        [Fact]
        public void BindInterdomain_PortOfferedToAnotherDomain_Einval()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(5));
            Assert.Equal(-XenErrno.EINVAL, g.BindInterdomain(DomainId.Self, 1));
            Assert.Equal(0, g.Status(1, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);      // left as it was
            Assert.Equal((ushort)5, s.PeerDom);
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(2));  // and no port taken
            g.AssertNothingRaised();
        }

        [Theory]
        [InlineData(0u)]        // reserved
        [InlineData(1u)]        // an IPI port
        [InlineData(2u)]        // a VIRQ port
        [InlineData(10u)]       // free
        [InlineData(64u)]       // beyond the buckets
        [InlineData(4096u)]
        [InlineData(0xFFFF_FFFFu)]
        public void BindInterdomain_RemotePortNotUnbound_Einval(uint remotePort)
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindVirq(Virq.Timer));
            Assert.Equal(-XenErrno.EINVAL, g.BindInterdomain(DomainId.Self, remotePort));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(3));
        }

        [Fact]
        public void BindInterdomain_ToAPortAlreadyConnected_Einval()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(2, g.BindInterdomain(DomainId.Self, 1));
            Assert.Equal(-XenErrno.EINVAL, g.BindInterdomain(DomainId.Self, 1));
            Assert.Equal(-XenErrno.EINVAL, g.BindInterdomain(DomainId.Self, 2));
        }

        [Theory]
        [InlineData((ushort)77)]
        [InlineData((ushort)255)]
        [InlineData((ushort)256)]
        [InlineData(DomainId.Io)]
        [InlineData(DomainId.Xen)]
        [InlineData(DomainId.Invalid)]
        public void UnknownDomain_Esrch(ushort dom)
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(-XenErrno.ESRCH, g.BindInterdomain(dom, 1));
            Assert.Equal(-XenErrno.ESRCH, g.AllocUnbound(DomainId.Self, dom));
            Assert.Equal(-XenErrno.ESRCH, g.Status(1, out _, dom));
            Assert.Equal(-XenErrno.ESRCH, g.Reset(dom));
            Assert.Equal(EvtchnStatusKind.Unbound, g.StatusOf(1));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(2));
        }

        // ---- send ----

        [Fact]
        public void Send_OnAnUnboundPort_IsDropped()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(0, g.Send(1));
            g.AssertNothingRaised();
        }

        [Fact]
        public void Send_OnAVirqPort_Einval()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            Assert.Equal(-XenErrno.EINVAL, g.Send(1));
            g.AssertNothingRaised();
        }

        [Theory]
        [InlineData(0u)]
        [InlineData(5u)]
        [InlineData(63u)]
        [InlineData(64u)]
        [InlineData(4096u)]
        public void Send_OnAFreeReservedOrInvalidPort_Einval(uint port)
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(-XenErrno.EINVAL, g.Send(port));
            g.AssertNothingRaised();
        }

        [Fact]
        public void Send_ToAMaskedPort_OnlyPending()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            g.SetMasked(1, true);
            Assert.Equal(0, g.Send(1));
            Assert.True(g.IsPending(1));
            Assert.Equal(0UL, g.Selector());
            Assert.Equal(0, g.UpcallPending());
        }

        // ---- close ----

        [Fact]
        public void Close_FreesThePortAndClearsItsPendingBit()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            Assert.Equal(0, g.Send(1));
            Assert.Equal(0, g.Send(2));
            Assert.True(g.IsPending(1));

            Assert.Equal(0, g.Close(1));

            Assert.False(g.IsPending(1));
            Assert.True(g.IsPending(2));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
            Assert.Equal(EventChannelState.Free, t.Domain.Events[1].State);
            Assert.Equal(-XenErrno.EINVAL, g.Send(1));
            Assert.Equal(1, g.BindIpi());
            Assert.False(g.IsPending(1));                         // the new binding starts clean
        }

        [Fact]
        public void Close_Twice_SecondIsEinval()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(0, g.Close(1));
            Assert.Equal(-XenErrno.EINVAL, g.Close(1));
        }

        [Theory]
        [InlineData(0u)]
        [InlineData(2u)]
        [InlineData(64u)]
        [InlineData(0xFFFF_FFFFu)]
        public void Close_ReservedFreeOrInvalid_Einval(uint port)
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(-XenErrno.EINVAL, g.Close(port));
            Assert.Equal(EvtchnStatusKind.Ipi, g.StatusOf(1));
            Assert.Equal(EventChannelState.Reserved, t.Domain.Events[0].State);
        }

        [Fact]
        public void Close_UnboundPort_FreesIt()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(0, g.Close(1));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
            Assert.Equal(-XenErrno.EINVAL, g.BindInterdomain(DomainId.Self, 1));
        }

        [Fact]
        public void Close_InterdomainPort_PeerGoesBackToUnboundOfferedToTheCloser()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(2, g.BindInterdomain(DomainId.Self, 1));

            Assert.Equal(0, g.Close(2));

            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(2));
            Assert.False(g.IsPending(2));
            Assert.Equal(0, g.Status(1, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)0, s.PeerDom);

            // Sends on the survivor are dropped now; it can be connected again.
            g.AcknowledgeAll();
            Assert.Equal(0, g.Send(1));
            g.AssertNothingRaised();
            Assert.Equal(2, g.BindInterdomain(DomainId.Self, 1));
            Assert.Equal(0, g.Status(1, out s));
            Assert.Equal(EvtchnStatusKind.Interdomain, s.Status);
            Assert.Equal(2u, s.PeerPort);
        }

        [Fact]
        public void Close_VirqPort_RemovesTheMapping()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindVirq(Virq.Timer));
            Assert.Equal(2, g.BindVirq(Virq.Console));
            Assert.Equal(0, g.Close(1));
            Assert.Equal(0u, t.Vcpu.VirqPorts[Virq.Timer]);
            Assert.Equal(2u, t.Vcpu.VirqPorts[Virq.Console]);
            EventChannels.SendVirq(t.Vcpu, Virq.Timer);
            g.AssertNothingRaised();
            Assert.Equal(1, g.BindVirq(Virq.Timer));               // no -EEXIST any more
        }

        // ---- status ----

        [Fact]
        public void Status_EachState()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindVirq(Virq.DomExc));
            Assert.Equal(3, g.AllocUnbound(9));
            Assert.Equal(4, g.AllocUnbound(DomainId.Self));
            Assert.Equal(5, g.BindInterdomain(DomainId.Self, 4));

            Assert.Equal(0, g.Status(1, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Ipi, s.Status);
            Assert.Equal(0u, s.Vcpu);

            Assert.Equal(0, g.Status(2, out s));
            Assert.Equal(EvtchnStatusKind.Virq, s.Status);
            Assert.Equal(Virq.DomExc, s.VirqNumber);

            Assert.Equal(0, g.Status(3, out s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)9, s.PeerDom);

            Assert.Equal(0, g.Status(5, out s));
            Assert.Equal(EvtchnStatusKind.Interdomain, s.Status);
            Assert.Equal((ushort)0, s.PeerDom);
            Assert.Equal(4u, s.PeerPort);

            Assert.Equal(0, g.Status(6, out s));
            Assert.Equal(EvtchnStatusKind.Closed, s.Status);

            Assert.Equal(0, g.Status(0, out s));
            Assert.Equal(EvtchnStatusKind.Closed, s.Status);
        }

        [Fact]
        public void Status_OfOwnDomainByItsId_AndWithoutPrivilege()
        {
            var (t, g) = New(privileged: false);
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(0, g.Status(1, out EvtchnStatus s, dom: 0));
            Assert.Equal(EvtchnStatusKind.Ipi, s.Status);
            Assert.Equal((ushort)0, s.Dom);
            Assert.Equal(1u, s.Port);
        }

        [Theory]
        [InlineData(64u)]
        [InlineData(4095u)]
        [InlineData(0xFFFF_FFFFu)]
        public void Status_PortBeyondTheBuckets_Einval(uint port)
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EINVAL, g.Status(port, out EvtchnStatus s));
            Assert.Equal(EventGuest.Untouched, s.Status);
        }

        // ---- bind_vcpu ----

        [Fact]
        public void BindVcpu_MissingVcpu_Enoent_BeforeThePortIsLookedAt()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            Assert.Equal(-XenErrno.ENOENT, g.BindVcpu(1, 1));
            Assert.Equal(-XenErrno.ENOENT, g.BindVcpu(9999, 1));
            Assert.Equal(-XenErrno.ENOENT, g.BindVcpu(1, 0xFFFF_FFFF));
        }

        [Fact]
        public void BindVcpu_IpiAndPerVcpuVirq_Einval_GlobalVirqUnboundInterdomain_Ok()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindVirq(Virq.Timer));
            Assert.Equal(3, g.BindVirq(Virq.Console));
            Assert.Equal(4, g.AllocUnbound(DomainId.Self));
            Assert.Equal(5, g.AllocUnbound(DomainId.Self));
            Assert.Equal(6, g.BindInterdomain(DomainId.Self, 5));

            Assert.Equal(-XenErrno.EINVAL, g.BindVcpu(1, 0));
            Assert.Equal(-XenErrno.EINVAL, g.BindVcpu(2, 0));
            Assert.Equal(0, g.BindVcpu(3, 0));
            Assert.Equal(0, g.BindVcpu(4, 0));
            Assert.Equal(0, g.BindVcpu(6, 0));
            Assert.Equal(-XenErrno.EINVAL, g.BindVcpu(7, 0));      // free
            Assert.Equal(-XenErrno.EINVAL, g.BindVcpu(0, 0));      // reserved
            Assert.Equal(-XenErrno.EINVAL, g.BindVcpu(64, 0));     // invalid
        }

        [Fact]
        public void BindVcpu_MovesWhereTheEventsArrive()
        {
            // A domain with two vCPUs (built by hand, calling through the test domain's page tables).
            var t = TestDomain.Create();
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            Assert.Equal(1, d.AllocUnbound(DomainId.Self));
            Assert.Equal(0, d.BindVcpu(1, 1));
            Assert.Equal(0, d.Status(1, out EvtchnStatus s));
            Assert.Equal(1u, s.Vcpu);
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);

            Assert.Equal(2, d.BindInterdomain(DomainId.Self, 1));
            d.AcknowledgeAll();
            Assert.Equal(0, d.Send(2));                            // raises port 1, which notifies vCPU 1
            Assert.True(d.IsPending(1));
            Assert.Equal(1UL, d.Selector(1));
            Assert.Equal(1, d.UpcallPending(1));
            Assert.Equal(0UL, d.Selector(0));
            Assert.Equal(0, d.UpcallPending(0));

            // The global VIRQ moves as well; IPIs and per-vCPU VIRQs are fixed to their vCPU.
            Assert.Equal(3, d.BindVirq(Virq.Console));
            Assert.Equal(0, d.BindVcpu(3, 1));
            d.AcknowledgeAll();
            EventChannels.SendGlobalVirq(d.Domain, Virq.Console);
            Assert.True(d.IsPending(3));
            Assert.Equal(1UL, d.Selector(1));
            Assert.Equal(0UL, d.Selector(0));

            Assert.Equal(4, d.BindIpi(1));
            Assert.Equal(-XenErrno.EINVAL, d.BindVcpu(4, 0));
            Assert.Equal(5, d.BindVirq(Virq.Timer, 1));
            Assert.Equal(-XenErrno.EINVAL, d.BindVcpu(5, 0));
        }

        [Fact]
        public void PerVcpuVirqAndIpi_OnVcpu1_NotifyVcpu1()
        {
            var t = TestDomain.Create();
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            Assert.Equal(1, d.BindVirq(Virq.Timer, 1));
            Assert.Equal(2, d.BindVirq(Virq.Timer, 0));            // each vCPU has its own VIRQ_TIMER
            Assert.Equal(1u, d.Domain.Vcpus[1].VirqPorts[Virq.Timer]);
            Assert.Equal(2u, d.Domain.Vcpus[0].VirqPorts[Virq.Timer]);
            Assert.Equal(-XenErrno.EEXIST, d.BindVirq(Virq.Timer, 1));

            EventChannels.SendVirq(d.Domain.Vcpus[1], Virq.Timer);
            Assert.True(d.IsPending(1));
            Assert.False(d.IsPending(2));
            Assert.Equal(1UL, d.Selector(1));
            Assert.Equal(0UL, d.Selector(0));

            Assert.Equal(3, d.BindIpi(1));
            Assert.Equal(0, d.Status(3, out EvtchnStatus s));
            Assert.Equal(1u, s.Vcpu);
            d.AcknowledgeAll();
            Assert.Equal(0, d.Send(3));
            Assert.Equal(1, d.UpcallPending(1));
            Assert.Equal(0, d.UpcallPending(0));

            // Closing vCPU 1's VIRQ port leaves vCPU 0's binding alone.
            Assert.Equal(0, d.Close(1));
            Assert.Equal(0u, d.Domain.Vcpus[1].VirqPorts[Virq.Timer]);
            Assert.Equal(2u, d.Domain.Vcpus[0].VirqPorts[Virq.Timer]);
        }

        // ---- unmask ----

        [Fact]
        public void Unmask_PendingMaskedPort_RaisesTheUpcallNow()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            g.SetMasked(1, true);
            Assert.Equal(0, g.Send(1));
            Assert.Equal(0, g.UpcallPending());

            Assert.Equal(0, g.Unmask(1));

            Assert.False(g.IsMasked(1));
            Assert.True(g.IsPending(1));
            Assert.Equal(1UL, g.Selector());
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void Unmask_NotPending_JustClearsTheMask()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            g.SetMasked(1, true);
            Assert.Equal(0, g.Unmask(1));
            Assert.False(g.IsMasked(1));
            g.AssertNothingRaised();
        }

        [Fact]
        public void Unmask_RaisesOnTheVcpuThePortNotifies()
        {
            var t = TestDomain.Create();
            var d = EventGuest.HandBuilt(t, 1, false, 2);
            Assert.Equal(1, d.BindIpi(1));
            d.SetMasked(1, true);
            Assert.Equal(0, d.Send(1));
            Assert.Equal(0, d.Unmask(1));
            Assert.Equal(1, d.UpcallPending(1));
            Assert.Equal(0, d.UpcallPending(0));
        }

        // ---- reset ----

        [Fact]
        public void Reset_ClosesEveryPort()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindVirq(Virq.Timer));
            Assert.Equal(3, g.AllocUnbound(DomainId.Self));
            Assert.Equal(4, g.BindInterdomain(DomainId.Self, 3));
            Assert.Equal(5, g.AllocUnbound(7));
            Assert.Equal(0, g.Send(1));
            Assert.True(g.IsPending(1));
            Assert.True(g.IsPending(4));

            Assert.Equal(0, g.Reset());

            for (uint port = 0; port < 64; port++)
                Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(port));
            Assert.False(g.IsPending(1));
            Assert.False(g.IsPending(4));
            Assert.Equal(0u, t.Vcpu.VirqPorts[Virq.Timer]);
            Assert.Equal(EventChannelState.Reserved, t.Domain.Events[0].State);
            Assert.Equal(1, g.BindVirq(Virq.Timer));
        }

        [Fact]
        public void Reset_ByOwnIdWithoutPrivilege()
        {
            var (t, g) = New(privileged: false);
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(0, g.Reset(0));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
        }

        // ---- bind_pirq, unknown and FIFO commands ----

        [Fact]
        public void BindPirq_NoIrqIsMapped_Einval()
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EINVAL, g.Op(EventChannelOp.BindPirq, new EvtchnBindPirq { Pirq = 4 }));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
        }

        // The FIFO commands and reset_cont read their argument first (EventChannelConformanceFixTests
        // covers their answers); a command Xen does not know is -ENOSYS whatever the argument.
        [Theory]
        [InlineData(15)]
        [InlineData(99)]
        [InlineData(-1)]
        public void UnknownCommands_Enosys(int cmd)
        {
            var (t, g) = New();
            g.Write(g.Args, new EvtchnInitControl { ControlGfn = 1, Vcpu = 0 });
            Assert.Equal(-XenErrno.ENOSYS, g.Call(HypercallNumber.EventChannelOp, (ulong)(uint)cmd, g.Args));
            Assert.Equal(-XenErrno.ENOSYS, g.Call(HypercallNumber.EventChannelOp, (ulong)(uint)cmd, TestDomain.UnmappedAddress));
            Assert.True(t.Domain.IsAlive);
        }

        // ---- -EFAULT ----

        [Theory]
        [InlineData(EventChannelOp.BindInterdomain)]
        [InlineData(EventChannelOp.BindVirq)]
        [InlineData(EventChannelOp.BindPirq)]
        [InlineData(EventChannelOp.Close)]
        [InlineData(EventChannelOp.Send)]
        [InlineData(EventChannelOp.Status)]
        [InlineData(EventChannelOp.AllocUnbound)]
        [InlineData(EventChannelOp.BindIpi)]
        [InlineData(EventChannelOp.BindVcpu)]
        [InlineData(EventChannelOp.Unmask)]
        [InlineData(EventChannelOp.Reset)]
        public void UnreadableArgument_Efault(int cmd)
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            foreach (ulong pointer in new[] { 0UL, TestDomain.UnmappedAddress, 0xFFFF_8000_0000_0000UL })
                Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOp, (ulong)cmd, pointer));
            Assert.Equal(EvtchnStatusKind.Ipi, g.StatusOf(1));     // reset did not run
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(2));  // nothing was bound
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void ArgumentRunningIntoAnUnmappedPage_Efault()
        {
            var (t, g) = New();
            // The last 4 bytes of the mapped area: an EvtchnBindIpi (8 bytes) does not fit.
            ulong last = t.Layout.MappedEnd - 4;
            Assert.False(GuestMemory.TryRead(t.Vcpu, t.Layout.MappedEnd, out byte _), "the page after MappedEnd must be unmapped");
            t.Write(last, new byte[4]);
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.BindIpi, last));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
        }

        /// <summary>A read-only guest address holding <paramref name="value"/>: an unused, non-present
        /// slot of the bootstrap L4, which the guest maps read-only.</summary>
        private static ulong ReadOnlyArgument<T>(TestDomain t, T value) where T : unmanaged
        {
            ulong va = t.Layout.PageTablesStart + 16 * 8;          // L4 slots 16.. (lower half, unused)
            byte[] bytes = TestDomain.BytesOf(value);
            Assert.Equal(new byte[bytes.Length], t.Read(va, bytes.Length));
            Assert.Equal(0, bytes[0] & 1);                         // never a present entry
            t.Memory.WriteBytes(t.MachineAddressOf(va), bytes);
            Assert.Equal(bytes, t.Read(va, bytes.Length));
            Assert.False(GuestMemory.TryWrite(t.Vcpu, va, bytes), "the argument must not be writable");
            return va;
        }

        [Fact]
        public void UnwritableResult_BindIpi_Efault()
        {
            var (t, g) = New();
            ulong ipi = ReadOnlyArgument(t, new EvtchnBindIpi { Vcpu = 0 });
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.BindIpi, ipi));
        }

        [Fact]
        public void UnwritableResult_BindVirq_Efault()
        {
            var (t, g) = New();
            ulong arg = ReadOnlyArgument(t, new EvtchnBindVirq { VirqNumber = Virq.Timer, Vcpu = 0 });
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.BindVirq, arg));
        }

        [Fact]
        public void UnwritableResult_AllocUnbound_Efault()
        {
            var (t, g) = New();
            ulong arg = ReadOnlyArgument(t, new EvtchnAllocUnbound { Dom = DomainId.Self, RemoteDom = DomainId.Self });
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.AllocUnbound, arg));
        }

        [Fact]
        public void UnwritableResult_BindInterdomain_Efault()
        {
            var (t, g) = New();
            Assert.Equal(1, g.AllocUnbound(DomainId.Self));
            ulong arg = ReadOnlyArgument(t, new EvtchnBindInterdomain { RemoteDom = DomainId.Self, RemotePort = 1 });
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.BindInterdomain, arg));
        }

        [Fact]
        public void UnwritableResult_Status_Efault()
        {
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            ulong arg = ReadOnlyArgument(t, new EvtchnStatus { Dom = DomainId.Self, Port = 1 });
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.Status, arg));
        }

        [Fact]
        public void ReadOnlyArgument_IsEnoughForCommandsWithoutResult()
        {
            // send, close, unmask, bind_vcpu and reset only read their argument.
            var (t, g) = New();
            Assert.Equal(1, g.BindIpi());
            Assert.Equal(2, g.BindIpi());
            ulong arg = ReadOnlyArgument(t, new EvtchnSend { Port = 2 });   // an even port: never a present entry
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.Send, arg));
            Assert.True(g.IsPending(2));
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOp, EventChannelOp.Close, arg));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(2));
        }

        // ---- event_channel_op_compat ----

        private static ulong CompatOp<T>(EventGuest g, int cmd, T arg) where T : unmanaged
        {
            g.Write(g.Args, new EvtchnOp { Cmd = (uint)cmd });
            g.Write(g.Args + EvtchnOp.ArgumentOffset, arg);
            return g.Args;
        }

        [Fact]
        public void Compat_ReadsTheCommandFromTheArgument()
        {
            var (t, g) = New();
            ulong op = CompatOp(g, EventChannelOp.BindIpi, new EvtchnBindIpi { Vcpu = 0, Port = EventGuest.Untouched });
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOpCompat, op));
            Assert.Equal(1u, g.Read<EvtchnBindIpi>(op + EvtchnOp.ArgumentOffset).Port);
            Assert.Equal((uint)EventChannelOp.BindIpi, g.Read<uint>(op));   // the command is left alone
            Assert.Equal(EvtchnStatusKind.Ipi, g.StatusOf(1));

            op = CompatOp(g, EventChannelOp.BindVirq, new EvtchnBindVirq { VirqNumber = Virq.Timer, Port = EventGuest.Untouched });
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOpCompat, op));
            Assert.Equal(2u, g.Read<EvtchnBindVirq>(op + EvtchnOp.ArgumentOffset).Port);

            op = CompatOp(g, EventChannelOp.Send, new EvtchnSend { Port = 1 });
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOpCompat, op));
            Assert.True(g.IsPending(1));

            op = CompatOp(g, EventChannelOp.Status, new EvtchnStatus { Dom = DomainId.Self, Port = 2, Status = EventGuest.Untouched });
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOpCompat, op));
            EvtchnStatus s = g.Read<EvtchnStatus>(op + EvtchnOp.ArgumentOffset);
            Assert.Equal(EvtchnStatusKind.Virq, s.Status);
            Assert.Equal(Virq.Timer, s.VirqNumber);

            op = CompatOp(g, EventChannelOp.Close, new EvtchnClose { Port = 1 });
            Assert.Equal(0, g.Call(HypercallNumber.EventChannelOpCompat, op));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
        }

        [Fact]
        public void Compat_ErrorsAreThoseOfTheCommand()
        {
            var (t, g) = New();
            ulong op = CompatOp(g, EventChannelOp.BindVirq, new EvtchnBindVirq { VirqNumber = Virq.Count });
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.EventChannelOpCompat, op));
            op = CompatOp(g, EventChannelOp.Close, new EvtchnClose { Port = 0 });
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.EventChannelOpCompat, op));
        }

        [Theory]
        [InlineData(EventChannelOp.InitControl)]
        [InlineData(EventChannelOp.SetPriority)]
        [InlineData(77)]
        public void Compat_UnknownOrFifoCommand_Enosys(int cmd)
        {
            var (t, g) = New();
            ulong op = CompatOp(g, cmd, new EvtchnSetPriority { Port = 1 });
            Assert.Equal(-XenErrno.ENOSYS, g.Call(HypercallNumber.EventChannelOpCompat, op));
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(TestDomain.UnmappedAddress)]
        [InlineData(0xFFFF_8000_0000_0000UL)]
        public void Compat_UnreadableArgument_Efault(ulong pointer)
        {
            var (t, g) = New();
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOpCompat, pointer));
        }

        [Fact]
        public void Compat_CommandReadableButNotItsStructure_Efault()
        {
            var (t, g) = New();
            ulong op = t.Layout.MappedEnd - 4;                      // the command fits, the structure does not
            Assert.False(GuestMemory.TryRead(t.Vcpu, t.Layout.MappedEnd, out byte _), "the page after MappedEnd must be unmapped");
            g.Write(op, (uint)EventChannelOp.BindIpi);
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.EventChannelOpCompat, op));
            Assert.Equal(EvtchnStatusKind.Closed, g.StatusOf(1));
        }

        [Fact]
        public void Compat_ThroughTheRegistersLikeAGuest()
        {
            var (t, g) = New();
            ulong op = CompatOp(g, EventChannelOp.BindIpi, new EvtchnBindIpi { Vcpu = 0, Port = EventGuest.Untouched });
            Assert.Equal(0, t.SyscallHypercall(HypercallNumber.EventChannelOpCompat, op));
            Assert.Equal(1u, g.Read<EvtchnBindIpi>(op + EvtchnOp.ArgumentOffset).Port);
        }

        [Fact]
        public void EventChannelOp_ThroughTheRegistersLikeAGuest()
        {
            var (t, g) = New();
            g.Write(g.Args, new EvtchnBindIpi { Vcpu = 0, Port = EventGuest.Untouched });
            Assert.Equal(0, t.SyscallHypercall(HypercallNumber.EventChannelOp, EventChannelOp.BindIpi, g.Args));
            Assert.Equal(1u, g.Read<EvtchnBindIpi>(g.Args).Port);
        }
    }
}
