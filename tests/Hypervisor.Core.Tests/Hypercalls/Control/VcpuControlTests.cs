using Moq;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Control
{
    /// <summary>
    /// How the toolstack starts a domain it created: memory by populate_physmap, page tables in it,
    /// the first vCPU's state by setvcpucontext (Xen's arch_set_info_guest for PV), the hypercall page
    /// by hypercall_init, then unpause, after which the scheduler runs the vCPU. Also getvcpuinfo.
    /// </summary>
    public unsafe class VcpuControlTests
    {
        private const ulong P = PageTableEntry.Present;
        private const ulong RW = PageTableEntry.Writable;

        /// <summary>Dom0 and a created domain of <paramref name="vcpus"/> vCPUs with 8 populated pages;
        /// its frame 0 (zeroed) is the L4 the contexts name.</summary>
        private static (ControlKit K, Domain D, ulong[] Mfns) New(int vcpus = 2, bool scheduler = false)
        {
            var k = new ControlKit();
            if (scheduler)
                k.Host.Scheduler = new CreditScheduler(1);
            Domain d = k.CreateOk((uint)vcpus);
            ulong[] mfns = k.GiveMemory(d, 8);
            return (k, d, mfns);
        }

        private static long SetContext(ControlKit k, ushort domain, uint vcpu, ulong contextAddress) =>
            k.Domctl(Abi.Domctl.SetVcpuContext, domain, new DomctlVcpuContext { Vcpu = vcpu, Ctxt = contextAddress });

        private static void AssertUntouched(ControlKit k, Domain d, params ulong[] frames)
        {
            foreach (Vcpu v in d.Vcpus)
            {
                Assert.False(v.IsInitialised);
                Assert.False(v.IsUp);
            }
            foreach (ulong mfn in frames)
            {
                Assert.Equal(0u, k.Frames.TypeCountOf(mfn));
                Assert.Equal(0u, k.Frames.ReferencesOf(mfn));
            }
            Assert.Equal(0UL, k.Frames.AccountingErrors);
        }

        // ---- setvcpucontext: refusals ----

        [Fact]
        public void ANullContextIsEopnotsupp_NoVcpuResetIsOffered()
        {
            var (k, d, mfns) = New();
            Assert.Equal(-XenErrno.EOPNOTSUPP, SetContext(k, d.Id, 0, 0));
            AssertUntouched(k, d, mfns);
        }

        [Fact]
        public void AVcpuBeyondTheDomainsIsEinval_BeforeTheContextIsLookedAt()
        {
            var (k, d, mfns) = New(vcpus: 2);
            k.T.WriteStruct(k.ContextAddress, ControlKit.Context(mfns[0]));
            Assert.Equal(-XenErrno.EINVAL, SetContext(k, d.Id, 2, k.ContextAddress));
            Assert.Equal(-XenErrno.EINVAL, SetContext(k, d.Id, uint.MaxValue, k.ContextAddress));
            Assert.Equal(-XenErrno.EINVAL, SetContext(k, d.Id, 2, 0));
            Assert.Equal(-XenErrno.EINVAL, SetContext(k, d.Id, 2, TestDomain.UnmappedAddress));
            AssertUntouched(k, d, mfns);
        }

        [Fact]
        public void TheCallersOwnDomainIsEinval()
        {
            var (k, _, _) = New();
            ulong l4 = k.V0.KernelTableFrame;
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(0, 0, ControlKit.Context(l4)));
            Assert.Equal(l4, k.V0.KernelTableFrame);
        }

        [Fact]
        public void AnUnreadableContextIsEfault()
        {
            var (k, d, mfns) = New();
            Assert.Equal(-XenErrno.EFAULT, SetContext(k, d.Id, 0, TestDomain.UnmappedAddress));
            // 5168 bytes: one that runs off the mapped area part-way is unreadable too.
            Assert.Equal(-XenErrno.EFAULT, SetContext(k, d.Id, 0, k.T.Layout.MappedEnd - 4096));
            AssertUntouched(k, d, mfns);
        }

        [Fact]
        public void ACr3ThatIsNotAnL4OfTheDomainIsEinval()
        {
            var (k, d, mfns) = New();
            // Dom0's own L4: a valid table, but not the domain's.
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, ControlKit.Context(k.V0.KernelTableFrame)));
            // A frame of the hypervisor's (below the first MiB) and one beyond RAM.
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, ControlKit.Context(3)));
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, ControlKit.Context(k.Frames.FrameCount + 5)));
            // The domain's frame, but it does not validate: its first entry maps dom0's L4 as an L3.
            k.Ram.Write64(ControlKit.PageAddress(mfns[1]), PageTableEntry.Make(k.V0.KernelTableFrame, P | RW));
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, ControlKit.Context(mfns[1])));
            // A valid kernel L4 with a user L4 that is dom0's: the kernel one is let go again.
            VcpuGuestContext c = ControlKit.Context(mfns[0]);
            c.CtrlReg[1] = k.V0.KernelTableFrame << 12;
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, c));
            AssertUntouched(k, d, mfns[0], mfns[1]);
        }

        [Theory]
        [InlineData("rip")]
        [InlineData("rsp")]
        [InlineData("kernel_sp")]
        [InlineData("fs_base")]
        [InlineData("gs_base_kernel")]
        [InlineData("gs_base_user")]
        [InlineData("event callback")]
        [InlineData("failsafe callback")]
        [InlineData("syscall callback")]
        [InlineData("trap handler")]
        public void ANonCanonicalAddressIsEinvalAndChangesNothing(string where)
        {
            var (k, d, mfns) = New();
            const ulong Bad = 0x0000_8000_0000_0000;
            VcpuGuestContext c = ControlKit.Context(mfns[0]);
            switch (where)
            {
                case "rip": c.UserRegs.Rip = Bad; break;
                case "rsp": c.UserRegs.Rsp = Bad; break;
                case "kernel_sp": c.KernelSp = Bad; break;
                case "fs_base": c.FsBase = Bad; break;
                case "gs_base_kernel": c.GsBaseKernel = Bad; break;
                case "gs_base_user": c.GsBaseUser = Bad; break;
                case "event callback": c.EventCallbackEip = Bad; break;
                case "failsafe callback": c.FailsafeCallbackEip = Bad; break;
                case "syscall callback": c.SyscallCallbackEip = Bad; break;
                case "trap handler":
                    c.TrapCtxt[14 * 16] = 14;
                    *(ulong*)(c.TrapCtxt + 14 * 16 + 8) = Bad;
                    break;
            }
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, c));
            AssertUntouched(k, d, mfns[0]);
            Assert.Equal(0UL, d.Vcpus[0].Registers.Rip);
        }

        [Fact]
        public void LdtsTooManyGdtEntriesAndUnknownVmAssistsAreRefused()
        {
            var (k, d, mfns) = New();
            VcpuGuestContext c = ControlKit.Context(mfns[0]);
            c.LdtEnts = 1;
            Assert.Equal(-XenErrno.EOPNOTSUPP, k.SetVcpuContext(d.Id, 0, c));
            c = ControlKit.Context(mfns[0]);
            c.GdtEnts = DescriptorTables.FirstReservedGdtEntry + 1;
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, c));
            c = ControlKit.Context(mfns[0]);
            c.VmAssist = 1UL << 40;
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, c));
            // A GDT frame that is not the domain's: the L4 taken is given back.
            c = ControlKit.Context(mfns[0]);
            c.GdtEnts = 16;
            c.GdtFrames[0] = k.V0.KernelTableFrame;
            Assert.Equal(-XenErrno.EINVAL, k.SetVcpuContext(d.Id, 0, c));
            AssertUntouched(k, d, mfns[0]);
        }

        // ---- setvcpucontext: a valid context ----

        [Fact]
        public void AValidContextInitialisesTheVcpuAndBringsItUp()
        {
            var (k, d, mfns) = New();
            VcpuGuestContext c = ControlKit.Context(mfns[0]);
            c.UserRegs.Cs = 0xE030;   // RPL 0, as a toolstack may write it: becomes RPL 3
            c.UserRegs.Rax = 0x1111;
            c.UserRegs.Rflags = 0x200;
            c.KernelSs = 0;
            c.GdtEnts = 512;
            c.GdtFrames[0] = mfns[2];
            c.TrapCtxt[0] = 14;                                      // vector
            c.TrapCtxt[1] = 0;                                       // flags
            *(ushort*)(c.TrapCtxt + 2) = 0xE030;                     // cs
            *(ulong*)(c.TrapCtxt + 8) = 0xFFFF_FFFF_8000_4000;       // address
            c.FsBase = 0x7000_0000;
            c.VmAssist = 1UL << VmAssistType.FourGbSegments;

            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, c));
            Vcpu v = d.Vcpus[0];
            Assert.True(v.IsInitialised);
            Assert.True(v.IsUp);
            Assert.False(v.IsRunnable);                      // still paused by the controller
            Assert.Equal(mfns[0], v.KernelTableFrame);
            Assert.Equal(PageType.L4, k.Frames.TypeOf(mfns[0]));
            Assert.True(k.Frames.TypeCountOf(mfns[0]) >= 1);
            Assert.Equal(0xFFFF_FFFF_8000_1000UL, v.Registers.Rip);
            Assert.Equal(0xFFFF_FFFF_8020_0000UL, v.Registers.Rsp);
            Assert.Equal(0xFFFF_FFFF_8010_0000UL, v.Registers.Rsi);
            Assert.Equal(0x1111UL, v.Registers.Rax);
            Assert.Equal((ulong)FlatSelector.KernelCs, v.Registers.Cs);
            Assert.Equal((ulong)FlatSelector.Ring3Ss64, v.KernelStackSegment);
            Assert.Equal(0xFFFF_FFFF_8020_0000UL, v.KernelStackPointer);
            Assert.Equal(0xFFFF_FFFF_8000_2000UL, v.Callbacks[CallbackKind.Event]);
            Assert.Equal(0xFFFF_FFFF_8000_3000UL, v.Callbacks[CallbackKind.Failsafe]);
            Assert.Equal(0xFFFF_FFFF_8000_4000UL, v.TrapTable[14].Address);
            Assert.Equal(FlatSelector.KernelCs, v.TrapTable[14].CodeSelector);
            Assert.Equal(0x7000_0000UL, v.FsBase);
            Assert.Equal(1UL << VmAssistType.FourGbSegments, d.VmAssist);
            Assert.True(v.InKernelMode);
            Assert.Equal(1, v.GdtFrameCount);
            Assert.Equal(mfns[2], v.GdtFrames[0]);
            Assert.Equal(PageType.SegmentDescriptor, k.Frames.TypeOf(mfns[2]));
            Assert.False(d.Vcpus[1].IsInitialised);

            Assert.Equal(0, k.GetVcpuInfo(d.Id, 0, out DomctlGetVcpuInfo info));
            Assert.Equal(1, info.Online);
            Assert.Equal(0, info.Blocked);
            Assert.Equal(0, k.GetVcpuInfo(d.Id, 1, out info));
            Assert.Equal(0, info.Online);
            DomctlGetDomainInfo di = k.InfoOf(d.Id);
            Assert.Equal(1u, di.NrOnlineVcpus);
            Assert.Equal(1u, di.MaxVcpuId);
            ControlKit.AssertBits(di.Flags, DomainInfoFlags.Paused);
        }

        [Fact]
        public void WithoutTheOnlineFlagTheVcpuIsInitialisedButDown()
        {
            var (k, d, mfns) = New();
            Assert.Equal(0, k.SetVcpuContext(d.Id, 1, ControlKit.Context(mfns[0], online: false)));
            Vcpu v = d.Vcpus[1];
            Assert.True(v.IsInitialised);
            Assert.False(v.IsUp);
            Assert.Equal(0, k.GetVcpuInfo(d.Id, 1, out DomctlGetVcpuInfo info));
            Assert.Equal(0, info.Online);
            Assert.Equal(0u, k.InfoOf(d.Id).NrOnlineVcpus);
        }

        [Fact]
        public void AnInitialisedVcpuKeepsItsPageTables()
        {
            var (k, d, mfns) = New();
            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, ControlKit.Context(mfns[0])));
            uint count = k.Frames.TypeCountOf(mfns[0]);
            // Another base is refused, as in Xen; the same one is taken again (registers and all).
            Assert.Equal(-XenErrno.EOPNOTSUPP, k.SetVcpuContext(d.Id, 0, ControlKit.Context(mfns[1])));
            Assert.Equal(0u, k.Frames.TypeCountOf(mfns[1]));
            VcpuGuestContext c = ControlKit.Context(mfns[0]);
            c.UserRegs.Rip = 0xFFFF_FFFF_8000_5000;
            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, c));
            Assert.Equal(0xFFFF_FFFF_8000_5000UL, d.Vcpus[0].Registers.Rip);
            Assert.Equal(count, k.Frames.TypeCountOf(mfns[0]));
            Assert.Equal(mfns[0], d.Vcpus[0].KernelTableFrame);
        }

        [Fact]
        public void TheVcpuRunsOnceTheDomainIsUnpaused()
        {
            var (k, d, mfns) = New(vcpus: 2, scheduler: true);
            CreditScheduler s = k.Host.Scheduler;
            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, ControlKit.Context(mfns[0])));
            // Up but paused: nothing to run (dom0 was built before the scheduler, so it is not in it).
            Assert.Null(s.PickNext(0, null, 0, out _));
            k.T.Platform.Invocations.Clear();

            Assert.Equal(0, k.Unpause(d.Id));
            Assert.True(d.Vcpus[0].IsRunnable);
            Assert.False(d.Vcpus[1].IsRunnable);           // never given a context
            k.T.Platform.Verify(p => p.RequestReschedule(0), Times.Once());   // the idle CPU chooses again
            Vcpu picked = s.PickNext(0, null, 0, out _);
            Assert.Same(d.Vcpus[0], picked);

            Assert.Equal(0, k.GetVcpuInfo(d.Id, 0, out DomctlGetVcpuInfo info));
            Assert.Equal(1, info.Online);
            Assert.Equal(1, info.Running);
            Assert.Equal(0u, info.Cpu);
            ControlKit.AssertBits(k.InfoOf(d.Id).Flags, DomainInfoFlags.Running);
            ControlKit.AssertNoBits(k.InfoOf(d.Id).Flags, DomainInfoFlags.Paused | DomainInfoFlags.Blocked);

            // Paused again by the toolstack: the vCPU leaves the CPU at the next decision.
            Assert.Equal(0, k.Pause(d.Id));
            Assert.False(d.Vcpus[0].IsRunnable);
            Assert.Null(s.PickNext(0, picked, 1_000_000, out _));
        }

        [Fact]
        public void AContextGivenToAnUnpausedDomainMakesTheVcpuRunnableAtOnce()
        {
            var (k, d, mfns) = New(vcpus: 1, scheduler: true);
            Assert.Equal(0, k.Unpause(d.Id));
            Assert.Null(k.Host.Scheduler.PickNext(0, null, 0, out _));
            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, ControlKit.Context(mfns[0])));
            Assert.Same(d.Vcpus[0], k.Host.Scheduler.PickNext(0, null, 0, out _));
        }

        // ---- getvcpuinfo ----

        [Fact]
        public void GetvcpuinfoOfAVcpuBeyondTheDomainsIsEinval()
        {
            var (k, d, _) = New(vcpus: 2);
            Assert.Equal(-XenErrno.EINVAL, k.GetVcpuInfo(d.Id, 2, out DomctlGetVcpuInfo info));
            Assert.Equal(0xEE, info.Online);   // not copied back
            Assert.Equal(-XenErrno.EINVAL, k.GetVcpuInfo(0, 1, out _));
        }

        [Fact]
        public void GetvcpuinfoOfDom0_OnlineRunningWithItsCpuTime()
        {
            var (k, _, _) = New();
            TestClock.Attach(k.T, 2_500_000_000);
            Assert.Equal(0, k.GetVcpuInfo(0, 0, out DomctlGetVcpuInfo info));
            Assert.Equal(0u, info.Vcpu);
            Assert.Equal(1, info.Online);
            Assert.Equal(0, info.Blocked);
            Assert.Equal(1, info.Running);                  // no scheduler: running since start of day
            Assert.Equal(2_500_000_000UL, info.CpuTime);
            k.V0.IsBlocked = true;
            Assert.Equal(0, k.GetVcpuInfo(0, 0, out info));
            Assert.Equal(1, info.Blocked);
        }

        // ---- hypercall_init ----

        private const uint HypercallInit = 22;

        [Fact]
        public void HypercallInitWritesTheHypercallPageIntoAFrameOfTheDomain()
        {
            var (k, d, mfns) = New();
            Assert.Equal(0, k.Domctl(HypercallInit, d.Id, mfns[3]));
            ulong page = ControlKit.PageAddress(mfns[3]);
            // Stub 0: push %rcx; push %r11; mov $0,%eax; syscall; pop %r11; pop %rcx; ret.
            byte[] expected = { 0x51, 0x41, 0x53, 0xB8, 0, 0, 0, 0, 0x0F, 0x05, 0x41, 0x5B, 0x59, 0xC3 };
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], k.Ram.Read8(page + (ulong)i));
            Assert.Equal((uint)HypercallNumber.Domctl, k.Ram.Read32(page + 36 * 32 + 4));
            // No reference or type is left behind.
            Assert.Equal(0u, k.Frames.ReferencesOf(mfns[3]));
            Assert.Equal(0u, k.Frames.TypeCountOf(mfns[3]));
        }

        [Fact]
        public void HypercallInitRefusesAFrameTheDomainDoesNotOwn_AndAPageTable()
        {
            var (k, d, mfns) = New();
            ulong dom0Frame = k.Dom0.PhysToMachine[k.Dom0.PhysToMachine.Length - 1];
            ulong before = k.Ram.Read64(ControlKit.PageAddress(dom0Frame));
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(HypercallInit, d.Id, dom0Frame));
            Assert.Equal(before, k.Ram.Read64(ControlKit.PageAddress(dom0Frame)));
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(HypercallInit, d.Id, k.Frames.FrameCount + 1));
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(HypercallInit, d.Id, 3UL));

            // A frame the hypervisor shares read-only with every guest (the M2P's) is no frame of the
            // domain either, and the refusal leaves its counts as they were.
            ulong m2p = k.Host.MachineToPhys.BaseAddress >> 12;
            Assert.Equal(0, k.Frames.ShareWithGuests(m2p));
            uint m2pRefs = k.Frames.ReferencesOf(m2p), m2pTypes = k.Frames.TypeCountOf(m2p);
            Assert.Equal(-XenErrno.EINVAL, k.Domctl(HypercallInit, d.Id, m2p));
            Assert.Equal(m2pRefs, k.Frames.ReferencesOf(m2p));
            Assert.Equal(m2pTypes, k.Frames.TypeCountOf(m2p));
            Assert.Equal(0UL, k.Frames.AccountingErrors);

            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, ControlKit.Context(mfns[0])));
            uint refs = k.Frames.ReferencesOf(mfns[0]);
            Assert.Equal(-XenErrno.EPERM, k.Domctl(HypercallInit, d.Id, mfns[0]));
            Assert.Equal(0UL, k.Ram.Read64(ControlKit.PageAddress(mfns[0])));   // no stub written over the table
            Assert.Equal(refs, k.Frames.ReferencesOf(mfns[0]));
            Assert.Equal(PageType.L4, k.Frames.TypeOf(mfns[0]));
        }
    }
}
