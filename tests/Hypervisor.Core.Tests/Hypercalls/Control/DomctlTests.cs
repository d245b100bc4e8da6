using Hypervisor.Abi;
using Hypervisor.Core.Grants;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Control
{
    /// <summary>
    /// domctl as the toolstack uses it, in Xen 4.17's order of checks: the copy in (-EFAULT), the
    /// interface version (-EACCES), the domain (-ESRCH), then privilege (-EPERM); createdomain's
    /// configuration and ids; what getdomaininfo reports; pause counts; max_mem and max_vcpus.
    /// </summary>
    public unsafe class DomctlTests
    {
        // ---- Order of checks ----

        [Fact]
        public void AnUnreadableDomctlIsEfault()
        {
            var k = new ControlKit();
            Assert.Equal(-XenErrno.EFAULT, Ctl.Call(k.V0, HypercallNumber.Domctl, TestDomain.UnmappedAddress));
            // The whole 144-byte struct is copied: one that runs off the mapped area part-way faults too.
            ulong tail = k.T.Layout.MappedEnd - 100;
            k.T.Write(tail, new byte[100]);
            Assert.Equal(-XenErrno.EFAULT, Ctl.Call(k.V0, HypercallNumber.Domctl, tail));
        }

        [Fact]
        public void AnotherInterfaceVersionIsEaccesBeforeTheDomainIsLookedAt()
        {
            var k = new ControlKit();
            Assert.Equal(-XenErrno.EACCES, k.Domctl(Ctl.DomctlOfVersion(Abi.Domctl.GetDomainInfo, 0, 0x14)));
            Assert.Equal(-XenErrno.EACCES, k.Domctl(Ctl.DomctlOfVersion(Abi.Domctl.PauseDomain, 77, 0x14)));
            Assert.Equal(-XenErrno.EACCES, k.Domctl(Ctl.DomctlOfVersion(Abi.Domctl.CreateDomain, 0, 0x16)));
            Assert.Null(k.Host.Domains.Find(1));
        }

        [Fact]
        public void AnUnknownDomainIsEsrchEvenForAnUnprivilegedCaller_AnExistingOneIsEperm()
        {
            var k = new ControlKit();
            EventGuest guest = EventGuest.HandBuilt(k.T, 1, privileged: false, vcpus: 1);
            long Call(uint cmd, ushort dom) => Ctl.Domctl(guest.Vcpu, guest.Args, Ctl.Domctl(cmd, dom), out _);

            Assert.Equal(-XenErrno.ESRCH, Call(Abi.Domctl.PauseDomain, 77));
            Assert.Equal(-XenErrno.ESRCH, Call(Abi.Domctl.DestroyDomain, 77));
            Assert.Equal(-XenErrno.ESRCH, Call(Abi.Domctl.MaxMem, DomainId.Self));   // no DOMID_SELF in domctl
            Assert.Equal(-XenErrno.EPERM, Call(Abi.Domctl.PauseDomain, 0));
            Assert.Equal(-XenErrno.EPERM, Call(Abi.Domctl.DestroyDomain, 0));
            Assert.Equal(-XenErrno.EPERM, Call(Abi.Domctl.UnpauseDomain, 1));        // itself too
            Assert.Equal(-XenErrno.EPERM, Call(Abi.Domctl.MaxMem, 1));
            Assert.Equal(0, k.Dom0.ControllerPauses);
            Assert.Equal(DomainState.Created, k.Dom0.State);
        }

        [Fact]
        public void AnUnprivilegedCallerMayNeitherCreateNorLookAtDomains()
        {
            var k = new ControlKit();
            EventGuest guest = EventGuest.HandBuilt(k.T, 1, privileged: false, vcpus: 1);
            ulong free = k.Host.Frames.FreeFrames;

            Assert.Equal(-XenErrno.EPERM, Ctl.Domctl(guest.Vcpu, guest.Args, Ctl.Domctl(Abi.Domctl.CreateDomain, 0, Ctl.PvConfig()), out XenDomctl back));
            Assert.Equal(0, back.Domain);   // nothing written back
            Assert.Null(k.Host.Domains.Find(2));
            Assert.Equal(free, k.Host.Frames.FreeFrames);
            // getdomaininfo is judged before the search, as Xen's XSM hook is: -EPERM whatever the id.
            Assert.Equal(-XenErrno.EPERM, Ctl.Domctl(guest.Vcpu, guest.Args, Ctl.Domctl(Abi.Domctl.GetDomainInfo, 0), out _));
            Assert.Equal(-XenErrno.EPERM, Ctl.Domctl(guest.Vcpu, guest.Args, Ctl.Domctl(Abi.Domctl.GetDomainInfo, 200), out _));
            Assert.Equal(-XenErrno.EPERM, Ctl.Domctl(guest.Vcpu, guest.Args, Ctl.Domctl(Abi.Domctl.GetDomainInfo, DomainId.Self), out _));
        }

        [Fact]
        public void AnUnknownCommandIsEnosys_ButTheDomainIsLookedUpFirst()
        {
            var k = new ControlKit();
            Assert.Equal(-XenErrno.ENOSYS, k.Domctl(99, 0));
            Assert.Equal(-XenErrno.ENOSYS, k.Domctl(Abi.Domctl.GetVcpuContext, 0));
            Assert.Equal(-XenErrno.ESRCH, k.Domctl(99, 42));
        }

        // ---- createdomain: the configuration ----

        [Theory]
        [InlineData("max_vcpus 0", XenErrno.EINVAL)]
        [InlineData("max_vcpus 33", XenErrno.EINVAL)]
        [InlineData("unknown flag", XenErrno.EINVAL)]
        [InlineData("hvm", XenErrno.EINVAL)]
        [InlineData("hap without hvm", XenErrno.EINVAL)]
        [InlineData("iommu", XenErrno.EINVAL)]
        [InlineData("iommu_opts", XenErrno.EINVAL)]
        [InlineData("vpmu", XenErrno.EINVAL)]
        [InlineData("nested virt", XenErrno.EINVAL)]
        [InlineData("vmtrace", XenErrno.EINVAL)]
        [InlineData("misc_flags", XenErrno.EINVAL)]
        [InlineData("grant_opts 0", XenErrno.EINVAL)]
        [InlineData("grant_opts 2", XenErrno.EINVAL)]
        [InlineData("grant_opts unknown bits", XenErrno.EINVAL)]
        [InlineData("max_grant_frames 0", XenErrno.EINVAL)]
        [InlineData("max_grant_frames 65", XenErrno.EINVAL)]
        [InlineData("max_maptrack_frames 1025", XenErrno.EINVAL)]
        [InlineData("emulation lapic", XenErrno.EOPNOTSUPP)]
        [InlineData("emulation pit and more", XenErrno.EOPNOTSUPP)]
        [InlineData("emulation all", XenErrno.EOPNOTSUPP)]
        // Xen sanitises the config (-EINVAL) before arch_domain_create judges the emulation flags
        // (-EOPNOTSUPP), and that before grant_table_init judges the grant version (-EINVAL).
        [InlineData("hvm and emulation", XenErrno.EINVAL)]
        [InlineData("emulation and grant_opts 0", XenErrno.EOPNOTSUPP)]
        public void ABadConfigurationCreatesNothing(string what, int errno)
        {
            var k = new ControlKit();
            DomctlCreateDomain c = Ctl.PvConfig();
            switch (what)
            {
                case "max_vcpus 0": c.MaxVcpus = 0; break;
                case "max_vcpus 33": c.MaxVcpus = 33; break;
                case "unknown flag": c.Flags = 1u << 8; break;
                case "hvm": c.Flags = CreateDomainFlags.Hvm; break;
                case "hap without hvm": c.Flags = CreateDomainFlags.Hap; break;
                case "iommu": c.Flags = CreateDomainFlags.Iommu; break;
                case "iommu_opts": c.IommuOpts = 1; break;
                case "vpmu": c.Flags = CreateDomainFlags.Vpmu; break;
                case "nested virt": c.Flags = CreateDomainFlags.NestedVirt; break;
                case "vmtrace": c.VmtraceSize = 4096; break;
                case "misc_flags": c.MiscFlags = 2; break;
                case "grant_opts 0": c.GrantOpts = 0; break;
                case "grant_opts 2": c.GrantOpts = 2; break;
                case "grant_opts unknown bits": c.GrantOpts = 0x11; break;
                case "max_grant_frames 0": c.MaxGrantFrames = 0; break;
                case "max_grant_frames 65": c.MaxGrantFrames = 65; break;
                case "max_maptrack_frames 1025": c.MaxMaptrackFrames = 1025; break;
                case "emulation lapic": c.EmulationFlags = 1u << 0; break;
                case "emulation pit and more": c.EmulationFlags = (1u << 8) | (1u << 3); break;
                case "emulation all": c.EmulationFlags = 0x7FF; break;
                case "hvm and emulation": c.Flags = CreateDomainFlags.Hvm; c.EmulationFlags = 0x7FF; break;
                case "emulation and grant_opts 0": c.EmulationFlags = 1; c.GrantOpts = 0; break;
                default: Assert.Fail(what); break;
            }
            ulong free = k.Host.Frames.FreeFrames;

            Assert.Equal(-errno, k.Create(c, out ushort id));
            Assert.Equal(0, id);
            Assert.Null(k.Host.Domains.Find(1));
            Assert.Equal(free, k.Host.Frames.FreeFrames);
        }

        [Theory]
        [InlineData(0u)]                 // none
        [InlineData(1u << 8)]            // XEN_X86_EMU_PIT alone: the one a PV domain may ask for
        public void APvDomainMayHaveNoEmulatedDeviceOrThePitAlone(uint emulation)
        {
            var k = new ControlKit();
            DomctlCreateDomain c = Ctl.PvConfig();
            c.EmulationFlags = emulation;
            Assert.Equal(0, k.Create(c, out ushort id));
            Assert.Equal(1, id);
        }

        [Fact]
        public void OptionalFlagsAndLimitsAreAccepted()
        {
            var k = new ControlKit();
            DomctlCreateDomain c = Ctl.PvConfig(32);
            c.Flags = CreateDomainFlags.OosOff | CreateDomainFlags.XsDomain;
            c.MaxGrantFrames = 32;
            c.MiscFlags = 1;   // XEN_X86_MSR_RELAXED
            Assert.Equal(0, k.Create(c, out ushort id));
            Assert.Equal(32, k.Host.Domains.Find(id).MaxVcpus);
        }

        [Fact]
        public void TheGrantLimitsAskedForAreTheDomainsOwn()
        {
            var k = new ControlKit();
            DomctlCreateDomain c = Ctl.PvConfig();
            c.MaxGrantFrames = 2;
            c.MaxMaptrackFrames = 1;
            Assert.Equal(0, k.Create(c, out ushort id));
            GrantTable grants = k.Host.Domains.Find(id).Grants;
            Assert.Equal(2u, grants.MaxFrameCount);
            // One maptrack frame holds 256 mappings, one of which Xen's free list keeps as its tail.
            Assert.Equal(255, grants.MaxHandles);

            Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort byDefault));
            Assert.Equal(GrantTable.MaxFrames, k.Host.Domains.Find(byDefault).Grants.MaxFrameCount);
            Assert.Equal(GrantTable.MaxMappings, k.Host.Domains.Find(byDefault).Grants.MaxHandles);
        }

        // ---- createdomain: the id ----

        [Fact]
        public void WithoutAnIdTheNextFreeOneAfterTheLastIsChosenAndWrittenBack()
        {
            var k = new ControlKit();
            Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort first));
            Assert.Equal(1, first);
            // A reserved id (DOMID_SELF here) also means "choose one".
            Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort second, DomainId.Self));
            Assert.Equal(2, second);
            Assert.Equal(0, k.Destroy(1));
            Assert.Null(k.Host.Domains.Find(1));
            // The rover moves on: 1 is free again but 3 comes first.
            Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort third));
            Assert.Equal(3, third);
            Assert.Same(k.Host.Domains.Find(3), k.Host.Domains.Find(third));
        }

        [Fact]
        public void AGivenIdIsTaken_OrEexistWhenInUse()
        {
            var k = new ControlKit();
            Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort id, 7));
            Assert.Equal(7, id);
            Assert.Equal(7, k.Host.Domains.Find(7).Id);
            // A given id does not move the rover.
            Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort chosen));
            Assert.Equal(1, chosen);

            ulong free = k.Host.Frames.FreeFrames;
            Assert.Equal(-XenErrno.EEXIST, k.Create(Ctl.PvConfig(), out ushort again, 7));
            Assert.Equal(7, again);   // the struct is not written back on failure: what was asked stays
            // Xen judges the id before it sanitises the configuration.
            DomctlCreateDomain bad = Ctl.PvConfig();
            bad.MaxVcpus = 0;
            Assert.Equal(-XenErrno.EEXIST, k.Create(bad, out _, 7));
            Assert.Equal(-XenErrno.EEXIST, k.Create(Ctl.PvConfig(), out _, 1));
            Assert.Equal(free, k.Host.Frames.FreeFrames);
        }

        [Fact]
        public void IdsWrapPastTheEndButNeverToZero_AndRunOutWithEnomem()
        {
            var k = new ControlKit();
            for (int expected = 1; expected < DomainList.Capacity; expected++)
            {
                Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort id));
                Assert.Equal(expected, id);
            }
            Assert.Equal(-XenErrno.ENOMEM, k.Create(Ctl.PvConfig(), out _));
            Assert.Equal(0, k.Destroy(9));
            Assert.Equal(0, k.Create(Ctl.PvConfig(), out ushort reused));
            Assert.Equal(9, reused);
            Assert.Same(k.Dom0, k.Host.Domains.Find(0));
        }

        // ---- A new domain ----

        [Fact]
        public void ANewDomainStartsPausedWithItsVcpusDownAndASharedInfoFrameOfItsOwn()
        {
            var k = new ControlKit();
            DomctlCreateDomain c = Ctl.PvConfig(3);
            c.SsidRef = 0x1234;
            for (int i = 0; i < 16; i++)
                c.Handle[i] = (byte)(0xA0 + i);
            Assert.Equal(0, k.Create(c, out ushort id));
            Domain d = k.Host.Domains.Find(id);
            // No vCPU exists before XEN_DOMCTL_max_vcpus makes them.
            Assert.Empty(d.Vcpus);
            Assert.Equal(DomainInfoFlags.InvalidMaxVcpuId, k.InfoOf(id).MaxVcpuId);
            Assert.Equal(-XenErrno.ESRCH, k.GetVcpuInfo(id, 0, out _));
            Assert.Equal(-XenErrno.EINVAL, k.GetVcpuInfo(id, 3, out _));
            Assert.Equal(0, k.Domctl(Abi.Domctl.MaxVcpus, id, new DomctlMaxVcpus { Max = 3 }));

            Assert.Equal(3, d.Vcpus.Length);
            Assert.False(d.IsPrivileged);
            Assert.Equal(1, d.ControllerPauses);
            foreach (Vcpu v in d.Vcpus)
            {
                Assert.False(v.IsUp);
                Assert.False(v.IsRunnable);
                Assert.Equal(0, k.GetVcpuInfo(id, (uint)v.Id, out DomctlGetVcpuInfo vi));
                Assert.Equal(0, vi.Online);
            }

            DomctlGetDomainInfo info = k.InfoOf(id);
            Assert.Equal(DomainInfoFlags.Paused, info.Flags & 0xFFFF);                     // paused, nothing online
            Assert.Equal((ushort)0xFF, ControlKit.ShutdownCodeOf(info.Flags));          // SHUTDOWN_CODE_INVALID
            Assert.Equal(0xFFFF_0000u, info.Flags & 0xFFFF_0000u);                     // as Xen: ~0u << 16
            Assert.Equal(0u, info.NrOnlineVcpus);
            Assert.Equal(2u, info.MaxVcpuId);
            Assert.Equal(0UL, info.TotPages);
            Assert.Equal(0UL, info.MaxPages);
            Assert.Equal(0x1234u, info.SsidRef);
            for (int i = 0; i < 16; i++)
                Assert.Equal((byte)(0xA0 + i), info.Handle[i]);

            ulong sharedInfo = info.SharedInfoFrame;
            Assert.Equal(d.SharedInfoAddress >> 12, sharedInfo);
            Assert.Equal(id, k.Frames.OwnerOf(sharedInfo));
            Assert.False(k.Host.Frames.IsFree(sharedInfo << 12));
            // Zeroed but for the event masks of every vcpu_info.
            for (ulong i = 0; i < 4096; i++)
            {
                byte expected = i < 32 * 64 && i % 64 == 1 ? (byte)1 : (byte)0;
                Assert.Equal(expected, k.Ram.Read8((sharedInfo << 12) + i));
            }
        }

        [Fact]
        public void MaxVcpusMustRepeatTheCountCreatedomainWasGiven()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk(vcpus: 2);
            Assert.Equal(0, k.Domctl(Abi.Domctl.MaxVcpus, d.Id, new DomctlMaxVcpus { Max = 2 }));
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(Abi.Domctl.MaxVcpus, d.Id, new DomctlMaxVcpus { Max = 3 }));
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(Abi.Domctl.MaxVcpus, d.Id, new DomctlMaxVcpus { Max = 1 }));
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(Abi.Domctl.MaxVcpus, 0, new DomctlMaxVcpus { Max = 1 }));   // not itself
            Assert.Equal(2, d.Vcpus.Length);
            Vcpu first = d.Vcpus[0];
            Assert.Equal(0, k.Domctl(Abi.Domctl.MaxVcpus, d.Id, new DomctlMaxVcpus { Max = 2 }));           // again: nothing new
            Assert.Same(first, d.Vcpus[0]);
        }

        // ---- max_mem and memory ----

        [Theory]
        [InlineData(0UL, 0UL)]
        [InlineData(4UL, 1UL)]
        [InlineData(4095UL, 1023UL)]           // KiB rounded down to pages
        [InlineData(262144UL, 65536UL)]        // 256 MiB
        [InlineData(ulong.MaxValue, ulong.MaxValue >> 2)]   // clamped
        public void MaxMemSetsMaxPagesFromKib(ulong kib, ulong pages)
        {
            var k = new ControlKit();
            Domain d = k.CreateOk();
            Assert.Equal(0, k.MaxMem(d.Id, kib));
            ulong expected = pages > uint.MaxValue ? uint.MaxValue : pages;   // max_pages is an unsigned int in Xen
            Assert.Equal(expected, d.MaxPages);
            Assert.Equal(expected, k.InfoOf(d.Id).MaxPages);
        }

        [Fact]
        public void PopulatingANewDomainStopsAtMaxPages_AndGetdomaininfoCountsItsPages()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk();
            // No max_mem yet: nothing can be given.
            Assert.Equal(0, k.Populate(d.Id, new ulong[] { 0 }, out _));

            Assert.Equal(0, k.MaxMem(d.Id, 16));   // 4 pages
            Assert.Equal(4, k.Populate(d.Id, new ulong[] { 10, 11, 12, 13, 14 }, out ulong[] mfns));
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(d.Id, k.Frames.OwnerOf(mfns[i]));
                Assert.Equal(10UL + (ulong)i, k.Host.MachineToPhys.Get(mfns[i]));
                Assert.True(k.IsZeroed(mfns[i]));
            }
            DomctlGetDomainInfo info = k.InfoOf(d.Id);
            Assert.Equal(4UL, info.TotPages);
            Assert.Equal(4UL, info.MaxPages);

            // Lowering max_mem below what the domain has is allowed; nothing more is given.
            Assert.Equal(0, k.MaxMem(d.Id, 4));
            Assert.Equal(0, k.Populate(d.Id, new ulong[] { 20 }, out _));
            Assert.Equal(4UL, k.InfoOf(d.Id).TotPages);
        }

        // ---- getdomaininfo ----

        [Fact]
        public void GetdomaininfoAnswersForTheFirstDomainAtOrAboveTheId()
        {
            var k = new ControlKit();
            k.CreateOk(askFor: 3);
            k.CreateOk(askFor: 9);

            Assert.Equal(0, k.GetDomainInfo(1, out DomctlGetDomainInfo info, out ushort answered));
            Assert.Equal(3, answered);
            Assert.Equal(3, info.Domain);
            Assert.Equal(0, k.GetDomainInfo(4, out info, out answered));
            Assert.Equal(9, answered);
            Assert.Equal(9, info.Domain);
            Assert.Equal(0, k.GetDomainInfo(0, out info, out answered));
            Assert.Equal(0, answered);
            Assert.Equal(k.Dom0.TotalPages, info.TotPages);

            // Above every domain: -ESRCH, and the struct is left alone.
            Assert.Equal(-XenErrno.ESRCH, k.GetDomainInfo(10, out info, out answered));
            Assert.Equal(10, answered);
            Assert.Equal(0xBEEF, info.Domain);
            Assert.Equal(-XenErrno.ESRCH, k.GetDomainInfo(DomainId.FirstReserved - 1, out _, out _));
            // A reserved id is not a domain to search from.
            Assert.Equal(-XenErrno.EINVAL, k.GetDomainInfo(DomainId.FirstReserved, out _, out _));
            Assert.Equal(-XenErrno.EINVAL, k.GetDomainInfo(DomainId.Self, out _, out _));
            Assert.Equal(-XenErrno.EINVAL, k.GetDomainInfo(DomainId.Idle, out _, out _));
        }

        [Fact]
        public void GetdomaininfoOfDom0_OnlineRunningNotPaused()
        {
            var k = new ControlKit();
            DomctlGetDomainInfo info = k.InfoOf(0);
            // Without a scheduler an up vCPU counts as running.
            Assert.Equal(DomainInfoFlags.Running, info.Flags & 0xFFFF);
            Assert.Equal(1u, info.NrOnlineVcpus);
            Assert.Equal(0u, info.MaxVcpuId);
            Assert.Equal(k.Dom0.MaxPages, info.MaxPages);
            Assert.Equal((byte)k.Host.PhysicalAddressBits, info.GpaddrBits);

            k.V0.IsBlocked = true;   // SCHEDOP_block
            ControlKit.AssertBits(k.InfoOf(0).Flags, DomainInfoFlags.Blocked);
        }

        [Fact]
        public void GetdomaininfoReportsTheShutdownCodeOnceShutDown()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk();
            DomainLifecycle.Shutdown(d, ShutdownReason.Reboot);
            DomctlGetDomainInfo info = k.InfoOf(d.Id);
            ControlKit.AssertBits(info.Flags, DomainInfoFlags.Shutdown);
            Assert.Equal((ushort)ShutdownReason.Reboot, ControlKit.ShutdownCodeOf(info.Flags));
            ControlKit.AssertNoBits(info.Flags, DomainInfoFlags.Dying);
        }

        // ---- pause and unpause ----

        [Fact]
        public void PausingItselfIsEinval_UnpausingADomainNotPausedIsEinval()
        {
            var k = new ControlKit();
            Assert.Equal(-XenErrno.EINVAL, k.Pause(0));
            Assert.Equal(-XenErrno.EINVAL, k.Unpause(0));
            Assert.Equal(0, k.Dom0.ControllerPauses);

            Domain d = k.CreateOk();
            Assert.Equal(0, k.Unpause(d.Id));
            Assert.Equal(0, d.ControllerPauses);
            ControlKit.AssertNoBits(k.InfoOf(d.Id).Flags, DomainInfoFlags.Paused);
            Assert.Equal(-XenErrno.EINVAL, k.Unpause(d.Id));
            Assert.Equal(0, d.ControllerPauses);
        }

        [Fact]
        public void PausesCountUpTo255_ThenEoverflowAsInXen417()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk();   // paused once already
            for (int i = 2; i <= 255; i++)
                Assert.Equal(0, k.Pause(d.Id));
            Assert.Equal(255, d.ControllerPauses);
            Assert.Equal(-XenErrno.EOVERFLOW, k.Pause(d.Id));
            Assert.Equal(255, d.ControllerPauses);

            for (int i = 255; i > 1; i--)
            {
                Assert.Equal(0, k.Unpause(d.Id));
                ControlKit.AssertBits(k.InfoOf(d.Id).Flags, DomainInfoFlags.Paused);
            }
            Assert.Equal(0, k.Unpause(d.Id));
            ControlKit.AssertNoBits(k.InfoOf(d.Id).Flags, DomainInfoFlags.Paused);
            Assert.Equal(-XenErrno.EINVAL, k.Unpause(d.Id));
        }

        // ---- scheduler_op ----

        [Fact]
        public void SchedulerOpWithoutTheCreditSchedulerIsEinval()
        {
            var k = new ControlKit();
            Assert.Null(k.Host.Scheduler);
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(Abi.Domctl.SchedulerOp, 0,
                new DomctlSchedulerOp { SchedId = SchedulerId.Credit, Cmd = SchedulerOpCommand.GetInfo }));
        }

        [Fact]
        public void SchedulerOpGetsAndPutsWeightAndCap()
        {
            var k = new ControlKit();
            k.Host.Scheduler = new CreditScheduler(1);
            Domain d = k.CreateOk();
            long Op(uint sched, uint cmd, ushort weight, ushort cap, out DomctlSchedulerOp answer) =>
                k.Domctl(Abi.Domctl.SchedulerOp, d.Id, new DomctlSchedulerOp { SchedId = sched, Cmd = cmd, Weight = weight, Cap = cap }, out answer);

            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.GetInfo, 0, 0, out DomctlSchedulerOp got));
            Assert.Equal(256, got.Weight);
            Assert.Equal(0, got.Cap);

            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.PutInfo, 512, 50, out _));
            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.GetInfo, 0, 0, out got));
            Assert.Equal(512, got.Weight);
            Assert.Equal(50, got.Cap);

            // Weight 0 and cap 0xFFFF leave each alone.
            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.PutInfo, 0, 0xFFFF, out _));
            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.GetInfo, 0, 0, out got));
            Assert.Equal(512, got.Weight);
            Assert.Equal(50, got.Cap);
            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.PutInfo, 0, 0, out _));   // cap 0: none
            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.GetInfo, 0, 0, out got));
            Assert.Equal(512, got.Weight);
            Assert.Equal(0, got.Cap);
            Assert.Equal(0, Op(SchedulerId.Credit, SchedulerOpCommand.PutInfo, 65535, 0xFFFF, out _));
            k.Host.Scheduler.GetParameters(d, out ushort weight, out ushort cap);
            Assert.Equal(65535, weight);
            Assert.Equal(0, cap);

            // Another scheduler's id, or the per-vCPU commands credit does not have.
            Assert.Equal(-XenErrno.EINVAL, Op(SchedulerId.Credit2, SchedulerOpCommand.GetInfo, 0, 0, out _));
            Assert.Equal(-XenErrno.EINVAL, Op(SchedulerId.Credit2, SchedulerOpCommand.PutInfo, 1, 1, out _));
            Assert.Equal(-XenErrno.EINVAL, Op(SchedulerId.Credit, SchedulerOpCommand.PutVcpuInfo, 1, 1, out _));
            Assert.Equal(-XenErrno.EINVAL, Op(SchedulerId.Credit, SchedulerOpCommand.GetVcpuInfo, 0, 0, out _));
            Assert.Equal(-XenErrno.EINVAL, Op(SchedulerId.Credit, 7, 0, 0, out _));
            k.Host.Scheduler.GetParameters(d, out weight, out cap);
            Assert.Equal(65535, weight);
            Assert.Equal(0, cap);
            // Dom0's parameters are its own.
            k.Host.Scheduler.GetParameters(k.Dom0, out weight, out _);
            Assert.Equal(256, weight);
        }
    }
}
