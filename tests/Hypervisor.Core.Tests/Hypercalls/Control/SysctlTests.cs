using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Control
{
    /// <summary>
    /// sysctl as the toolstack uses it: the copy in (-EFAULT), the interface version (-EACCES), privilege
    /// (-EPERM); physinfo, sched_id, getdomaininfolist and the credit scheduler's global parameters.
    /// The parameters belong to the host's scheduler; the tests of them still put Xen's defaults back.
    /// </summary>
    public unsafe class SysctlTests
    {
        // ---- Order of checks ----

        [Fact]
        public void AnUnreadableSysctlIsEfault()
        {
            var k = new ControlKit();
            Assert.Equal(-XenErrno.EFAULT, Ctl.Call(k.V0, HypercallNumber.Sysctl, TestDomain.UnmappedAddress));
            ulong tail = k.T.Layout.MappedEnd - 100;   // 136 bytes do not fit
            Assert.Equal(-XenErrno.EFAULT, Ctl.Call(k.V0, HypercallNumber.Sysctl, tail));
        }

        [Fact]
        public void AnotherInterfaceVersionIsEacces_ThenAnUnprivilegedCallerIsEperm()
        {
            var k = new ControlKit();
            EventGuest guest = EventGuest.HandBuilt(k.T, 1, privileged: false, vcpus: 1);
            Assert.Equal(-XenErrno.EACCES, k.Sysctl(Ctl.SysctlOfVersion(Abi.Sysctl.Physinfo, 0x14), out _));
            Assert.Equal(-XenErrno.EACCES, Ctl.Sysctl(guest.Vcpu, guest.Args, Ctl.SysctlOfVersion(Abi.Sysctl.Physinfo, 0x14), out _));

            Assert.Equal(-XenErrno.EPERM, Ctl.Sysctl(guest.Vcpu, guest.Args, Ctl.Sysctl(Abi.Sysctl.Physinfo), out XenSysctl back));
            Assert.Equal(0u, Ctl.Union<SysctlPhysinfo>(back).NrCpus);   // nothing written back
            Assert.Equal(-XenErrno.EPERM, Ctl.Sysctl(guest.Vcpu, guest.Args, Ctl.Sysctl(Abi.Sysctl.SchedId), out _));
            Assert.Equal(-XenErrno.EPERM, Ctl.Sysctl(guest.Vcpu, guest.Args, Ctl.Sysctl(Abi.Sysctl.GetDomainInfoList,
                new SysctlGetDomainInfoList { MaxDomains = 4, Buffer = guest.Data }), out _));
            Assert.Equal(-XenErrno.EPERM, Ctl.Sysctl(guest.Vcpu, guest.Args, Ctl.Sysctl(999), out _));
        }

        [Fact]
        public void AnUnknownCommandIsEnosys()
        {
            var k = new ControlKit();
            Assert.Equal(-XenErrno.ENOSYS, k.Sysctl(Ctl.Sysctl(999), out _));
            Assert.Equal(-XenErrno.ENOSYS, k.Sysctl(Ctl.Sysctl(1), out _));   // XEN_SYSCTL_readconsole
        }

        // ---- physinfo, sched_id ----

        [Fact]
        public void PhysinfoReportsCpusAndMemory()
        {
            var k = new ControlKit();
            k.Host.CpuCount = 2;
            k.T.Platform.Setup(p => p.TimeStampFrequency).Returns(2_400_000_000UL);
            Assert.Equal(0, k.Sysctl(Abi.Sysctl.Physinfo, new SysctlPhysinfo { NrCpus = 77 }, out SysctlPhysinfo info));

            Assert.Equal(2u, info.NrCpus);
            Assert.Equal(1u, info.MaxCpuId);
            Assert.Equal(1u, info.ThreadsPerCore);
            Assert.Equal(2u, info.CoresPerSocket);
            Assert.Equal(1u, info.NrNodes);
            Assert.Equal(0u, info.MaxNodeId);
            Assert.Equal(2_400_000u, info.CpuKhz);
            Assert.Equal(k.Host.Frames.TotalFrames, info.TotalPages);
            Assert.Equal(k.Host.Frames.FreeFrames, info.FreePages);
            Assert.Equal(k.Frames.FrameCount - 1, info.MaxMfn);
            ControlKit.AssertBits(info.Capabilities, PhysinfoCapabilities.Pv | PhysinfoCapabilities.GnttabV1);
            ControlKit.AssertNoBits(info.Capabilities, PhysinfoCapabilities.Hvm | PhysinfoCapabilities.GnttabV2 | PhysinfoCapabilities.DirectIo);

            // A new domain's shared_info frame and first grant frame come out of the free pages.
            ulong free = info.FreePages;
            k.CreateOk();
            Assert.Equal(0, k.Sysctl(Abi.Sysctl.Physinfo, default(SysctlPhysinfo), out info));
            Assert.Equal(free - 2, info.FreePages);
        }

        [Fact]
        public void SchedIdIsCredit()
        {
            var k = new ControlKit();
            Assert.Equal(0, k.Sysctl(Abi.Sysctl.SchedId, 0xFFFF_FFFFu, out uint id));
            Assert.Equal(SchedulerId.Credit, id);
            Assert.Equal(5u, id);
        }

        // ---- getdomaininfolist ----

        private static long List(ControlKit k, ushort first, uint max, ulong buffer, out SysctlGetDomainInfoList answer) =>
            k.Sysctl(Abi.Sysctl.GetDomainInfoList, new SysctlGetDomainInfoList { FirstDomain = first, MaxDomains = max, Buffer = buffer, NumDomains = 0xDEAD }, out answer);

        private static DomctlGetDomainInfo Entry(ControlKit k, ulong buffer, int index) =>
            k.T.ReadStruct<DomctlGetDomainInfo>(buffer + (ulong)(index * TestDomain.SizeOf<DomctlGetDomainInfo>()));

        [Fact]
        public void GetdomaininfolistListsDomainsFromFirstDomainUpToMaxDomains()
        {
            var k = new ControlKit();
            Domain three = k.CreateOk(askFor: 3);
            k.CreateOk(askFor: 9);
            Assert.Equal(0, k.Unpause(3));

            Assert.Equal(0, List(k, 0, 10, k.Buffer, out SysctlGetDomainInfoList answer));
            Assert.Equal(3u, answer.NumDomains);
            ushort[] ids = { 0, 3, 9 };
            for (int i = 0; i < 3; i++)
            {
                DomctlGetDomainInfo listed = Entry(k, k.Buffer, i);
                Assert.Equal(ids[i], listed.Domain);
                // The same answer as getdomaininfo gives.
                DomctlGetDomainInfo single = k.InfoOf(ids[i]);
                Assert.Equal(single.Flags, listed.Flags);
                Assert.Equal(single.TotPages, listed.TotPages);
                Assert.Equal(single.SharedInfoFrame, listed.SharedInfoFrame);
                Assert.Equal(single.MaxVcpuId, listed.MaxVcpuId);
            }
            ControlKit.AssertNoBits(Entry(k, k.Buffer, 1).Flags, DomainInfoFlags.Paused);
            ControlKit.AssertBits(Entry(k, k.Buffer, 2).Flags, DomainInfoFlags.Paused);
            Assert.Equal(three.SharedInfoAddress >> 12, Entry(k, k.Buffer, 1).SharedInfoFrame);

            Assert.Equal(0, List(k, 1, 1, k.Buffer, out answer));
            Assert.Equal(1u, answer.NumDomains);
            Assert.Equal(3, Entry(k, k.Buffer, 0).Domain);
            Assert.Equal(0, List(k, 4, 10, k.Buffer, out answer));
            Assert.Equal(1u, answer.NumDomains);
            Assert.Equal(9, Entry(k, k.Buffer, 0).Domain);
            Assert.Equal(0, List(k, 10, 10, k.Buffer, out answer));
            Assert.Equal(0u, answer.NumDomains);
            Assert.Equal(0, List(k, 0, 0, k.Buffer, out answer));
            Assert.Equal(0u, answer.NumDomains);
        }

        [Fact]
        public void AnUnwritableBufferIsEfaultAndTheCountIsNotWrittenBack()
        {
            var k = new ControlKit();
            k.CreateOk();
            Assert.Equal(-XenErrno.EFAULT, List(k, 0, 4, TestDomain.UnmappedAddress, out SysctlGetDomainInfoList answer));
            Assert.Equal(0xDEADu, answer.NumDomains);

            // Room for one entry only: the first is written, the second faults.
            ulong size = (ulong)TestDomain.SizeOf<DomctlGetDomainInfo>();
            ulong tight = k.T.Layout.MappedEnd - size;
            k.T.Write(tight, new byte[size]);
            Assert.Equal(-XenErrno.EFAULT, List(k, 0, 4, tight, out answer));
            Assert.Equal(0xDEADu, answer.NumDomains);
            Assert.Equal(0, k.T.ReadStruct<DomctlGetDomainInfo>(tight).Domain);
            Assert.Equal(k.Dom0.TotalPages, k.T.ReadStruct<DomctlGetDomainInfo>(tight).TotPages);
            // With max_domains 1 it fits.
            Assert.Equal(0, List(k, 0, 1, tight, out answer));
            Assert.Equal(1u, answer.NumDomains);
        }

        // ---- scheduler_op (the credit scheduler's global parameters) ----

        private static long SchedOp(ControlKit k, uint cmd, uint tslice, uint ratelimit, uint delay, out SysctlSchedulerOp answer,
                                    uint sched = SchedulerId.Credit, uint pool = 0) =>
            k.Sysctl(Abi.Sysctl.SchedulerOp, new SysctlSchedulerOp
            {
                CpupoolId = pool, SchedId = sched, Cmd = cmd, TsliceMs = tslice, RatelimitUs = ratelimit, VcpuMigrDelayUs = delay,
            }, out answer);

        private static void PutDefaults(ControlKit k) =>
            Assert.Equal(0, SchedOp(k, SchedulerOpCommand.PutInfo, 30, 1000, 0, out _));

        [Fact]
        public void SchedulerOpGetsXensDefaultsAndPutsNewOnes()
        {
            var k = new ControlKit();
            k.Host.Scheduler = new CreditScheduler(1);
            try
            {
                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.GetInfo, 0, 0, 0, out SysctlSchedulerOp got));
                Assert.Equal(30u, got.TsliceMs);
                Assert.Equal(1000u, got.RatelimitUs);
                Assert.Equal(0u, got.VcpuMigrDelayUs);

                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.PutInfo, 10, 500, 100, out _));
                Assert.Equal(10_000_000UL, k.Host.Scheduler.TimeSlice);
                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.GetInfo, 0, 0, 0, out got));
                Assert.Equal(10u, got.TsliceMs);
                Assert.Equal(500u, got.RatelimitUs);
                Assert.Equal(100u, got.VcpuMigrDelayUs);

                // The extremes are allowed; a rate limit of 0 turns it off.
                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.PutInfo, 1, 0, 100_000, out _));
                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.PutInfo, 1000, 500_000, 0, out _));
                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.PutInfo, 1, 1000, 0, out _));   // rate limit == slice
                Assert.Equal(1_000_000UL, k.Host.Scheduler.TimeSlice);
            }
            finally
            {
                PutDefaults(k);
            }
        }

        [Theory]
        [InlineData(0u, 1000u, 0u)]            // slice below 1 ms
        [InlineData(1001u, 1000u, 0u)]         // slice above 1 s
        [InlineData(30u, 99u, 0u)]             // rate limit below 100 us
        [InlineData(1000u, 500_001u, 0u)]      // rate limit above 500 ms
        [InlineData(1u, 1001u, 0u)]            // rate limit longer than the slice
        [InlineData(30u, 1000u, 100_001u)]     // migration delay above 100 ms
        public void SchedulerOpRefusesParametersOutOfRangeAndChangesNothing(uint tslice, uint ratelimit, uint delay)
        {
            var k = new ControlKit();
            k.Host.Scheduler = new CreditScheduler(1);
            try
            {
                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.PutInfo, 20, 2000, 50, out _));
                Assert.Equal(-XenErrno.EINVAL, SchedOp(k, SchedulerOpCommand.PutInfo, tslice, ratelimit, delay, out SysctlSchedulerOp back));
                Assert.Equal(tslice, back.TsliceMs);   // not copied back
                Assert.Equal(0, SchedOp(k, SchedulerOpCommand.GetInfo, 0, 0, 0, out SysctlSchedulerOp got));
                Assert.Equal(20u, got.TsliceMs);
                Assert.Equal(2000u, got.RatelimitUs);
                Assert.Equal(50u, got.VcpuMigrDelayUs);
                Assert.Equal(20_000_000UL, k.Host.Scheduler.TimeSlice);
            }
            finally
            {
                PutDefaults(k);
            }
        }

        [Fact]
        public void SchedulerOpNamesTheRunningSchedulerAndAnExistingPool()
        {
            var k = new ControlKit();
            Assert.Equal(-XenErrno.EINVAL, SchedOp(k, SchedulerOpCommand.GetInfo, 0, 0, 0, out _));   // no scheduler yet
            k.Host.Scheduler = new CreditScheduler(1);
            Assert.Equal(-XenErrno.EINVAL, SchedOp(k, SchedulerOpCommand.GetInfo, 0, 0, 0, out _, sched: SchedulerId.Credit2));
            Assert.Equal(-XenErrno.EINVAL, SchedOp(k, SchedulerOpCommand.PutInfo, 10, 1000, 0, out _, sched: SchedulerId.Null));
            // Xen's sched_adjust_global: the command first (-EINVAL), then the pool (-ESRCH), then the scheduler.
            Assert.Equal(-XenErrno.EINVAL, SchedOp(k, 5, 0, 0, 0, out _));
            Assert.Equal(-XenErrno.EINVAL, SchedOp(k, 5, 0, 0, 0, out _, pool: 3));
            Assert.Equal(-XenErrno.ESRCH, SchedOp(k, SchedulerOpCommand.GetInfo, 0, 0, 0, out _, pool: 1));
            Assert.Equal(-XenErrno.ESRCH, SchedOp(k, SchedulerOpCommand.GetInfo, 0, 0, 0, out _, sched: SchedulerId.Credit2, pool: uint.MaxValue));
            Assert.Equal(30_000_000UL, k.Host.Scheduler.TimeSlice);
        }
    }
}
