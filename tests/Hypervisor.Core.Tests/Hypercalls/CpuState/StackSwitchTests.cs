using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>stack_switch: the stack a trap from guest user mode lands on.</summary>
    public class StackSwitchTests
    {
        [Fact]
        public void StoresTheStackAndSucceeds()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.StackSwitch, FlatSelector.KernelSs, g.KernelStackTop));
            Assert.Equal((ulong)FlatSelector.KernelSs, g.Vcpu.KernelStackSegment);
            Assert.Equal(g.KernelStackTop, g.Vcpu.KernelStackPointer);
        }

        [Theory]
        [InlineData(0xE028UL, 0xE02BUL)]   // RPL 0 asks for ring 0: the guest kernel runs in ring 3
        [InlineData(0xE029UL, 0xE02BUL)]
        [InlineData(0xE02AUL, 0xE02BUL)]
        [InlineData(0xE02BUL, 0xE02BUL)]
        [InlineData(0UL, 3UL)]
        [InlineData(0x1_0000_E028UL, 0xE02BUL)]   // only the 16-bit selector counts
        public void SelectorGetsRingThree(ulong ss, ulong expected)
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.StackSwitch, ss, g.KernelStackTop));
            Assert.Equal(expected, g.Vcpu.KernelStackSegment);
        }

        [Fact]
        public void TrapFromUserModeLandsOnTheNamedStack()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.StackSwitch, FlatSelector.KernelSs, g.KernelStackTop));
            g.InstallHandler(3);
            g.T.EnterUserMode();
            g.Regs.Rsp = g.Data;   // the user stack: must not be used

            GuestTrapHandler.Bounce(g.Vcpu, 3, false, 0);

            Assert.True(g.Vcpu.InKernelMode);
            Assert.Equal(g.Handler(3), g.Regs.Rip);
            Assert.True(g.Regs.Rsp < g.KernelStackTop && g.Regs.Rsp >= g.KernelStackTop - 64);
            Assert.Equal(g.Data, g.T.Read64(g.Regs.Rsp + 5 * 8));   // saved RSP: the user stack
        }
    }
}
