using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>callback_op and set_callbacks: the guest kernel's entry points.</summary>
    public class CallbackTests
    {
        private const ulong NonCanonical = 0x0000_8000_0000_0000UL;

        private static long Register(CpuStateGuest g, ushort type, ushort flags, ulong address)
        {
            var request = new CallbackRegister { Type = type, Flags = flags, Address = address };
            g.T.WriteStruct(g.Args, request);
            return g.Call(HypercallNumber.CallbackOp, CallbackOp.Register, g.Args);
        }

        private static long Unregister(CpuStateGuest g, ushort type)
        {
            g.T.WriteStruct(g.Args, new CallbackUnregister { Type = type });
            return g.Call(HypercallNumber.CallbackOp, CallbackOp.Unregister, g.Args);
        }

        [Theory]
        [InlineData(CallbackType.Failsafe, CallbackKind.Failsafe)]
        [InlineData(CallbackType.Syscall, CallbackKind.Syscall)]
        [InlineData(CallbackType.Syscall32, CallbackKind.Syscall32)]
        [InlineData(CallbackType.Sysenter, CallbackKind.Sysenter)]
        public void RegisterStoresAddressAndMaskFlag(ushort type, int kind)
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, Register(g, type, CallbackFlags.MaskEvents, g.Handler(1)));
            Assert.Equal(g.Handler(1), g.Vcpu.Callbacks[kind]);
            Assert.True(g.Vcpu.CallbackMasksEvents[kind]);

            Assert.Equal(0, Register(g, type, 0, g.Handler(2)));
            Assert.Equal(g.Handler(2), g.Vcpu.Callbacks[kind]);
            Assert.False(g.Vcpu.CallbackMasksEvents[kind]);
        }

        [Fact]
        public void EventCallbackAlwaysMasksEvents()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, Register(g, CallbackType.Event, 0, g.Handler(1)));
            Assert.Equal(g.Handler(1), g.Vcpu.Callbacks[CallbackKind.Event]);
            Assert.True(g.Vcpu.CallbackMasksEvents[CallbackKind.Event]);
        }

        [Fact]
        public void SyscallFromUserModeEntersTheCallbackWithEventsMaskedWhenAsked()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.StackSwitch, FlatSelector.KernelSs, g.KernelStackTop));
            Assert.Equal(0, Register(g, CallbackType.Syscall, CallbackFlags.MaskEvents, g.Handler(1)));
            g.T.SetUpcallMask(0);
            g.T.EnterUserMode();
            g.Regs.Vector = GuestRegisters.SyscallVector;

            GuestTrapHandler.Handle(g.Vcpu, 0);

            Assert.True(g.Domain.IsAlive);
            Assert.Equal(g.Handler(1), g.Regs.Rip);
            Assert.True(g.Vcpu.InKernelMode);
            Assert.Equal(1, g.T.UpcallMask);
        }

        [Fact]
        public void NmiCallbackIsTheTrapTableEntryForVectorTwo()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, Register(g, CallbackType.Nmi, 0, g.Handler(2)));
            TrapTableEntry entry = g.Vcpu.TrapTable[2];
            Assert.Equal(g.Handler(2), entry.Address);
            Assert.Equal(FlatSelector.KernelCs, entry.CodeSelector);
            Assert.Equal(TrapInfoFlags.DisableEvents, entry.Flags);
            Assert.Equal(g.Handler(2), g.Vcpu.Callbacks[CallbackKind.Nmi]);

            Assert.Equal(0, Unregister(g, CallbackType.Nmi));
            Assert.False(g.Vcpu.TrapTable[2].IsSet);
            Assert.Equal(0UL, g.Vcpu.Callbacks[CallbackKind.Nmi]);
        }

        [Theory]
        [InlineData(CallbackType.Event)]
        [InlineData(CallbackType.Failsafe)]
        [InlineData(CallbackType.Syscall)]
        [InlineData(CallbackType.Syscall32)]
        [InlineData(CallbackType.Sysenter)]
        public void OnlyTheNmiCallbackCanBeUnregistered(ushort type)
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, Register(g, type, 0, g.Handler(1)));
            Assert.Equal(-XenErrno.EINVAL, Unregister(g, type));
        }

        [Theory]
        [InlineData((ushort)3)]    // sysenter_deprecated: 32-bit Xen only
        [InlineData((ushort)6)]
        [InlineData((ushort)8)]
        [InlineData((ushort)0xFFFF)]
        public void UnknownTypesAreEnosys(ushort type)
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.ENOSYS, Register(g, type, 0, g.Handler(1)));
            Assert.Equal(-XenErrno.ENOSYS, Unregister(g, type));
        }

        [Theory]
        [InlineData(CallbackType.Event)]
        [InlineData(CallbackType.Nmi)]
        [InlineData((ushort)6)]   // the address is judged before the type
        public void NonCanonicalAddressIsEinval(ushort type)
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EINVAL, Register(g, type, 0, NonCanonical));
            Assert.Equal(0UL, g.Vcpu.Callbacks[CallbackKind.Event]);
            Assert.False(g.Vcpu.TrapTable[2].IsSet);
        }

        [Fact]
        public void UnreadableArgumentIsEfault()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.CallbackOp, CallbackOp.Register, TestDomain.UnmappedAddress));
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.CallbackOp, CallbackOp.Unregister, TestDomain.UnmappedAddress));
        }

        [Fact]
        public void UnknownCommandIsEnosys()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.ENOSYS, g.Call(HypercallNumber.CallbackOp, 2, g.Args));
        }

        [Fact]
        public void SetCallbacksRegistersAllThreeWithoutFlags()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, Register(g, CallbackType.Syscall, CallbackFlags.MaskEvents, g.Handler(9)));
            Assert.Equal(0, Register(g, CallbackType.Failsafe, CallbackFlags.MaskEvents, g.Handler(9)));

            Assert.Equal(0, g.Call(HypercallNumber.SetCallbacks, g.Handler(1), g.Handler(2), g.Handler(3)));

            Assert.Equal(g.Handler(1), g.Vcpu.Callbacks[CallbackKind.Event]);
            Assert.Equal(g.Handler(2), g.Vcpu.Callbacks[CallbackKind.Failsafe]);
            Assert.Equal(g.Handler(3), g.Vcpu.Callbacks[CallbackKind.Syscall]);
            Assert.False(g.Vcpu.CallbackMasksEvents[CallbackKind.Failsafe]);
            Assert.False(g.Vcpu.CallbackMasksEvents[CallbackKind.Syscall]);
        }

        [Fact]
        public void SetCallbacksSkipsNonCanonicalAddressesAndStillSucceeds()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.SetCallbacks, NonCanonical, g.Handler(2), NonCanonical));
            Assert.Equal(0UL, g.Vcpu.Callbacks[CallbackKind.Event]);
            Assert.Equal(g.Handler(2), g.Vcpu.Callbacks[CallbackKind.Failsafe]);
            Assert.Equal(0UL, g.Vcpu.Callbacks[CallbackKind.Syscall]);
        }
    }
}
