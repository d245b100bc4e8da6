using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>The few helpers the ABI carries: ring sizing and notification, console masking, and
    /// vcpu_info addressing in shared_info.</summary>
    public unsafe class RingArithmeticTests
    {
        [Theory]
        [InlineData(4096u, 112u, 32u)]  // blkif: 36 fit, rounded down to 32
        [InlineData(4096u, 12u, 256u)]  // netif tx: 336 fit
        [InlineData(4096u, 4032u, 1u)]
        [InlineData(4096u, 4033u, 0u)]
        [InlineData(32u, 8u, 0u)]
        public void Entry_count_is_the_largest_power_of_two_that_fits(uint ringBytes, uint entrySize, uint expected)
        {
            Assert.Equal(expected, SharedRingHeader.EntryCount(ringBytes, entrySize));
        }

        [Theory]
        [InlineData(10u, 12u, 11u, true)]    // consumer asked to hear about index 11
        [InlineData(10u, 12u, 13u, false)]   // consumer does not need to hear yet
        [InlineData(10u, 12u, 10u, false)]   // event index already passed before this push
        [InlineData(0xFFFFFFFEu, 1u, 0xFFFFFFFFu, true)] // across the wrap
        public void Producer_notifies_only_when_it_crosses_the_event_index(uint oldProd, uint newProd, uint eventIndex, bool expected)
        {
            Assert.Equal(expected, SharedRingHeader.NeedsNotify(oldProd, newProd, eventIndex));
        }

        [Fact]
        public void Console_indexes_wrap_at_ring_size()
        {
            Assert.Equal(3u, ConsoleInterface.MaskIn(1027));
            Assert.Equal(5u, ConsoleInterface.MaskOut(2053));
        }

        [Fact]
        public void Vcpu_info_of_vcpu_n_is_64_bytes_per_vcpu_into_shared_info()
        {
            SharedInfo* shared = (SharedInfo*)0x10000;
            Assert.Equal(0x10000 + 3 * 64, (long)SharedInfo.VcpuInfoOf(shared, 3));
        }
    }
}
