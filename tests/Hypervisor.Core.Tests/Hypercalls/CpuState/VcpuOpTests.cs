using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>vcpu_op on the domain's vCPUs: up/down, runstate, vcpu_info placement.</summary>
    public class VcpuOpTests
    {
        private const ulong PageSize = 4096;

        private static long VcpuOp(CpuStateGuest g, int cmd, ulong vcpuId, ulong arg = 0) =>
            g.Call(HypercallNumber.VcpuOp, (ulong)cmd, vcpuId, arg);

        // ---- Which vCPU ----

        [Theory]
        [InlineData(Abi.VcpuOp.Initialise)]
        [InlineData(Abi.VcpuOp.Up)]
        [InlineData(Abi.VcpuOp.Down)]
        [InlineData(Abi.VcpuOp.IsUp)]
        [InlineData(Abi.VcpuOp.GetRunstateInfo)]
        [InlineData(Abi.VcpuOp.RegisterVcpuInfo)]
        [InlineData(99)]   // the vCPU is looked up before the command
        public void AVcpuTheDomainDoesNotHaveIsEnoent(int cmd)
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.ENOENT, VcpuOp(g, cmd, 1, g.Args));
            Assert.Equal(-XenErrno.ENOENT, VcpuOp(g, cmd, 0xFFFF_FFFF, g.Args));
            Assert.True(g.Domain.IsAlive);
        }

        [Fact]
        public void OnlyTheLow32BitsNameTheVcpu()
        {
            var g = new CpuStateGuest();
            Assert.Equal(1, VcpuOp(g, Abi.VcpuOp.IsUp, 1UL << 32));
        }

        [Fact]
        public void UnknownCommandIsEnosys()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.ENOSYS, VcpuOp(g, 99, 0, g.Args));
        }

        // ---- Up and down ----

        [Fact]
        public void VcpuZeroIsUp()
        {
            var g = new CpuStateGuest();
            Assert.Equal(1, VcpuOp(g, Abi.VcpuOp.IsUp, 0));
            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.Up, 0));
            Assert.Equal(1, VcpuOp(g, Abi.VcpuOp.IsUp, 0));
        }

        [Fact]
        public void InitialisingARunningVcpuIsEexist()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EEXIST, VcpuOp(g, Abi.VcpuOp.Initialise, 0, g.Args));
        }

        [Fact]
        public void InitialiseReadsTheContextFirst()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.Initialise, 0, TestDomain.UnmappedAddress));
            // A context that runs off the mapped area part-way is unreadable too.
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.Initialise, 0, g.T.Layout.MappedEnd - 4096));
        }

        [Fact]
        public void TakingDownTheLastVcpuPowersTheDomainOff()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.Down, 0));
            Assert.Equal(DomainState.ShutDown, g.Domain.State);
            Assert.Equal((int)ShutdownReason.Poweroff, g.Domain.ShutdownReason);
        }

        [Fact]
        public void SecondaryVcpuBeforeInitialisation()
        {
            // A domain with two vCPUs of which only vCPU 0 was built.
            var g = new CpuStateGuest();
            var domain = new Domain(g.T.Host, 7, true, 2);
            Vcpu first = domain.Vcpus[0];
            first.KernelTableFrame = g.Vcpu.KernelTableFrame;
            first.VcpuInfoAddress = g.Vcpu.VcpuInfoAddress;
            long Op(int cmd, ulong id, ulong arg = 0)
            {
                var args = new HypercallArguments((ulong)cmd, id, arg, 0, 0);
                return HypercallDispatcher.Invoke(first, HypercallNumber.VcpuOp, in args);
            }

            Assert.Equal(0, Op(Abi.VcpuOp.IsUp, 1));
            Assert.Equal(-XenErrno.EINVAL, Op(Abi.VcpuOp.Up, 1));

            g.T.WriteStruct(g.Args, default(VcpuRunstateInfo));
            Assert.Equal(0, Op(Abi.VcpuOp.GetRunstateInfo, 1, g.Args));
            Assert.Equal(VcpuRunstate.Offline, g.T.ReadStruct<VcpuRunstateInfo>(g.Args).State);

            // vCPU 1 is not up, so taking down vCPU 0 takes down the last one.
            Assert.Equal(0, Op(Abi.VcpuOp.Down, 0));
            Assert.Equal(DomainState.ShutDown, domain.State);
        }

        // ---- Runstate ----

        private static void Clock(CpuStateGuest g, ulong tsc, ulong frequency)
        {
            g.T.Platform.Setup(p => p.TimeStampFrequency).Returns(frequency);
            g.T.Platform.Setup(p => p.ReadTimeStampCounter()).Returns(tsc);
        }

        [Fact]
        public unsafe void RunstateSaysRunningSinceStartOfDay()
        {
            var g = new CpuStateGuest();
            Clock(g, 3_000_000_000UL, 2_000_000_000UL);   // 1.5 s at 2 GHz
            g.T.Write(g.Args, new byte[48]);

            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.GetRunstateInfo, 0, g.Args));

            VcpuRunstateInfo info = g.T.ReadStruct<VcpuRunstateInfo>(g.Args);
            Assert.Equal(VcpuRunstate.Running, info.State);
            Assert.Equal(0UL, info.StateEntryTime);
            Assert.Equal(1_500_000_000UL, info.Time[VcpuRunstate.Running]);
            Assert.Equal(0UL, info.Time[VcpuRunstate.Runnable]);
            Assert.Equal(0UL, info.Time[VcpuRunstate.Blocked]);
            Assert.Equal(0UL, info.Time[VcpuRunstate.Offline]);
        }

        [Fact]
        public unsafe void RunstateTimeDoesNotOverflowForLargeCounters()
        {
            var g = new CpuStateGuest();
            Clock(g, ulong.MaxValue, 3_000_000_000UL);
            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.GetRunstateInfo, 0, g.Args));
            VcpuRunstateInfo info = g.T.ReadStruct<VcpuRunstateInfo>(g.Args);
            ulong expected = (ulong)(System.Numerics.BigInteger.Parse("18446744073709551615") * 1_000_000_000 / 3_000_000_000);
            Assert.Equal(expected, info.Time[VcpuRunstate.Running]);
        }

        [Fact]
        public void RunstateToUnwritableMemoryIsEfault()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.GetRunstateInfo, 0, TestDomain.UnmappedAddress));
        }

        [Fact]
        public unsafe void RegisteringARunstateAreaFillsItAtOnce()
        {
            var g = new CpuStateGuest();
            Clock(g, 5_000_000_000UL, 1_000_000_000UL);
            g.T.Write(g.Data, Enumerable(48, 0xAA));
            g.T.Write64(g.Args, g.Data);

            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.RegisterRunstateMemoryArea, 0, g.Args));

            Assert.Equal(g.Data, g.Vcpu.RunstateArea);
            VcpuRunstateInfo info = g.T.ReadStruct<VcpuRunstateInfo>(g.Data);
            Assert.Equal(VcpuRunstate.Running, info.State);
            Assert.Equal(5_000_000_000UL, info.Time[VcpuRunstate.Running]);
            Assert.Equal(0UL, info.Time[VcpuRunstate.Offline]);
        }

        [Fact]
        public void RunstateAreaMayBeUnmappedOrNull()
        {
            // Xen judges only the address; a failed first copy is ignored, and NULL unregisters.
            var g = new CpuStateGuest();
            g.T.Write64(g.Args, TestDomain.UnmappedAddress);
            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.RegisterRunstateMemoryArea, 0, g.Args));
            Assert.Equal(TestDomain.UnmappedAddress, g.Vcpu.RunstateArea);

            g.T.Write64(g.Args, 0);
            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.RegisterRunstateMemoryArea, 0, g.Args));
            Assert.Equal(0UL, g.Vcpu.RunstateArea);
        }

        [Theory]
        [InlineData(0xFFFF_8000_0000_0000UL)]
        [InlineData(0xFFFF_8400_0000_0000UL)]
        [InlineData(0x0000_8000_0000_0000UL)]
        public void RunstateAreaOutsideGuestSpaceIsEfault(ulong address)
        {
            var g = new CpuStateGuest();
            g.T.Write64(g.Args, address);
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.RegisterRunstateMemoryArea, 0, g.Args));
            Assert.Equal(0UL, g.Vcpu.RunstateArea);
        }

        [Fact]
        public void UnreadableRunstateAreaRequestIsEfault()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.RegisterRunstateMemoryArea, 0, TestDomain.UnmappedAddress));
        }

        // ---- register_vcpu_time_memory_area ----

        private const ulong TscHz = 2_000_000_000;

        private static void StartClock(CpuStateGuest g, ulong tsc)
        {
            g.T.Platform.Setup(p => p.TimeStampFrequency).Returns(TscHz);
            g.T.Platform.Setup(p => p.ReadTimeStampCounter()).Returns(tsc);
            g.T.Host.Clock = new Hypervisor.Core.Time.SystemClock(TscHz, 0, 1_700_000_000);
        }

        private static void AssertAreaHoldsTheStamp(CpuStateGuest g)
        {
            ulong stamp = g.Vcpu.VcpuInfoAddress + VcpuInfoAccess.TimeOffset;
            VcpuTimeInfo copy = g.T.ReadStruct<VcpuTimeInfo>(g.Data);
            Assert.Equal(g.T.Memory.Read32(stamp), copy.Version);
            Assert.Equal(0u, copy.Version & 1);
            Assert.Equal(g.T.Memory.Read64(stamp + 8), copy.TscTimestamp);
            Assert.Equal(g.T.Memory.Read64(stamp + 16), copy.SystemTime);
            Assert.Equal(g.T.Memory.Read32(stamp + 24), copy.TscToSystemMul);
            Assert.Equal((sbyte)g.T.Memory.Read8(stamp + 28), copy.TscShift);
        }

        [Fact]
        public void TimeAreaGetsTheStampAtOnceAndEveryStampAfter()
        {
            var g = new CpuStateGuest();
            StartClock(g, 6 * TscHz);
            g.T.Write(g.Data, Enumerable(32, 0xAA));
            g.T.Write64(g.Args, g.Data);

            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.RegisterVcpuTimeMemoryArea, 0, g.Args));

            Assert.Equal(g.Data, g.Vcpu.TimeArea);
            AssertAreaHoldsTheStamp(g);
            Assert.Equal(6 * TscHz, g.T.ReadStruct<VcpuTimeInfo>(g.Data).TscTimestamp);
            uint first = g.T.ReadStruct<VcpuTimeInfo>(g.Data).Version;

            g.T.Platform.Setup(p => p.ReadTimeStampCounter()).Returns(7 * TscHz);
            Hypervisor.Core.Time.VcpuTimeStamps.Stamp(g.Vcpu);   // as when the vCPU is next switched in

            AssertAreaHoldsTheStamp(g);
            Assert.Equal(first + 2, g.T.ReadStruct<VcpuTimeInfo>(g.Data).Version);
            Assert.Equal(7 * TscHz, g.T.ReadStruct<VcpuTimeInfo>(g.Data).TscTimestamp);
        }

        [Fact]
        public void TimeAreaMayBeUnmappedOrNull()
        {
            var g = new CpuStateGuest();
            StartClock(g, TscHz);
            g.T.Write64(g.Args, TestDomain.UnmappedAddress);
            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.RegisterVcpuTimeMemoryArea, 0, g.Args));
            Assert.Equal(TestDomain.UnmappedAddress, g.Vcpu.TimeArea);
            Hypervisor.Core.Time.VcpuTimeStamps.Stamp(g.Vcpu);   // nothing to write to: ignored

            g.T.Write(g.Data, Enumerable(32, 0xAA));
            g.T.Write64(g.Args, 0);
            Assert.Equal(0, VcpuOp(g, Abi.VcpuOp.RegisterVcpuTimeMemoryArea, 0, g.Args));
            Assert.Equal(0UL, g.Vcpu.TimeArea);
            Hypervisor.Core.Time.VcpuTimeStamps.Stamp(g.Vcpu);
            Assert.Equal(0xAAAAAAAAu, g.T.ReadStruct<VcpuTimeInfo>(g.Data).Version);
        }

        [Theory]
        [InlineData(0xFFFF_8000_0000_0000UL)]
        [InlineData(0x0000_8000_0000_0000UL)]
        public void TimeAreaOutsideGuestSpaceIsEfault(ulong address)
        {
            var g = new CpuStateGuest();
            g.T.Write64(g.Args, address);
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.RegisterVcpuTimeMemoryArea, 0, g.Args));
            Assert.Equal(0UL, g.Vcpu.TimeArea);
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.RegisterVcpuTimeMemoryArea, 0, TestDomain.UnmappedAddress));
        }

        // ---- register_vcpu_info ----

        private static long RegisterVcpuInfo(CpuStateGuest g, ulong mfn, uint offset)
        {
            g.T.WriteStruct(g.Args, new VcpuRegisterVcpuInfo { Mfn = mfn, Offset = offset });
            return VcpuOp(g, Abi.VcpuOp.RegisterVcpuInfo, 0, g.Args);
        }

        private static ulong DataFrame(CpuStateGuest g) => g.T.MachineAddressOf(g.Data) / PageSize;

        [Fact]
        public void RegisterVcpuInfoMovesItWithItsContents()
        {
            var g = new CpuStateGuest();
            ulong old = g.Vcpu.VcpuInfoAddress;
            g.T.SetUpcallMask(1);
            g.T.Memory.Write8(old, 0);                           // nothing pending
            g.T.Memory.Write64(old + 8, 0);
            g.T.Memory.Write64(old + 16, 0x1234_5000);            // CR2
            g.T.Memory.Write64(old + 32 + 16, 0xABCD_EF01);       // time.system_time
            ulong mfn = DataFrame(g);

            Assert.Equal(0, RegisterVcpuInfo(g, mfn, 64));

            ulong now = mfn * PageSize + 64;
            Assert.Equal(now, g.Vcpu.VcpuInfoAddress);
            Assert.Equal(1, g.T.Memory.Read8(now + 1));                 // the mask came along
            Assert.Equal(0x1234_5000UL, g.T.Memory.Read64(now + 16));
            Assert.Equal(0xABCD_EF01UL, g.T.Memory.Read64(now + 32 + 16));
            // Everything is marked pending, so no event raised during the move is lost.
            Assert.Equal(1, g.T.Memory.Read8(now));
            Assert.Equal(ulong.MaxValue, g.T.Memory.Read64(now + 8));
            Assert.Equal(1, g.T.ReadStruct<VcpuInfo>(g.Data + 64).EvtchnUpcallMask);
        }

        [Fact]
        public void AfterRegistrationTheHypervisorUsesTheNewPlace()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, RegisterVcpuInfo(g, DataFrame(g), 128));
            g.T.SetUpcallMask(1);

            // sched_op block clears the event mask: in the new vcpu_info.
            Assert.Equal(0, g.Call(HypercallNumber.SchedOp, SchedOp.Block));
            Assert.Equal(0, g.T.ReadStruct<VcpuInfo>(g.Data + 128).EvtchnUpcallMask);
        }

        [Fact]
        public void TheFrameIsHeldWritableSoItCannotBecomeAPageTable()
        {
            var g = new CpuStateGuest();
            ulong mfn = DataFrame(g);
            FrameTable frames = g.T.Host.FrameTable;
            uint typeCount = frames.TypeCountOf(mfn), references = frames.ReferencesOf(mfn);

            Assert.Equal(0, RegisterVcpuInfo(g, mfn, 0));

            Assert.Equal(PageType.Writable, frames.TypeOf(mfn));
            Assert.Equal(typeCount + 1, frames.TypeCountOf(mfn));
            Assert.Equal(references + 1, frames.ReferencesOf(mfn));
        }

        [Fact]
        public void TheLastSlotOfThePageIsAllowed()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, RegisterVcpuInfo(g, DataFrame(g), 4096 - 64));
        }

        [Theory]
        [InlineData(4096u - 56)]   // crosses the page
        [InlineData(4096u)]
        [InlineData(0xFFFF_FFC0u)]
        [InlineData(4u)]           // not 8-aligned
        [InlineData(60u)]
        public void BadOffsetIsEnxio(uint offset)
        {
            var g = new CpuStateGuest();
            ulong old = g.Vcpu.VcpuInfoAddress;
            Assert.Equal(-XenErrno.ENXIO, RegisterVcpuInfo(g, DataFrame(g), offset));
            Assert.Equal(old, g.Vcpu.VcpuInfoAddress);
        }

        [Fact]
        public void OnlyOnce()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, RegisterVcpuInfo(g, DataFrame(g), 0));
            ulong placed = g.Vcpu.VcpuInfoAddress;
            Assert.Equal(-XenErrno.EINVAL, RegisterVcpuInfo(g, DataFrame(g), 64));
            Assert.Equal(placed, g.Vcpu.VcpuInfoAddress);
        }

        [Fact]
        public void APageTableFrameIsEinval()
        {
            var g = new CpuStateGuest();
            ulong old = g.Vcpu.VcpuInfoAddress;
            Assert.Equal(-XenErrno.EINVAL, RegisterVcpuInfo(g, g.Vcpu.KernelTableFrame, 0));
            Assert.Equal(old, g.Vcpu.VcpuInfoAddress);
        }

        [Fact]
        public void AFrameTheDomainDoesNotOwnIsEinval()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EINVAL, RegisterVcpuInfo(g, g.T.TemplateL4Address / PageSize, 0));   // the hypervisor's
            Assert.Equal(-XenErrno.EINVAL, RegisterVcpuInfo(g, 1UL << 40, 0));                          // beyond RAM
        }

        [Fact]
        public void UnreadableRequestIsEfault()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EFAULT, VcpuOp(g, Abi.VcpuOp.RegisterVcpuInfo, 0, TestDomain.UnmappedAddress));
        }

        private static byte[] Enumerable(int count, byte value)
        {
            var bytes = new byte[count];
            System.Array.Fill(bytes, value);
            return bytes;
        }
    }
}
