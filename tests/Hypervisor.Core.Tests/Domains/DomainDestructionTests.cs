using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Grants;
using Hypervisor.Core.Tests.Hypercalls.Control;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>
    /// domctl destroydomain: a domain with ports, grant mappings, pinned tables, a GDT, timers and memory
    /// leaves nothing behind (every frame back in the allocator, dirty, so that it reads as zero when it
    /// is handed out again; the M2P entries invalid,
    /// its id free, dom0 told by VIRQ_DOM_EXC); a frame dom0 still maps keeps the domain dying until
    /// dom0 lets go of it, and the next domctl or sysctl then finishes the job.
    /// </summary>
    public unsafe class DomainDestructionTests
    {
        private const ulong P = PageTableEntry.Present;
        private const ulong RW = PageTableEntry.Writable;
        private const ulong Pattern = 0x5A5A_1234_D1D1_0001;

        /// <summary>Dom0 (with its grant table made already, so that it takes no frame later) and what the
        /// allocator and frame table held before any other domain existed.</summary>
        private sealed class World
        {
            public readonly GrantKit K = new GrantKit();
            public readonly ulong FreeBefore;
            public readonly Dictionary<ulong, (uint Refs, PageType Type, uint TypeCount)> CountsBefore;
            public readonly EventGuest Dom0Events;

            /// <summary>Two addresses of dom0 with nothing mapped, their L1 entries there.</summary>
            public readonly ulong Window0, Window1;

            public World()
            {
                Assert.True(K.Dom0.Grants.EnsureFrames(K.Dom0, 1));
                Window0 = K.Window(K.Dom0, 0);
                Window1 = K.Window(K.Dom0, 1);
                FreeBefore = K.Host.Frames.FreeFrames;
                CountsBefore = K.Snapshot();
                Dom0Events = new EventGuest(K.V0, K.Args(K.Dom0, 20));
            }

            public Host Host => K.Host;
            public FrameTable Frames => K.Frames;

            public Domain AddDomain(ushort id = 1) => K.AddDomain(id, privileged: false, pages: 2048);

            public long Domctl(XenDomctl op, out XenDomctl back) => Ctl.Domctl(K.V0, K.Args(K.Dom0, 10), op, out back);

            public long Destroy(ushort id) => Domctl(Ctl.Domctl(Abi.Domctl.DestroyDomain, id), out _);

            public long GetDomainInfo(ushort id, out DomctlGetDomainInfo info, out ushort answered)
            {
                long rc = Domctl(Ctl.Domctl(Abi.Domctl.GetDomainInfo, id), out XenDomctl back);
                info = Ctl.Union<DomctlGetDomainInfo>(back);
                answered = back.Domain;
                return rc;
            }

            public List<ulong> FramesOf(Domain d)
            {
                var owned = new List<ulong>();
                for (ulong mfn = 0; mfn < Frames.FrameCount; mfn++)
                {
                    if (Frames.OwnerOf(mfn) == d.Id)
                        owned.Add(mfn);
                }
                return owned;
            }

            /// <summary>mmu_update from dom0 of one entry, frames of <paramref name="foreign"/>.</summary>
            public long Dom0MmuUpdate(ulong ptr, ulong value, ushort foreign)
            {
                ulong at = K.Args(K.Dom0, 1);
                K.Write(K.Dom0, at, ptr);
                K.Write(K.Dom0, at + 8, value);
                var args = new HypercallArguments(at, 1, K.Args(K.Dom0, 0), foreign, 0);
                return HypercallDispatcher.Invoke(K.V0, HypercallNumber.MmuUpdate, in args);
            }

            public long Dom0Call(int number, ulong a1, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0)
            {
                var args = new HypercallArguments(a1, a2, a3, a4, 0);
                return HypercallDispatcher.Invoke(K.V0, (ulong)number, in args);
            }

            /// <summary>Everything as before the first other domain: free frames, every count, no
            /// accounting error, each of <paramref name="frames"/> free, dirty (to be scrubbed before
            /// reuse; destruction itself zeroes nothing) and without an M2P entry.</summary>
            public void AssertAllBack(IEnumerable<ulong> frames)
            {
                Assert.Equal(FreeBefore, Host.Frames.FreeFrames);
                K.AssertSameAs(CountsBefore);
                foreach (ulong mfn in frames)
                {
                    Assert.Equal(FrameOwner.Free, Frames.OwnerOf(mfn));
                    Assert.True(Host.Frames.IsFree(mfn << 12), $"frame {mfn:x} is not back in the allocator");
                    Assert.True(Host.Frames.IsDirty(mfn << 12), $"frame {mfn:x} is not marked for scrubbing");
                    Assert.Equal(MachineToPhys.Invalid, Host.MachineToPhys.Get(mfn));
                }
            }
        }

        // ---- Everything goes ----

        [Fact]
        public void ADestroyedDomainLeavesNothingBehind()
        {
            var w = new World();
            GrantKit k = w.K;
            Domain d1 = w.AddDomain();
            var d1Events = new EventGuest(d1.Vcpus[0], k.Args(d1, 20));

            // Data in its memory.
            ulong data = k.FreeFrame(d1, 0);
            k.Ram.Write64(data << 12, Pattern);
            // An interdomain channel with dom0, and dom0 watching for dying domains.
            long dom0Port = w.Dom0Events.AllocUnbound(1);
            long d1Port = d1Events.BindInterdomain(0, (uint)dom0Port);
            Assert.True(d1Port > 0);
            Assert.Equal(EvtchnStatusKind.Interdomain, w.Dom0Events.StatusOf((uint)dom0Port));
            long domExc = w.Dom0Events.BindVirq(Virq.DomExc);
            // A mapping of dom0's grant in its page tables.
            ulong granted = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 1, granted);
            k.MapOk(d1, k.Window(d1, 0), GrantMapFlags.HostMap, 0, 8);
            Assert.Equal(1u, k.Frames.ReferencesOf(granted));
            Assert.NotEqual(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 8));
            // And a device mapping of another (references held for it, no page-table entry).
            ulong forDevice = k.FreeFrame(k.Dom0, 1);
            k.Grant(k.Dom0, 9, 1, forDevice);
            k.MapOk(d1, 0, GrantMapFlags.DeviceMap, 0, 9);
            Assert.NotEqual(0u, k.Frames.ReferencesOf(forDevice));
            // A grant table of two frames, an L1 table it pinned, a GDT frame, timers.
            Assert.True(d1.Grants.EnsureFrames(d1, 2));
            ulong l1 = k.FreeFrame(d1, 1);
            ulong ops = k.Args(d1, 30);
            k.Write(d1, ops, (ulong)MmuextCommand.PinL1Table);
            k.Write(d1, ops + 8, l1);
            var pin = new HypercallArguments(ops, 1, 0, DomainId.Self, 0);
            Assert.Equal(0, HypercallDispatcher.Invoke(d1.Vcpus[0], HypercallNumber.MmuextOp, in pin));
            Assert.True(k.Frames.IsPinned(l1));
            ulong gdt = k.FreeFrame(d1, 2);
            k.Write(d1, k.Args(d1, 31), gdt);
            var setGdt = new HypercallArguments(k.Args(d1, 31), 512, 0, 0, 0);
            Assert.Equal(0, HypercallDispatcher.Invoke(d1.Vcpus[0], HypercallNumber.SetGdt, in setGdt));
            Assert.Equal(PageType.SegmentDescriptor, k.Frames.TypeOf(gdt));
            d1.Vcpus[0].SingleshotDeadline = 5_000_000;
            List<ulong> owned = w.FramesOf(d1);
            Assert.True(owned.Count > 2048);
            w.Dom0Events.AcknowledgeAll();

            Assert.Equal(0, w.Destroy(1));

            Assert.Equal(DomainState.Dead, d1.State);
            Assert.Null(w.Host.Domains.Find(1));
            Assert.Equal(0UL, d1.TotalPages);
            w.AssertAllBack(owned);
            // Not zeroed at destruction: that is left to idle CPUs or the next allocation.
            Assert.Equal(Pattern, k.Ram.Read64(data << 12));
            // Dom0's end of the channel waits for a new peer; its grant is no longer in use.
            Assert.Equal(0, w.Dom0Events.Status((uint)dom0Port, out EvtchnStatus status));
            Assert.Equal(EvtchnStatusKind.Unbound, status.Status);
            Assert.Equal(1, status.PeerDom);
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(0u, k.Frames.ReferencesOf(granted));
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 9));
            Assert.Equal(0u, k.Frames.ReferencesOf(forDevice));
            // Timers stopped, vCPUs down; dom0 told.
            Assert.Equal(0UL, d1.Vcpus[0].SingleshotDeadline);
            Assert.Equal(0UL, d1.Vcpus[0].PeriodicPeriod);
            Assert.False(d1.Vcpus[0].IsUp);
            Assert.True(w.Dom0Events.IsPending((uint)domExc));
            // Asked about again, it is gone.
            Assert.Equal(-XenErrno.ESRCH, w.GetDomainInfo(1, out _, out _));
            Assert.Equal(-XenErrno.ESRCH, w.Destroy(1));
            Assert.Equal(DomainState.Created, k.Dom0.State);
        }

        [Fact]
        public void DestroyingTheCallersOwnDomainIsEinval()
        {
            var w = new World();
            Assert.Equal(-XenErrno.EINVAL, w.Destroy(0));
            Assert.Equal(DomainState.Created, w.K.Dom0.State);
            Assert.Same(w.K.Dom0, w.Host.Domains.Find(0));
        }

        [Fact]
        public void TheIdIsFreeForANewDomainOnceDestroyed()
        {
            var w = new World();
            w.AddDomain(1);
            Assert.Equal(0, w.Destroy(1));
            Domain again = w.AddDomain(1);
            Assert.Same(again, w.Host.Domains.Find(1));
            Assert.Equal(0, w.Destroy(1));
            Assert.Equal(w.FreeBefore, w.Host.Frames.FreeFrames);
        }

        [Fact]
        public void ADomainTheToolstackBuiltAndRanGoesBackWhole()
        {
            var k = new ControlKit();
            k.Host.Scheduler = new CreditScheduler(1);
            ulong free = k.Host.Frames.FreeFrames;
            Domain d = k.CreateOk(vcpus: 2);
            ulong sharedInfo = d.SharedInfoAddress >> 12;
            ulong[] mfns = k.GiveMemory(d, 8);
            k.Ram.Write64(mfns[5] << 12, Pattern);
            VcpuGuestContext c = ControlKit.Context(mfns[0]);
            c.GdtEnts = 16;
            c.GdtFrames[0] = mfns[1];
            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, c));
            Assert.Equal(0, k.Domctl(22u, d.Id, mfns[2]));    // hypercall_init
            Assert.Equal(0, k.Unpause(d.Id));
            Vcpu running = k.Host.Scheduler.PickNext(0, null, 0, out _);
            Assert.Same(d.Vcpus[0], running);

            Assert.Equal(0, k.Destroy(d.Id));

            Assert.Null(k.Host.Domains.Find(d.Id));
            Assert.Equal(free, k.Host.Frames.FreeFrames);
            Assert.Equal(0UL, k.Frames.AccountingErrors);
            foreach (ulong mfn in mfns)
            {
                Assert.Equal(FrameOwner.Free, k.Frames.OwnerOf(mfn));
                Assert.Equal(0u, k.Frames.ReferencesOf(mfn));
                Assert.Equal(0u, k.Frames.TypeCountOf(mfn));
                Assert.True(k.Host.Frames.IsDirty(mfn << 12));
                Assert.Equal(MachineToPhys.Invalid, k.Host.MachineToPhys.Get(mfn));
            }
            Assert.Equal(Pattern, k.Ram.Read64(mfns[5] << 12));   // destruction zeroes nothing
            Assert.Equal(FrameOwner.Free, k.Frames.OwnerOf(sharedInfo));
            Assert.True(k.Host.Frames.IsFree(sharedInfo << 12));
            // The scheduler forgot it: the CPU idles at its next decision.
            Assert.False(k.Host.Scheduler.IsRunning(d.Vcpus[0], out _));
            Assert.Null(k.Host.Scheduler.PickNext(0, running, 1_000_000, out _));
            Assert.Equal(-XenErrno.ESRCH, k.GetDomainInfo(d.Id, out _, out _));
        }

        [Fact]
        public void TheNextDomainGetsTheDeadOnesFramesZeroed()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk();
            ulong[] mfns = k.GiveMemory(d, 8);
            foreach (ulong mfn in mfns)
                for (ulong i = 0; i < 4096; i += 8)
                    k.Ram.Write64((mfn << 12) + i, Pattern);
            Assert.Equal(0, k.Destroy(d.Id));
            Assert.Equal(Pattern, k.Ram.Read64(mfns[3] << 12));

            Domain next = k.CreateOk();
            ulong[] again = k.GiveMemory(next, 8);

            // The allocator hands out the lowest free frames: the dead domain's come back, zeroed.
            Assert.Contains(mfns[3], again);
            foreach (ulong mfn in again)
            {
                Assert.True(k.IsZeroed(mfn), $"frame {mfn:x} still holds the dead domain's data");
                Assert.False(k.Host.Frames.IsDirty(mfn << 12));
            }
        }

        [Fact]
        public void ANewPvDomainBuiltOnADeadOnesFramesSeesNoneOfItsData()
        {
            var w = new World();
            GrantKit k = w.K;
            Domain d1 = w.AddDomain(1);
            List<ulong> owned = w.FramesOf(d1);
            // Data in every page it has beyond the bootstrap region (its page tables must stay tables).
            for (ulong pfn = k.LayoutOf(d1).MappedPages; pfn < (ulong)d1.PhysToMachine.Length; pfn++)
                for (ulong i = 0; i < 4096; i += 512)
                    k.Ram.Write64((d1.PhysToMachine[pfn] << 12) + i, Pattern);
            Assert.Equal(0, w.Destroy(1));
            w.AssertAllBack(owned);

            Domain d2 = w.AddDomain(2);

            // The pages the builder left alone (past the bootstrap region) read as zero, and some of
            // them were the dead domain's.
            ulong reused = 0;
            for (ulong pfn = k.LayoutOf(d2).MappedPages; pfn < (ulong)d2.PhysToMachine.Length; pfn++)
            {
                ulong mfn = d2.PhysToMachine[pfn];
                if (owned.Contains(mfn))
                    reused++;
                for (ulong i = 0; i < 4096; i += 8)
                    Assert.True(k.Ram.Read64((mfn << 12) + i) == 0, $"pfn {pfn:x} (frame {mfn:x}) not zero at +{i:x}");
            }
            Assert.True(reused > 1000, $"only {reused} frames of the dead domain were reused");
        }

        // Domain 1 with one of its frames mapped by dom0, so that destroying it leaves it dying.
        private static Domain DomainDom0Maps(World w)
        {
            GrantKit k = w.K;
            Domain d1 = w.AddDomain();
            ulong entry = k.L1EntryAddress(k.Dom0, w.Window0);
            Assert.Equal(0, w.Dom0MmuUpdate(entry | MmuUpdateCommand.NormalPtUpdate, PageTableEntry.Make(k.FreeFrame(d1, 0), P | RW), 1));
            return d1;
        }

        [Fact]
        public void ADomainThatShutDownStillSaysSoWhileItDies()
        {
            var w = new World();
            Domain d1 = DomainDom0Maps(w);
            DomainLifecycle.Shutdown(d1, ShutdownReason.Reboot);

            Assert.Equal(0, w.Destroy(1));

            Assert.Equal(DomainState.Dying, d1.State);
            Assert.Equal(0, w.GetDomainInfo(1, out DomctlGetDomainInfo info, out _));
            ControlKit.AssertBits(info.Flags, DomainInfoFlags.Dying | DomainInfoFlags.Shutdown);
            Assert.Equal(ShutdownReason.Reboot, (info.Flags >> DomainInfoFlags.ShutdownShift) & DomainInfoFlags.ShutdownMask);
        }

        [Fact]
        public void ADomainDestroyedWhileRunningIsDyingNotShutDown()
        {
            var w = new World();
            DomainDom0Maps(w);

            Assert.Equal(0, w.Destroy(1));

            Assert.Equal(0, w.GetDomainInfo(1, out DomctlGetDomainInfo info, out _));
            ControlKit.AssertBits(info.Flags, DomainInfoFlags.Dying);
            ControlKit.AssertNoBits(info.Flags, DomainInfoFlags.Shutdown);
        }

        // ---- A frame dom0 still maps ----

        [Theory]
        [InlineData("mmu_update")]
        [InlineData("update_va_mapping_otherdomain")]
        public void AFrameDom0StillMapsKeepsTheDomainDyingUntilDom0UnmapsIt(string how)
        {
            var w = new World();
            GrantKit k = w.K;
            Domain d1 = w.AddDomain();
            List<ulong> owned = w.FramesOf(d1);
            ulong frame = k.FreeFrame(d1, 0);
            k.Ram.Write64(frame << 12, Pattern);
            ulong window = w.Window0;
            ulong entry = k.L1EntryAddress(k.Dom0, window);
            long domExc = w.Dom0Events.BindVirq(Virq.DomExc);

            if (how == "mmu_update")
                Assert.Equal(0, w.Dom0MmuUpdate(entry | MmuUpdateCommand.NormalPtUpdate, PageTableEntry.Make(frame, P | RW), 1));
            else
                Assert.Equal(0, w.Dom0Call(HypercallNumber.UpdateVaMappingOtherdomain, window, PageTableEntry.Make(frame, P | RW), 0, 1));
            Assert.Equal(Pattern, k.Read<ulong>(k.Dom0, window));
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));

            Assert.Equal(0, w.Destroy(1));

            // Dying, not dead: everything but the mapped frame is back; dom0 still reads the frame.
            Assert.Equal(DomainState.Dying, d1.State);
            Assert.Same(d1, w.Host.Domains.Find(1));
            Assert.Equal(w.FreeBefore - 1, w.Host.Frames.FreeFrames);
            Assert.Equal(Pattern, k.Read<ulong>(k.Dom0, window));
            Assert.Equal(d1.Id, k.Frames.OwnerOf(frame));
            Assert.False(w.Host.Frames.IsFree(frame << 12));
            Assert.Equal(1UL, k.Frames.FramesOwnedBy(d1.Id));
            Assert.Equal(0, w.GetDomainInfo(1, out DomctlGetDomainInfo info, out ushort answered));
            Assert.Equal(1, answered);
            ControlKit.AssertBits(info.Flags, DomainInfoFlags.Dying);
            Assert.Equal(1UL, info.TotPages);
            Assert.Equal(0u, info.NrOnlineVcpus);
            // Xen raises VIRQ_DOM_EXC once the domain has let go of what it held (domain_kill), so the
            // toolstack learns it is dying and unmaps what it still maps of it.
            Assert.True(w.Dom0Events.IsPending((uint)domExc));
            w.Dom0Events.AcknowledgeAll();
            // Its id stays taken; destroying it again changes nothing; nobody may map its frames anew.
            Assert.Equal(-XenErrno.EEXIST, w.Domctl(Ctl.Domctl(Abi.Domctl.CreateDomain, 1, Ctl.PvConfig()), out _));
            Assert.Equal(0, w.Destroy(1));
            Assert.Equal(DomainState.Dying, d1.State);
            ulong otherEntry = k.L1EntryAddress(k.Dom0, w.Window1);
            Assert.Equal(-XenErrno.ESRCH, w.Dom0MmuUpdate(otherEntry | MmuUpdateCommand.NormalPtUpdate, PageTableEntry.Make(k.FreeFrame(d1, 1), P), 1));
            // Nor give it memory (Xen's assign_pages refuses a dying domain): no extent is done.
            ulong list = k.Args(k.Dom0, 13), request = k.Args(k.Dom0, 14);
            k.Write(k.Dom0, list, 0UL);
            d1.MaxPages = 100_000;
            foreach (int cmd in new[] { MemoryOp.PopulatePhysmap, MemoryOp.IncreaseReservation })
            {
                k.Write(k.Dom0, request, new XenMemoryReservation { ExtentStart = list, NrExtents = 1, DomId = 1 });
                Assert.Equal(0, w.Dom0Call(HypercallNumber.MemoryOp, (ulong)cmd, request));
            }
            Assert.Equal(w.FreeBefore - 1, w.Host.Frames.FreeFrames);
            Assert.Equal(1UL, d1.TotalPages);
            Assert.False(w.Dom0Events.IsPending((uint)domExc));

            // Dom0 unmaps the frame: the domain goes at the next domctl.
            if (how == "mmu_update")
                Assert.Equal(0, w.Dom0MmuUpdate(entry | MmuUpdateCommand.NormalPtUpdate, 0, DomainId.Self));
            else
                Assert.Equal(0, w.Dom0Call(HypercallNumber.UpdateVaMapping, window, 0, 0));
            Assert.Equal(0u, k.Frames.ReferencesOf(frame));
            Assert.Equal(DomainState.Dying, d1.State);

            Assert.Equal(-XenErrno.ESRCH, w.GetDomainInfo(1, out _, out _));
            Assert.Equal(DomainState.Dead, d1.State);
            Assert.Null(w.Host.Domains.Find(1));
            w.AssertAllBack(owned);
            Assert.True(w.Dom0Events.IsPending((uint)domExc));
        }

        [Fact]
        public void ASysctlAlsoFinishesADyingDomain()
        {
            var w = new World();
            GrantKit k = w.K;
            Domain d1 = w.AddDomain();
            ulong frame = k.FreeFrame(d1, 0);
            ulong window = w.Window0;
            Assert.Equal(0, w.Dom0Call(HypercallNumber.UpdateVaMappingOtherdomain, window, PageTableEntry.Make(frame, P), 0, 1));
            Assert.Equal(0, w.Destroy(1));
            Assert.Equal(0, w.Dom0Call(HypercallNumber.UpdateVaMapping, window, 0, 0));
            Assert.Same(d1, w.Host.Domains.Find(1));

            ulong at = k.Args(k.Dom0, 11);
            Assert.Equal(0, Ctl.Sysctl(k.V0, at, Ctl.Sysctl(Abi.Sysctl.GetDomainInfoList,
                new SysctlGetDomainInfoList { FirstDomain = 1, MaxDomains = 8, Buffer = k.Args(k.Dom0, 12) }), out XenSysctl back));
            Assert.Equal(0u, Ctl.Union<SysctlGetDomainInfoList>(back).NumDomains);
            Assert.Null(w.Host.Domains.Find(1));
            Assert.Equal(w.FreeBefore, w.Host.Frames.FreeFrames);
        }

        [Theory]
        [InlineData(GrantMapFlags.HostMap)]
        [InlineData(GrantMapFlags.HostMap | GrantMapFlags.ReadOnly)]
        [InlineData(GrantMapFlags.DeviceMap)]
        [InlineData(GrantMapFlags.HostMap | GrantMapFlags.DeviceMap)]
        public void AGrantDom0StillMapsKeepsTheGranterDyingUntilDom0UnmapsIt(uint flags)
        {
            var w = new World();
            GrantKit k = w.K;
            Domain d1 = w.AddDomain();
            List<ulong> owned = w.FramesOf(d1);
            ulong frame = k.FreeFrame(d1, 0);
            k.Ram.Write64(frame << 12, Pattern);
            k.Grant(d1, 8, 0, frame);
            owned.Add(d1.Grants.FrameAt(0));
            bool host = (flags & GrantMapFlags.HostMap) != 0, device = (flags & GrantMapFlags.DeviceMap) != 0;
            ulong window = host ? w.Window0 : 0;
            uint handle = k.MapOk(k.Dom0, window, flags, 1, 8);
            if (host)
                Assert.Equal(Pattern, k.Read<ulong>(k.Dom0, window));

            Assert.Equal(0, w.Destroy(1));
            Assert.Equal(DomainState.Dying, d1.State);
            Assert.Equal(d1.Id, k.Frames.OwnerOf(frame));
            if (host)
                Assert.Equal(Pattern, k.Read<ulong>(k.Dom0, window));

            // Dom0 unmaps the grant of the dying granter, as its back ends do when they see it go.
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, device ? frame << 12 : 0, handle));
            Assert.Equal(0u, k.Frames.ReferencesOf(frame));
            Assert.Equal(GrantStatus.BadHandle, k.Unmap(k.Dom0, window, device ? frame << 12 : 0, handle));

            Assert.Equal(-XenErrno.ESRCH, w.GetDomainInfo(1, out _, out _));
            Assert.Null(w.Host.Domains.Find(1));
            w.AssertAllBack(owned);
        }

        [Fact]
        public void WithoutDom0WatchingNothingIsRaised_AndAShutDownDomainIsDestroyedToo()
        {
            var w = new World();
            Domain d1 = w.AddDomain();
            DomainLifecycle.Shutdown(d1, ShutdownReason.Poweroff);
            w.Dom0Events.AssertNothingRaised();
            List<ulong> owned = w.FramesOf(d1);
            Assert.Equal(0, w.Destroy(1));
            w.Dom0Events.AssertNothingRaised();
            Assert.Null(w.Host.Domains.Find(1));
            w.AssertAllBack(owned);
        }
    }
}
