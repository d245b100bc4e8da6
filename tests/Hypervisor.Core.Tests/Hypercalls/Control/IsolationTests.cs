using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Grants;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Control
{
    /// <summary>
    /// What an unprivileged domain cannot do to dom0 through the core, now that foreign ids name real
    /// domains: map dom0's frames, touch its memory reservation, use or close its event channels,
    /// control domains or read the machine's state. Two real PV domains on one host.
    /// </summary>
    public class IsolationTests
    {
        private const ulong P = PageTableEntry.Present;
        private const ulong RW = PageTableEntry.Writable;

        private sealed class Two
        {
            public readonly GrantKit K = new GrantKit();
            public readonly Domain D1;
            public readonly ulong Dom0Frame;
            public readonly ulong Window;
            public readonly ulong Entry;

            public Two()
            {
                D1 = K.AddDomain(1, privileged: false);
                Dom0Frame = K.FreeFrame(K.Dom0, 0);
                K.Ram.Write64(Dom0Frame << 12, 0xD0D0);
                Window = K.Window(D1, 0);
                Entry = K.L1EntryAddress(D1, Window);
            }

            public Vcpu V1 => D1.Vcpus[0];

            public long Call(int number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0)
            {
                var args = new HypercallArguments(a1, a2, a3, a4, 0);
                return HypercallDispatcher.Invoke(V1, (ulong)number, in args);
            }

            public long MmuUpdate(ulong ptr, ulong value, ushort foreign)
            {
                ulong at = K.Args(D1, 1);
                K.Write(D1, at, ptr);
                K.Write(D1, at + 8, value);
                return Call(HypercallNumber.MmuUpdate, at, 1, 0, foreign);
            }

            /// <summary>Dom0's frame is as it was: mapped by nobody, unchanged, and D1's entry still empty.</summary>
            public void AssertDom0FrameUntouched()
            {
                Assert.Equal(0u, K.Frames.ReferencesOf(Dom0Frame));
                Assert.Equal(0u, K.Frames.TypeCountOf(Dom0Frame));
                Assert.Equal(K.Dom0.Id, K.Frames.OwnerOf(Dom0Frame));
                Assert.Equal(0xD0D0UL, K.Ram.Read64(Dom0Frame << 12));
                Assert.Equal(0UL, K.Ram.Read64(Entry));
                Assert.Equal(0UL, K.Frames.AccountingErrors);
            }
        }

        [Fact]
        public void MmuUpdateCannotMapAFrameOfDom0()
        {
            var t = new Two();
            ulong value = PageTableEntry.Make(t.Dom0Frame, P | RW);
            // Naming dom0 as the foreign domain: the caller may not act on it.
            Assert.Equal(-XenErrno.EPERM, t.MmuUpdate(t.Entry | MmuUpdateCommand.NormalPtUpdate, value, 0));
            Assert.Equal(-XenErrno.EPERM, t.MmuUpdate(t.Entry | MmuUpdateCommand.NormalPtUpdate, PageTableEntry.Make(t.Dom0Frame, P), 0));
            // As its own frame: it is not.
            Assert.NotEqual(0, t.MmuUpdate(t.Entry | MmuUpdateCommand.NormalPtUpdate, value, DomainId.Self));
            // Its own numeric id or a domain that does not exist: -ESRCH.
            Assert.Equal(-XenErrno.ESRCH, t.MmuUpdate(t.Entry | MmuUpdateCommand.NormalPtUpdate, value, 1));
            Assert.Equal(-XenErrno.ESRCH, t.MmuUpdate(t.Entry | MmuUpdateCommand.NormalPtUpdate, value, 9));
            // Nor may it write dom0's M2P entries or dom0's page tables.
            Assert.Equal(-XenErrno.EPERM, t.MmuUpdate((t.Dom0Frame << 12) | MmuUpdateCommand.MachphysUpdate, 5, 0));
            ulong dom0Entry = t.K.L1EntryAddress(t.K.Dom0, t.K.SparePage(t.K.Dom0, 3));
            ulong dom0EntryBefore = t.K.Ram.Read64(dom0Entry);
            Assert.NotEqual(0, t.MmuUpdate(dom0Entry | MmuUpdateCommand.NormalPtUpdate, 0, DomainId.Self));
            Assert.Equal(dom0EntryBefore, t.K.Ram.Read64(dom0Entry));
            t.AssertDom0FrameUntouched();

            // Its own frame maps fine (the same call is not refused for what it is).
            ulong own = t.K.FreeFrame(t.D1, 0);
            Assert.Equal(0, t.MmuUpdate(t.Entry | MmuUpdateCommand.NormalPtUpdate, PageTableEntry.Make(own, P | RW), DomainId.Self));
            Assert.Equal(1u, t.K.Frames.ReferencesOf(own));
        }

        [Fact]
        public void UpdateVaMappingOtherdomainCannotMapAFrameOfDom0()
        {
            var t = new Two();
            ulong value = PageTableEntry.Make(t.Dom0Frame, P | RW);
            Assert.Equal(-XenErrno.EPERM, t.Call(HypercallNumber.UpdateVaMappingOtherdomain, t.Window, value, 0, 0));
            Assert.Equal(-XenErrno.EPERM, t.Call(HypercallNumber.UpdateVaMappingOtherdomain, t.Window, PageTableEntry.Make(t.Dom0Frame, P), 0, 0));
            Assert.Equal(-XenErrno.ESRCH, t.Call(HypercallNumber.UpdateVaMappingOtherdomain, t.Window, value, 0, 1));
            Assert.Equal(-XenErrno.ESRCH, t.Call(HypercallNumber.UpdateVaMappingOtherdomain, t.Window, value, 0, 9));
            Assert.NotEqual(0, t.Call(HypercallNumber.UpdateVaMappingOtherdomain, t.Window, value, 0, DomainId.Self));
            Assert.NotEqual(0, t.Call(HypercallNumber.UpdateVaMapping, t.Window, value, 0));
            t.AssertDom0FrameUntouched();
            Assert.False(GuestMemory.TryRead(t.V1, t.Window, out ulong _));

            ulong own = t.K.FreeFrame(t.D1, 0);
            Assert.Equal(0, t.Call(HypercallNumber.UpdateVaMappingOtherdomain, t.Window, PageTableEntry.Make(own, P | RW), 0, DomainId.Self));
        }

        [Fact]
        public void MemoryOpCannotTakeOrGiveDom0sMemory()
        {
            var t = new Two();
            ulong at = t.K.Args(t.D1, 2), list = t.K.Args(t.D1, 3);
            ulong free = t.K.Host.Frames.FreeFrames;
            ulong pages = t.K.Dom0.TotalPages;
            t.K.Write(t.D1, list, t.Dom0Frame);
            foreach (int cmd in new[] { MemoryOp.DecreaseReservation, MemoryOp.IncreaseReservation, MemoryOp.PopulatePhysmap })
            {
                t.K.Write(t.D1, at, new XenMemoryReservation { ExtentStart = list, NrExtents = 1, DomId = 0 });
                Assert.Equal(0, t.Call(HypercallNumber.MemoryOp, (ulong)cmd, at)); // no extent done, no errno
            }
            t.K.Write(t.D1, at, new XenMemoryDomain { DomId = 0 });
            Assert.Equal(-XenErrno.EPERM, t.Call(HypercallNumber.MemoryOp, MemoryOp.CurrentReservation, at));
            Assert.Equal(-XenErrno.EPERM, t.Call(HypercallNumber.MemoryOp, MemoryOp.MaximumReservation, at));
            Assert.Equal(pages, t.K.Dom0.TotalPages);
            Assert.Equal(free, t.K.Host.Frames.FreeFrames);
            t.AssertDom0FrameUntouched();
        }

        [Fact]
        public void ADomainCannotSendOnOrCloseDom0sPorts()
        {
            var t = new Two();
            var dom0 = new EventGuest(t.K.V0, t.K.Args(t.K.Dom0, 20));
            var d1 = new EventGuest(t.V1, t.K.Args(t.D1, 20));
            // Ports of dom0 at numbers domain 1 has not allocated.
            for (int i = 0; i < 6; i++)
                Assert.True(dom0.BindIpi() > 0);
            uint port = (uint)dom0.BindIpi();
            uint unbound = (uint)dom0.AllocUnbound(2);
            dom0.AcknowledgeAll();

            // Each port number is looked up in the caller's own table.
            Assert.Equal(-XenErrno.EINVAL, d1.Send(port));
            Assert.Equal(-XenErrno.EINVAL, d1.Close(port));
            // Unmask only judges the number against the caller's buckets (0 here, as in Xen), and only
            // the caller's bits change.
            dom0.SetMasked(port, true);
            Assert.Equal(0, d1.Unmask(port));
            Assert.True(dom0.IsMasked(port));
            dom0.SetMasked(port, false);
            Assert.Equal(-XenErrno.EINVAL, d1.Close(unbound));
            Assert.Equal(-XenErrno.EINVAL, d1.BindVcpu(port, 0));
            // Offered to domain 2, not to domain 1.
            Assert.Equal(-XenErrno.EINVAL, d1.BindInterdomain(0, unbound));
            // Not even dom0's status or a reset of its table.
            Assert.Equal(-XenErrno.EPERM, d1.Status(port, out _, dom: 0));
            Assert.Equal(-XenErrno.EPERM, d1.Reset(dom: 0));

            Assert.Equal(EvtchnStatusKind.Ipi, dom0.StatusOf(port));
            Assert.Equal(EvtchnStatusKind.Unbound, dom0.StatusOf(unbound));
            Assert.False(dom0.IsPending(port));
            dom0.AssertNothingRaised();
        }

        [Fact]
        public void ADomainCannotUseDomctlOrSysctl()
        {
            var t = new Two();
            ulong at = t.K.Args(t.D1, 4);
            foreach (uint cmd in new[] { Abi.Domctl.DestroyDomain, Abi.Domctl.PauseDomain, Abi.Domctl.UnpauseDomain, Abi.Domctl.GetDomainInfo,
                                         Abi.Domctl.MaxMem, Abi.Domctl.SetVcpuContext, Abi.Domctl.GetVcpuInfo, Abi.Domctl.MaxVcpus,
                                         Abi.Domctl.SchedulerOp, 22u, 99u })
            {
                Assert.Equal(-XenErrno.EPERM, Ctl.Domctl(t.V1, at, Ctl.Domctl(cmd, 0), out _));
                Assert.Equal(-XenErrno.EPERM, Ctl.Domctl(t.V1, at, Ctl.Domctl(cmd, 1), out _));   // itself neither
            }
            Assert.Equal(-XenErrno.EPERM, Ctl.Domctl(t.V1, at, Ctl.Domctl(Abi.Domctl.CreateDomain, 0, Ctl.PvConfig()), out _));
            foreach (uint cmd in new[] { Abi.Sysctl.Physinfo, Abi.Sysctl.SchedId, Abi.Sysctl.GetDomainInfoList, Abi.Sysctl.SchedulerOp })
                Assert.Equal(-XenErrno.EPERM, Ctl.Sysctl(t.V1, at, Ctl.Sysctl(cmd), out _));

            Assert.Equal(DomainState.Created, t.K.Dom0.State);
            Assert.Equal(0, t.K.Dom0.ControllerPauses);
            Assert.Equal(0, t.D1.ControllerPauses);
            Assert.Null(t.K.Host.Domains.Find(2));
        }
    }
}
