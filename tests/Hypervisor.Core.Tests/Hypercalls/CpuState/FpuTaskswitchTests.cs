using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>fpu_taskswitch: the guest's virtual CR0.TS.</summary>
    public class FpuTaskswitchTests
    {
        [Fact]
        public void SetAndClear()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.FpuTaskswitch, 1));
            Assert.True(g.Vcpu.TaskSwitched);
            Assert.Equal(0, g.Call(HypercallNumber.FpuTaskswitch, 0));
            Assert.False(g.Vcpu.TaskSwitched);
        }

        [Theory]
        [InlineData(2UL, true)]
        [InlineData(0xFFFF_FFFFUL, true)]
        [InlineData(0x1_0000_0000UL, false)]   // "int set": the upper half is not looked at
        public void AnyNonZeroIntSets(ulong set, bool expected)
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.FpuTaskswitch, set));
            Assert.Equal(expected, g.Vcpu.TaskSwitched);
        }

        [Fact]
        public void TheNextFpuUseRaisesDeviceNotAvailableInTheGuestOnce()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.FpuTaskswitch, 1));
            g.InstallHandler(7);
            g.Regs.Vector = 7;

            GuestTrapHandler.Handle(g.Vcpu, 0);

            Assert.Equal(g.Handler(7), g.Regs.Rip);
            Assert.False(g.Vcpu.TaskSwitched);
        }
    }
}
