using System;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class PhysicalMemoryTests
    {
        [Fact]
        public void DefaultWideReads_AreLittleEndianCompositionsOfRead8()
        {
            var memory = new Mock<PhysicalMemory> { CallBase = true };
            memory.Setup(m => m.Read8(It.IsAny<ulong>())).Returns((ulong a) => (byte)(0x10 + (a - 0x1000)));

            Assert.Equal(0x1110, memory.Object.Read16(0x1000));
            Assert.Equal(0x13121110u, memory.Object.Read32(0x1000));
            Assert.Equal(0x1716151413121110UL, memory.Object.Read64(0x1000));
        }

        [Fact]
        public void TryCopy_RefusesUnreadableRange_WithoutReading()
        {
            var memory = new Mock<PhysicalMemory>(MockBehavior.Strict);
            memory.Setup(m => m.IsReadable(0x5000, 4)).Returns(false);
            var buffer = new byte[4];
            Assert.False(memory.Object.TryCopy(0x5000, buffer));
            memory.Verify(m => m.Read8(It.IsAny<ulong>()), Times.Never);
        }

        [Fact]
        public void TryCopy_CopiesReadableRange()
        {
            var memory = new FakeMemory().Map(0x100, 16);
            memory.WriteBytes(0x104, new byte[] { 9, 8, 7 });
            var buffer = new byte[3];
            Assert.True(memory.TryCopy(0x104, buffer));
            Assert.Equal(new byte[] { 9, 8, 7 }, buffer);
        }
    }
}
