using Hypervisor.Abi;
using Hypervisor.Core.Events;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    /// <summary>
    /// Event channels between two real PV domains on one host: dom0 (privileged) and dom1 (not). The
    /// one thing a domain may do to another's ports is bind to one offered to it; a privileged domain
    /// may also allocate, inspect and reset another's.
    /// </summary>
    public class InterdomainEventChannelTests
    {
        private sealed class Pair
        {
            public TestDomain T;
            public EventGuest Dom0;
            public EventGuest Dom1;
        }

        private static Pair New()
        {
            var t = TestDomain.Create(EventGuest.TwoDomainOptions());
            var p = new Pair { T = t, Dom0 = EventGuest.Of(t), Dom1 = EventGuest.Build(t, 1, privileged: false) };
            Assert.Equal((ushort)0, p.Dom0.Domain.Id);
            Assert.True(p.Dom0.Domain.IsPrivileged);
            Assert.False(p.Dom1.Domain.IsPrivileged);
            Assert.NotEqual(p.Dom0.Domain.SharedInfoAddress, p.Dom1.Domain.SharedInfoAddress);
            return p;
        }

        /// <summary>dom1 offers a port to dom0, dom0 binds it: (dom0's port, dom1's port).</summary>
        private static (uint Dom0Port, uint Dom1Port) Connect(Pair p)
        {
            long offered = p.Dom1.AllocUnbound(0);
            Assert.True(offered > 0);
            long bound = p.Dom0.BindInterdomain(1, (uint)offered);
            Assert.True(bound > 0);
            return ((uint)bound, (uint)offered);
        }

        [Fact]
        public void Bind_ConnectsBothEnds()
        {
            var p = New();
            Assert.Equal(1, p.Dom0.BindIpi());                      // so the two ports differ
            Assert.Equal(1, p.Dom1.AllocUnbound(0));
            Assert.Equal(0, p.Dom1.Status(1, out EvtchnStatus offered));
            Assert.Equal(EvtchnStatusKind.Unbound, offered.Status);
            Assert.Equal((ushort)0, offered.PeerDom);

            Assert.Equal(2, p.Dom0.BindInterdomain(1, 1));

            Assert.Equal(0, p.Dom0.Status(2, out EvtchnStatus a));
            Assert.Equal(EvtchnStatusKind.Interdomain, a.Status);
            Assert.Equal((ushort)1, a.PeerDom);
            Assert.Equal(1u, a.PeerPort);
            Assert.Equal(0, p.Dom1.Status(1, out EvtchnStatus b));
            Assert.Equal(EvtchnStatusKind.Interdomain, b.Status);
            Assert.Equal((ushort)0, b.PeerDom);
            Assert.Equal(2u, b.PeerPort);

            // The binder's new port is raised at once; the offering side sees nothing.
            Assert.True(p.Dom0.IsPending(2));
            Assert.Equal(1, p.Dom0.UpcallPending());
            p.Dom1.AssertNothingRaised();
        }

        [Fact]
        public void Send_RaisesThePeersPortInThePeersSharedInfo()
        {
            var p = New();
            var (port0, port1) = Connect(p);
            p.Dom0.AcknowledgeAll();

            Assert.Equal(0, p.Dom0.Send(port0));
            Assert.True(p.Dom1.IsPending(port1));
            Assert.Equal(1UL, p.Dom1.Selector());
            Assert.Equal(1, p.Dom1.UpcallPending());
            p.Dom0.AssertNothingRaised();

            p.Dom1.AcknowledgeAll();
            Assert.Equal(0, p.Dom1.Send(port1));
            Assert.True(p.Dom0.IsPending(port0));
            Assert.Equal(1, p.Dom0.UpcallPending());
            p.Dom1.AssertNothingRaised();
        }

        [Fact]
        public void Send_WakesTheBlockedPeer()
        {
            var p = New();
            var (port0, _) = Connect(p);
            Assert.Equal(0, p.Dom1.Call(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.True(p.Dom1.Vcpu.IsBlocked);
            Assert.False(p.Dom1.Vcpu.IsRunnable);

            Assert.Equal(0, p.Dom0.Send(port0));

            Assert.False(p.Dom1.Vcpu.IsBlocked);
            Assert.True(p.Dom1.Vcpu.IsRunnable);
        }

        [Fact]
        public void Close_PeerGoesBackToUnboundOfferedToTheCloser_AndCanBeBoundAgain()
        {
            var p = New();
            var (port0, port1) = Connect(p);

            Assert.Equal(0, p.Dom0.Close(port0));

            Assert.Equal(EvtchnStatusKind.Closed, p.Dom0.StatusOf(port0));
            Assert.Equal(0, p.Dom1.Status(port1, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)0, s.PeerDom);

            p.Dom0.AcknowledgeAll();
            Assert.Equal(0, p.Dom1.Send(port1));                    // dropped
            p.Dom0.AssertNothingRaised();

            long again = p.Dom0.BindInterdomain(1, port1);
            Assert.Equal(port0, (ulong)again);
            Assert.Equal(EvtchnStatusKind.Interdomain, p.Dom1.StatusOf(port1));
        }

        [Fact]
        public void Close_ByTheOfferingSide_LeavesTheBinderUnboundOfferedToIt()
        {
            var p = New();
            var (port0, port1) = Connect(p);
            Assert.Equal(0, p.Dom1.Close(port1));
            Assert.Equal(0, p.Dom0.Status(port0, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)1, s.PeerDom);
            Assert.Equal(EvtchnStatusKind.Closed, p.Dom1.StatusOf(port1));
        }

        [Fact]
        public void Bind_PortOfferedToSomeoneElse_Einval()
        {
            var p = New();
            Assert.Equal(1, p.Dom1.AllocUnbound(5));
            Assert.Equal(2, p.Dom1.AllocUnbound(DomainId.Self));   // offered to dom1 itself
            Assert.Equal(-XenErrno.EINVAL, p.Dom0.BindInterdomain(1, 1));
            Assert.Equal(-XenErrno.EINVAL, p.Dom0.BindInterdomain(1, 2));
            Assert.Equal(EvtchnStatusKind.Unbound, p.Dom1.StatusOf(1));
            Assert.Equal(EvtchnStatusKind.Unbound, p.Dom1.StatusOf(2));
            Assert.Equal(EvtchnStatusKind.Closed, p.Dom0.StatusOf(1));
        }

        [Fact]
        public void Bind_ToOwnPortOfferedToTheOtherDomain_Einval()
        {
            var p = New();
            Assert.Equal(1, p.Dom1.AllocUnbound(0));
            Assert.Equal(-XenErrno.EINVAL, p.Dom1.BindInterdomain(DomainId.Self, 1));
            Assert.Equal(-XenErrno.EINVAL, p.Dom1.BindInterdomain(1, 1));
        }

        [Fact]
        public void Bind_PortAlreadyConnected_Einval()
        {
            var p = New();
            var (_, port1) = Connect(p);
            Assert.Equal(-XenErrno.EINVAL, p.Dom0.BindInterdomain(1, port1));
        }

        [Fact]
        public void Bind_PortBeyondTheOtherDomainsBuckets_Einval()
        {
            var p = New();
            Assert.Equal(-XenErrno.EINVAL, p.Dom0.BindInterdomain(1, 64));
            Assert.Equal(-XenErrno.EINVAL, p.Dom0.BindInterdomain(1, 0xFFFF_FFFF));
        }

        [Fact]
        public void Unprivileged_BindingToAnOfferedPortIsAllowed()
        {
            var p = New();
            Assert.Equal(1, p.Dom0.AllocUnbound(1));
            Assert.Equal(1, p.Dom1.BindInterdomain(0, 1));
            Assert.Equal(EvtchnStatusKind.Interdomain, p.Dom0.StatusOf(1));
        }

        [Fact]
        public void Unprivileged_NamingAnotherDomainsPorts_Eperm()
        {
            var p = New();
            Assert.Equal(1, p.Dom0.BindIpi());

            Assert.Equal(-XenErrno.EPERM, p.Dom1.AllocUnbound(1, dom: 0));
            Assert.Equal(-XenErrno.EPERM, p.Dom1.Status(1, out EvtchnStatus s, dom: 0));
            Assert.Equal(EventGuest.Untouched, s.Status);
            Assert.Equal(-XenErrno.EPERM, p.Dom1.Reset(0));

            Assert.Equal(EvtchnStatusKind.Ipi, p.Dom0.StatusOf(1));
            Assert.Equal(EvtchnStatusKind.Closed, p.Dom0.StatusOf(2));
        }

        [Fact]
        public void Privileged_AllocatesAndInspectsAnotherDomainsPorts_ButCannotResetThemUnpaused()
        {
            var p = New();
            // DOMID_SELF as the remote means the caller, not the port's owner.
            Assert.Equal(1, p.Dom0.AllocUnbound(DomainId.Self, dom: 1));
            Assert.Equal(EventChannelState.Unbound, p.Dom1.Domain.Events[1].State);
            Assert.Equal(EvtchnStatusKind.Closed, p.Dom0.StatusOf(1));
            Assert.Equal(0, p.Dom0.Status(1, out EvtchnStatus s, dom: 1));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)0, s.PeerDom);

            Assert.Equal(1, p.Dom0.BindInterdomain(1, 1));
            Assert.Equal(0, p.Dom0.Status(1, out s, dom: 1));
            Assert.Equal(EvtchnStatusKind.Interdomain, s.Status);
            Assert.Equal(1u, s.PeerPort);

            // Xen resets another domain's ports only while its controller keeps it paused: -EINVAL
            // for a running one, and both ends stay connected.
            Assert.Equal(-XenErrno.EINVAL, p.Dom0.Reset(1));
            Assert.Equal(EvtchnStatusKind.Interdomain, p.Dom1.StatusOf(1));
        }

        [Fact]
        public void Privileged_ResetsAPausedDomainsPorts_AndItsOwnEndsBecomeUnbound()
        {
            var p = New();
            var (port0, port1) = Connect(p);
            Assert.Equal(2, p.Dom1.BindIpi());
            p.Dom1.Domain.ControllerPauses = 1;

            Assert.Equal(0, p.Dom0.Reset(1));

            Assert.Equal(EventChannelState.Free, p.Dom1.Domain.Events[port1].State);
            Assert.Equal(EventChannelState.Free, p.Dom1.Domain.Events[2].State);
            Assert.Equal(0, p.Dom0.Status(port0, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)1, s.PeerDom);
            // Offered to the reset domain again: it can bind once it runs.
            p.Dom1.Domain.ControllerPauses = 0;
            Assert.True(p.Dom1.BindInterdomain(0, port0) > 0);
        }

        [Fact]
        public void Unprivileged_CannotResetAnotherDomainEvenPaused_Eperm()
        {
            var p = New();
            var (port0, _) = Connect(p);
            p.Dom0.Domain.ControllerPauses = 1;
            Assert.Equal(-XenErrno.EPERM, p.Dom1.Reset(0));
            Assert.Equal(EvtchnStatusKind.Interdomain, p.Dom0.StatusOf(port0));
            p.Dom0.Domain.ControllerPauses = 0;
        }

        [Fact]
        public void Reset_ClosesBothSidesOfAConnectionWithinTheDomain_AndReleasesTheOtherDomainsPeer()
        {
            var p = New();
            var (port0, port1) = Connect(p);
            Assert.Equal(0, p.Dom1.Reset());
            Assert.Equal(EvtchnStatusKind.Closed, p.Dom1.StatusOf(port1));
            Assert.Equal(0, p.Dom0.Status(port0, out EvtchnStatus s));
            Assert.Equal(EvtchnStatusKind.Unbound, s.Status);
            Assert.Equal((ushort)1, s.PeerDom);
        }

        [Fact]
        public void Status_InvalidPortOfAnotherDomain_IsEinvalBeforeThePrivilegeCheck()
        {
            var p = New();
            Assert.Equal(-XenErrno.EINVAL, p.Dom1.Status(5000, out _, dom: 0));
            Assert.Equal(-XenErrno.EPERM, p.Dom1.Status(1, out _, dom: 0));
        }

        [Fact]
        public void BindInterdomain_ToADomainThatHasShutDown_StillBinds()
        {
            var p = New();
            long offered = p.Dom1.AllocUnbound(0);
            Assert.True(offered > 0);
            Hypervisor.Core.Domains.DomainLifecycle.Shutdown(p.Dom1.Domain, ShutdownReason.Poweroff);
            Assert.True(p.Dom0.BindInterdomain(1, (uint)offered) > 0);
        }
    }
}
