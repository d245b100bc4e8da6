using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    public class GuestTrapHandlerTests
    {
        private const ulong Base = PvKernelElfBuilder.VirtBase;
        private const ulong PfHandler = Base + 0x100, GpHandler = Base + 0x200, UdHandler = Base + 0x300;
        private const ulong Int80Handler = Base + 0x400, Int3Handler = Base + 0x500, SyscallHandler = Base + 0x600;

        /// <summary>Code lives in the stack-switch padding (mapped, writable): tests put instructions there.</summary>
        private static ulong Code(TestDomain t) => t.Scratch + 0x1000;

        private static ulong Stack(TestDomain t) => t.Scratch + 0x8000;

        private static TestDomain Running(params byte[] code)
        {
            var t = TestDomain.Create();
            t.Write(Code(t), code.Length > 0 ? code : new byte[] { 0x90 });
            t.SetKernelRegisters(Code(t), Stack(t));
            t.SetUpcallMask(0);
            return t;
        }

        private static void SetTrap(TestDomain t, int vector, ulong address, byte flags = 0) =>
            t.Vcpu.TrapTable[vector] = new TrapTableEntry { Address = address, CodeSelector = FlatSelector.KernelCs, Flags = flags };

        private static void Exit(TestDomain t, int vector, ulong errorCode = 0, ulong cr2 = 0)
        {
            t.Vcpu.Registers.Vector = (ulong)vector;
            t.Vcpu.Registers.ErrorCode = errorCode;
            GuestTrapHandler.Handle(t.Vcpu, cr2);
        }

        private static ulong FrameWord(TestDomain t, int index) => t.Read64(t.Vcpu.Registers.Rsp + (ulong)index * 8);

        // ---- Exceptions ----

        [Fact]
        public void PageFault_GoesToTheHandler_WithTheErrorCode_AndCr2InVcpuInfo()
        {
            var t = Running();
            SetTrap(t, 14, PfHandler);
            Exit(t, 14, 2, 0xDEAD_B000);
            Assert.Equal(PfHandler, t.Vcpu.Registers.Rip);
            Assert.Equal(0xDEAD_B000UL, t.Cr2);
            Assert.Equal(2UL, FrameWord(t, 2));                       // error code after RCX, R11
            Assert.Equal(Code(t), FrameWord(t, 3));                   // the faulting RIP
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void PageFault_FromTheGuestKernel_IsASupervisorFault_FromUserModeAUserOne()
        {
            // The guest kernel runs in ring 3, so the CPU sets the user bit; Xen clears it.
            var t = Running();
            SetTrap(t, 14, PfHandler);
            Exit(t, 14, 4 | 2, 0xDEAD_B000);
            Assert.Equal(2UL, FrameWord(t, 2));

            t = Running();
            SetTrap(t, 14, PfHandler);
            t.Vcpu.KernelStackPointer = t.Scratch + 0x20000;
            t.EnterUserMode();
            Exit(t, 14, 4 | 1, 0x1000);
            Assert.Equal(5UL, FrameWord(t, 2));
        }

        [Fact]
        public void TrapTableFlag_DisableEvents_MasksEvents()
        {
            var t = Running();
            SetTrap(t, 14, PfHandler, TrapInfoFlags.DisableEvents);
            Exit(t, 14, 0, 0x1000);
            Assert.Equal(1, t.UpcallMask);
            Assert.Equal(0UL, FrameWord(t, 4) >> 32);                 // saved mask: was 0

            t = Running();
            SetTrap(t, 14, PfHandler);
            Exit(t, 14, 0, 0x1000);
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void ExceptionWithoutErrorCode_HasNoErrorSlot()
        {
            var t = Running(0xCC);
            SetTrap(t, 3, Int3Handler);
            ulong rsp = t.Vcpu.Registers.Rsp;
            Exit(t, 3);
            Assert.Equal(Int3Handler, t.Vcpu.Registers.Rip);
            Assert.Equal((rsp & ~15UL) - 56, t.Vcpu.Registers.Rsp);
            Assert.Equal(Code(t), FrameWord(t, 2));
        }

        [Fact]
        public void FromUserMode_TheTrapSwitchesToTheKernelStack()
        {
            var t = Running();
            SetTrap(t, 14, PfHandler);
            t.Vcpu.KernelStackPointer = t.Scratch + 0x20000;
            t.EnterUserMode();
            t.Vcpu.Registers.Cs = FlatSelector.UserCs;
            Exit(t, 14, 4, 0x10);
            Assert.True(t.Vcpu.InKernelMode);
            Assert.Equal(t.Scratch + 0x20000 - 64, t.Vcpu.Registers.Rsp);
            Assert.Equal(0xE033UL, FrameWord(t, 4) & 0xFFFF);
        }

        [Fact]
        public void NoHandler_CrashesTheDomain_NamingDomainVcpuVectorAndRip()
        {
            var t = Running();
            Exit(t, 14, 2, 0xBAD0);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Equal((int)ShutdownReason.Crash, t.Domain.ShutdownReason);
            string text = t.ConsoleText;
            Assert.Contains("(HV) Error: domain 0 vCPU 0: unhandled vector 14 #PF", text);
            Assert.Contains("RIP 0x" + Code(t).ToString("x16"), text);
            Assert.Contains("CR2 0x000000000000bad0", text);
            Assert.Contains("registered no handler", text);
            Assert.Contains("domain 0 crashed", text);
        }

        [Fact]
        public void NoHandler_ForADivideError()
        {
            var t = Running();
            Exit(t, 0);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Contains("domain 0 vCPU 0: unhandled vector 0 #DE", t.ConsoleText);
        }

        [Fact]
        public void UnwritableKernelStack_CrashesTheDomain()
        {
            var t = Running();
            SetTrap(t, 14, PfHandler);
            t.Vcpu.Registers.Rsp = TestDomain.UnmappedAddress;
            Exit(t, 14, 0, 0x1000);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Contains("stack cannot take the exception frame", t.ConsoleText);
        }

        [Fact]
        public void DeviceNotAvailable_ClearsTheVirtualTs_AndGoesToTheGuest()
        {
            var t = Running();
            SetTrap(t, 7, UdHandler);
            t.Vcpu.TaskSwitched = true;
            Exit(t, 7);
            Assert.False(t.Vcpu.TaskSwitched);
            Assert.Equal(UdHandler, t.Vcpu.Registers.Rip);
        }

        // ---- int n ----

        [Theory]
        [InlineData(true, 3)]     // kernel, DPL 3
        [InlineData(true, 1)]     // kernel, DPL 1
        [InlineData(false, 3)]    // user, DPL 3
        public void IntN_Permitted_GoesToItsHandlerAfterTheInstruction(bool kernel, byte dpl)
        {
            var t = Running(0xCD, 0x80);
            SetTrap(t, 0x80, Int80Handler, dpl);
            SetTrap(t, 13, GpHandler);
            if (!kernel)
            {
                t.Vcpu.KernelStackPointer = t.Scratch + 0x20000;
                t.EnterUserMode();
            }

            Exit(t, 13, 0x80 * 8 + 2);
            Assert.Equal(Int80Handler, t.Vcpu.Registers.Rip);
            Assert.Equal(Code(t) + 2, FrameWord(t, 2));               // returns after "int $0x80"
            Assert.True(t.Vcpu.InKernelMode);
            Assert.True(t.Domain.IsAlive);
        }

        [Theory]
        [InlineData(true, 0)]     // kernel, DPL 0
        [InlineData(false, 1)]    // user, DPL 1
        [InlineData(false, 2)]
        public void IntN_NotPermitted_GivesGp_WithTheVectorInTheErrorCode(bool kernel, byte dpl)
        {
            var t = Running(0xCD, 0x81);
            SetTrap(t, 0x81, Int80Handler, dpl);
            SetTrap(t, 13, GpHandler);
            if (!kernel)
            {
                t.Vcpu.KernelStackPointer = t.Scratch + 0x20000;
                t.EnterUserMode();
            }

            Exit(t, 13, 0);     // whatever the CPU said: the instruction is decoded
            Assert.Equal(GpHandler, t.Vcpu.Registers.Rip);
            Assert.Equal(0x81UL * 8 + 2, FrameWord(t, 2));
            Assert.Equal(Code(t), FrameWord(t, 3));                   // RIP stays on the int
        }

        [Fact]
        public void IntN_ToAnUnsetVector_GivesGp()
        {
            var t = Running(0xCD, 0x90);
            SetTrap(t, 13, GpHandler);
            Exit(t, 13, 0x90 * 8 + 2);
            Assert.Equal(GpHandler, t.Vcpu.Registers.Rip);
            Assert.Equal(0x90UL * 8 + 2, FrameWord(t, 2));
        }

        [Fact]
        public void GpFromAnotherInstruction_IsBouncedWithItsErrorCode()
        {
            var t = Running(0x0F, 0x01, 0xF8);          // swapgs
            SetTrap(t, 13, GpHandler);
            Exit(t, 13, 0);
            Assert.Equal(GpHandler, t.Vcpu.Registers.Rip);
            Assert.Equal(0UL, FrameWord(t, 2));
            Assert.Equal(Code(t), FrameWord(t, 3));
        }

        [Fact]
        public void GpAtAnUnreadableRip_IsBounced()
        {
            var t = Running();
            SetTrap(t, 13, GpHandler);
            t.Vcpu.Registers.Rip = TestDomain.UnmappedAddress;
            Exit(t, 13, 0);
            Assert.Equal(GpHandler, t.Vcpu.Registers.Rip);
            Assert.Equal(TestDomain.UnmappedAddress, FrameWord(t, 3));
        }

        // ---- Forced-emulation CPUID ----

        [Fact]
        public void ForcedCpuid_SetsTheRegisters_AndSkipsSevenBytes()
        {
            var t = Running(0x0F, 0x0B, (byte)'x', (byte)'e', (byte)'n', 0x0F, 0xA2, 0x90);
            t.Vcpu.Registers.Rax = 0x4000_0000;
            t.Vcpu.Registers.Rcx = 0;
            t.Vcpu.Registers.Rbx = 0x5555;
            Exit(t, 6);
            ref GuestRegisters r = ref t.Vcpu.Registers;
            Assert.Equal(Code(t) + 7, r.Rip);
            Assert.Equal(0x4000_0002UL, r.Rax);
            Assert.Equal(0x566E6558UL, r.Rbx);
            Assert.Equal(0x65584D4DUL, r.Rcx);
            Assert.Equal(0x4D4D566EUL, r.Rdx);
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void ForcedCpuid_UpperHalvesOfRaxAndRcxAreIgnored_AndCleared()
        {
            var t = Running(0x0F, 0x0B, (byte)'x', (byte)'e', (byte)'n', 0x0F, 0xA2);
            t.Vcpu.Registers.Rax = 0xFFFF_FFFF_4000_0001;
            t.Vcpu.Registers.Rcx = 0xFFFF_FFFF_0000_0000;
            Exit(t, 6);
            Assert.Equal(0x40011UL, t.Vcpu.Registers.Rax);
            Assert.Equal(0UL, t.Vcpu.Registers.Rcx);
        }

        [Fact]
        public void PlainUd2_IsBouncedAsUd()
        {
            var t = Running(0x0F, 0x0B, (byte)'x', (byte)'e', (byte)'n', 0x0F, 0xA3);
            SetTrap(t, 6, UdHandler);
            Exit(t, 6);
            Assert.Equal(UdHandler, t.Vcpu.Registers.Rip);
            Assert.Equal(Code(t), FrameWord(t, 2));
        }

        [Fact]
        public void PlainUd2_WithoutHandler_Crashes()
        {
            var t = Running(0x0F, 0x0B, 0x90, 0x90, 0x90, 0x90, 0x90);
            Exit(t, 6);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Contains("unhandled vector 6 #UD", t.ConsoleText);
        }

        // ---- SYSCALL ----

        [Fact]
        public void SyscallFromKernelMode_IsAHypercall()
        {
            var t = Running();
            Assert.Equal(0x40011, t.SyscallHypercall(HypercallNumber.XenVersion, XenVersionCommand.Version));
        }

        [Fact]
        public void SyscallFromUserMode_GoesToTheSyscallCallback()
        {
            var t = Running();
            t.Vcpu.Callbacks[CallbackKind.Syscall] = SyscallHandler;
            t.Vcpu.KernelStackPointer = t.Scratch + 0x20000;
            t.EnterUserMode();
            ref GuestRegisters r = ref t.Vcpu.Registers;
            r.Cs = FlatSelector.UserCs;
            r.Rax = HypercallNumber.XenVersion;                      // not a hypercall from user mode
            r.Rcx = Code(t) + 2;
            r.R11 = 0x202;
            r.Vector = GuestRegisters.SyscallVector;
            GuestTrapHandler.Handle(t.Vcpu, 0);

            Assert.True(t.Vcpu.InKernelMode);
            Assert.Equal(SyscallHandler, r.Rip);
            Assert.Equal((ulong)HypercallNumber.XenVersion, r.Rax);
            Assert.Equal(t.Scratch + 0x20000 - 56, r.Rsp);
            Assert.Equal(Code(t) + 2, FrameWord(t, 0));               // RCX
            Assert.Equal(0x202UL, FrameWord(t, 1));                   // R11
            Assert.Equal(0xE033UL, FrameWord(t, 3) & 0xFFFF);         // from user mode
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void SyscallFromUserMode_CallbackMaskingEvents()
        {
            var t = Running();
            t.Vcpu.Callbacks[CallbackKind.Syscall] = SyscallHandler;
            t.Vcpu.CallbackMasksEvents[CallbackKind.Syscall] = true;
            t.Vcpu.KernelStackPointer = t.Scratch + 0x20000;
            t.EnterUserMode();
            t.Vcpu.Registers.Vector = GuestRegisters.SyscallVector;
            GuestTrapHandler.Handle(t.Vcpu, 0);
            Assert.Equal(SyscallHandler, t.Vcpu.Registers.Rip);
            Assert.Equal(1, t.UpcallMask);
        }

        [Fact]
        public void SyscallFromUserMode_WithoutCallback_CrashesTheDomain()
        {
            var t = Running();
            t.EnterUserMode();
            t.Vcpu.Registers.Vector = GuestRegisters.SyscallVector;
            GuestTrapHandler.Handle(t.Vcpu, 0);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Contains("domain 0 vCPU 0: SYSCALL from guest user mode, but the guest registered no syscall callback", t.ConsoleText);
        }
    }
}
