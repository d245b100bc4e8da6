using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Events
{
    /// <summary>
    /// The guest's other vCPUs change the event words at the same time as the hypervisor (clearing
    /// pending bits and selectors, masking ports): the hypervisor sets and clears its bits with
    /// indivisible operations and never writes back a word it read, so a guest's change is never lost.
    /// </summary>
    public class ConcurrentEventBitsTests
    {
        private const ulong Shared = 0x4000;
        private const ulong PendingWord3 = Shared + SharedInfo.EvtchnPendingOffset + 3 * 8;
        private const ulong MaskWord3 = Shared + SharedInfo.EvtchnMaskOffset + 3 * 8;
        private const ulong Selector = Shared + 8;

        private static (Domain D, ConcurrentGuestMemory M) New()
        {
            var memory = new ConcurrentGuestMemory(new FakeMemory().Map(0, 0x10000));
            var host = new Host(memory, null, CapturingSink.NewLog().Log, new Mock<HostPlatform>().Object);
            var domain = new Domain(host, 3, false, 1) { SharedInfoAddress = Shared };
            domain.Vcpus[0].VcpuInfoAddress = Shared;
            return (domain, memory);
        }

        [Fact]
        public void SetPendingSetsThePendingBitAndTheSelectorIndivisibly()
        {
            var (d, m) = New();
            TwoLevelEvents.SetPending(d, 0, 200);                 // word 3, bit 8
            Assert.Contains(PendingWord3, m.IndivisibleOperations);
            Assert.Contains(Selector, m.IndivisibleOperations);
            Assert.DoesNotContain(PendingWord3, m.PlainWrites);
            Assert.DoesNotContain(Selector, m.PlainWrites);
        }

        [Fact]
        public void APendingBitTheGuestClearsAtTheSameMomentIsNotWrittenBack()
        {
            var (d, m) = New();
            TwoLevelEvents.SetPending(d, 0, 193);                 // word 3, bit 1: pending
            m.GuestGetsThereFirst = (ram, address) => ram.Write64(address, ram.Read64(address) & ~(1UL << 1));   // guest handles port 193

            TwoLevelEvents.SetPending(d, 0, 200);

            Assert.Equal(1UL << 8, m.Read64(PendingWord3));       // port 193 stays handled
        }

        [Fact]
        public void UnmaskClearsTheMaskBitIndivisiblyAndKeepsTheGuestsNewMask()
        {
            var (d, m) = New();
            m.Write64(MaskWord3, 1UL << 8);                        // port 200 masked
            m.GuestGetsThereFirst = (ram, address) => ram.Write64(address, ram.Read64(address) | (1UL << 9));   // guest masks 201

            TwoLevelEvents.Unmask(d, 0, 200);

            Assert.Equal(1UL << 9, m.Read64(MaskWord3));
            Assert.Contains(MaskWord3, m.IndivisibleOperations);
        }

        [Fact]
        public void ClosingAPortClearsItsPendingBitIndivisibly()
        {
            var (d, m) = New();
            m.Write64(PendingWord3, (1UL << 8) | (1UL << 9));
            m.PlainWrites.Clear();
            TwoLevelEvents.ClearPending(d, 200);
            Assert.Equal(1UL << 9, m.Read64(PendingWord3));
            Assert.DoesNotContain(PendingWord3, m.PlainWrites);
        }
    }
}
