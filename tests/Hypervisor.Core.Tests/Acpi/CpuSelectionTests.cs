using Hypervisor.Core.Acpi;
using Xunit;

namespace Hypervisor.Core.Tests.Acpi
{
    public class CpuSelectionTests
    {
        private const uint XApicHighest = 254;

        private static MadtProcessor Cpu(uint id, bool enabled = true, bool x2 = false) => new MadtProcessor(id, id, enabled, false, x2);

        private static uint[] Chosen(CpuSelection s)
        {
            var ids = new uint[s.Count];
            System.Array.Copy(s.ApicIds, ids, s.Count);
            return ids;
        }

        [Fact]
        public void BootCpuComesFirst_ThenTheOthersInTableOrder()
        {
            var s = CpuSelection.Choose(new[] { Cpu(0), Cpu(1), Cpu(2), Cpu(3) }, 2, 0, 64, XApicHighest);
            Assert.Equal(new uint[] { 2, 0, 1, 3 }, Chosen(s));
            Assert.True(s.BootCpuListed);
            Assert.Equal(0, s.LeftOutByOption + s.LeftOutByCapacity + s.Unreachable + s.Duplicates);
        }

        [Fact]
        public void DisabledProcessors_AreNotChosen()
        {
            var s = CpuSelection.Choose(new[] { Cpu(0), Cpu(1, enabled: false), Cpu(2) }, 0, 0, 64, XApicHighest);
            Assert.Equal(new uint[] { 0, 2 }, Chosen(s));
        }

        [Fact]
        public void TheBootCpu_IsChosenEvenWhenTheTableSaysDisabled_OrOmitsIt()
        {
            var s = CpuSelection.Choose(new[] { Cpu(0, enabled: false), Cpu(1) }, 0, 0, 64, XApicHighest);
            Assert.Equal(new uint[] { 0, 1 }, Chosen(s));
            var missing = CpuSelection.Choose(new[] { Cpu(1), Cpu(2) }, 7, 0, 64, XApicHighest);
            Assert.Equal(new uint[] { 7, 1, 2 }, Chosen(missing));
            Assert.False(missing.BootCpuListed);
        }

        [Fact]
        public void NoMadt_MeansTheBootCpuAlone()
        {
            var s = CpuSelection.Choose(new MadtProcessor[0], 3, 0, 64, XApicHighest);
            Assert.Equal(new uint[] { 3 }, Chosen(s));
            Assert.False(s.BootCpuListed);
        }

        [Fact]
        public void X2ApicIdsBeyondXApicReach_AreLeftOut_SmallOnesAreUsed()
        {
            var s = CpuSelection.Choose(new[] { Cpu(0), Cpu(5, x2: true), Cpu(255, x2: true), Cpu(300, x2: true) }, 0, 0, 64, XApicHighest);
            Assert.Equal(new uint[] { 0, 5 }, Chosen(s));
            Assert.Equal(2, s.Unreachable);
        }

        [Fact]
        public void AnIdListedTwice_IsOneCpu()
        {
            var s = CpuSelection.Choose(new[] { Cpu(0), Cpu(1), Cpu(1, x2: true), Cpu(0, x2: true) }, 0, 0, 64, XApicHighest);
            Assert.Equal(new uint[] { 0, 1 }, Chosen(s));
            Assert.Equal(2, s.Duplicates);
        }

        [Theory]
        [InlineData(1, new uint[] { 0 }, 3)]
        [InlineData(2, new uint[] { 0, 1 }, 2)]
        [InlineData(4, new uint[] { 0, 1, 2, 3 }, 0)]
        [InlineData(9, new uint[] { 0, 1, 2, 3 }, 0)]
        public void OptionLimit_CountsTheBootCpu(int limit, uint[] expected, int leftOut)
        {
            var s = CpuSelection.Choose(new[] { Cpu(0), Cpu(1), Cpu(2), Cpu(3) }, 0, limit, 64, XApicHighest);
            Assert.Equal(expected, Chosen(s));
            Assert.Equal(leftOut, s.LeftOutByOption);
            Assert.Equal(0, s.LeftOutByCapacity);
        }

        [Fact]
        public void Capacity_IsReportedApartFromTheOption()
        {
            var s = CpuSelection.Choose(new[] { Cpu(0), Cpu(1), Cpu(2), Cpu(3) }, 0, 8, 2, XApicHighest);
            Assert.Equal(new uint[] { 0, 1 }, Chosen(s));
            Assert.Equal(0, s.LeftOutByOption);
            Assert.Equal(2, s.LeftOutByCapacity);
        }
    }
}
