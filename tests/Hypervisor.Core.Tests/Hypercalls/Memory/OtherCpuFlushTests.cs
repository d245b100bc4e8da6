using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;
using static Hypervisor.Core.Tests.Hypercalls.Memory.MmuKit;
using C = Hypervisor.Abi.MmuextCommand;
using F = Hypervisor.Abi.UpdateVaMappingFlags;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    /// <summary>
    /// TLBs of the other CPUs (<see cref="HostPlatform.FlushOtherCpus"/>): a guest's *_ALL flushes, and
    /// *_MULTI ones naming another of its vCPUs, reach the CPUs that run its tables; LOCAL ones and a
    /// bitmap naming only the caller do not. A frame that starts a new use (another type, or back to the
    /// allocator) after an entry was dropped has every other CPU flushed first, once.
    /// </summary>
    public class OtherCpuFlushTests
    {
        private static MmuKit New()
        {
            var k = new MmuKit(vcpus: 2);
            k.Frames.ClearTlbFlushPending();
            k.ClearPlatformCalls();
            return k;
        }

        private static void AssertOthersFlushed(MmuKit k, bool flushed) =>
            k.Platform.Verify(p => p.FlushOtherCpus(k.Domain), flushed ? Times.Once() : Times.Never());

        [Theory]
        [InlineData(C.TlbFlushLocal, false)]
        [InlineData(C.TlbFlushAll, true)]
        [InlineData(C.InvlpgLocal, false)]
        [InlineData(C.InvlpgAll, true)]
        public void MmuextFlushesOfTheWholeDomainReachItsOtherCpus(uint command, bool others)
        {
            var k = New();
            Assert.Equal(0, k.Mmuext((command, k.SparePage(0), 0)));
            AssertOthersFlushed(k, others);
        }

        [Theory]
        [InlineData(1UL, false)]    // the caller (vCPU 0) only
        [InlineData(2UL, true)]     // vCPU 1
        [InlineData(3UL, true)]
        public void MultiFlushesReachOtherCpusWhenTheyNameAnotherVcpu(ulong bits, bool others)
        {
            foreach (uint command in new[] { C.TlbFlushMulti, C.InvlpgMulti })
            {
                var k = New();
                ulong bitmap = k.Args(2);
                k.T.Write64(bitmap, bits);
                k.ClearPlatformCalls();
                Assert.Equal(0, k.Mmuext((command, k.SparePage(0), bitmap)));
                AssertOthersFlushed(k, others);
            }
        }

        [Theory]
        [InlineData(F.Invlpg | F.Local, false)]
        [InlineData(F.TlbFlush | F.Local, false)]
        [InlineData(F.Invlpg | F.All, true)]
        [InlineData(F.TlbFlush | F.All, true)]
        public void UpdateVaMappingFlushesOtherCpusForAll(ulong flags, bool others)
        {
            var k = New();
            Assert.Equal(0, k.Call(HypercallNumber.UpdateVaMapping, k.SparePage(0), PageTableEntry.Make(k.FreeFrame(0), P), flags));
            AssertOthersFlushed(k, others);
        }

        [Theory]
        [InlineData(1UL, false)]
        [InlineData(2UL, true)]
        public void UpdateVaMappingMultiFollowsTheBitmap(ulong bits, bool others)
        {
            var k = New();
            ulong bitmap = k.Args(2);
            k.T.Write64(bitmap, bits);
            k.ClearPlatformCalls();
            Assert.Equal(0, k.Call(HypercallNumber.UpdateVaMapping, k.SparePage(0), PageTableEntry.Make(k.FreeFrame(0), P), F.Invlpg | bitmap));
            AssertOthersFlushed(k, others);
        }

        [Fact]
        public void AFrameChangingTypeAfterADroppedMappingFlushesEveryOtherCpuFirst()
        {
            var k = New();
            ulong va = k.SparePage(0);
            ulong frame = k.FrameMappedAt(va);
            PageType typeSeenAtFlush = PageType.None;
            k.Platform.Setup(p => p.FlushOtherCpus(null)).Callback(() => typeSeenAtFlush = k.Frames.TypeOf(frame));

            // The writable mapping goes (another CPU may still have it in its TLB), then the frame is pinned
            // as a page table: the others are flushed before the frame is validated as one.
            Assert.Equal(0, k.Call(HypercallNumber.UpdateVaMapping, va, 0, F.None));
            k.Platform.Verify(p => p.FlushOtherCpus(null), Times.Never());
            Assert.Equal(0, k.Mmuext((C.PinL1Table, frame, 0)));

            k.Platform.Verify(p => p.FlushOtherCpus(null), Times.Once());
            Assert.Equal(PageType.Writable, typeSeenAtFlush);
            Assert.Equal(PageType.L1, k.Frames.TypeOf(frame));
        }

        [Fact]
        public void WithoutADroppedMappingATypeChangeTellsNoOtherCpu()
        {
            var k = New();
            ulong frame = k.FreeFrame(0);   // never mapped
            Assert.Equal(0, k.Mmuext((C.PinL1Table, frame, 0), (C.UnpinTable, frame, 0), (C.PinL2Table, frame, 0)));
            k.Platform.Verify(p => p.FlushOtherCpus(It.IsAny<Domain>()), Times.Never());
        }

        [Fact]
        public void ReleasingFramesAfterDroppedMappingsFlushesTheOtherCpusOnce()
        {
            var k = New();
            ulong first = k.FrameMappedAt(k.SparePage(0)), second = k.FrameMappedAt(k.SparePage(1));
            Assert.Equal(0, k.Call(HypercallNumber.UpdateVaMapping, k.SparePage(0), 0, F.None));
            Assert.Equal(0, k.Call(HypercallNumber.UpdateVaMapping, k.SparePage(1), 0, F.None));
            k.ClearPlatformCalls();

            k.Frames.PutPage(first);     // the domain's own reference, as decrease_reservation drops it
            k.Frames.PutPage(second);
            Assert.Equal(0, k.Frames.Release(first));
            Assert.Equal(0, k.Frames.Release(second));

            k.Platform.Verify(p => p.FlushOtherCpus(null), Times.Once());
            Assert.True(k.Frames.TlbFlushPending);   // and this CPU's own flush is still owed
        }
    }
}
