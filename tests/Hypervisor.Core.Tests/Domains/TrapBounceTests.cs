using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>
    /// The exception frame a 64-bit PV kernel's handlers read: { RCX, R11, [error code], RIP, CS, RFLAGS,
    /// RSP, SS } below the 16-byte aligned stack top, the saved event mask in bits 32-39 of the CS slot.
    /// </summary>
    public class TrapBounceTests
    {
        private const ulong Handler = PvKernelElfBuilder.VirtBase + 0x800;
        private const ulong Rip = PvKernelElfBuilder.VirtBase + 0x123;

        /// <summary>A domain running kernel code with RSP somewhere in the stack-switch padding.</summary>
        private static TestDomain Running(ulong rspOffset = 0x8000)
        {
            var t = TestDomain.Create();
            t.SetKernelRegisters(Rip, t.Scratch + rspOffset);
            ref GuestRegisters r = ref t.Vcpu.Registers;
            r.Rcx = 0xC0C0;
            r.R11 = 0x1111;
            r.Rax = 0xAAAA;
            t.SetUpcallMask(0);
            return t;
        }

        private static ulong[] Frame(TestDomain t, int words)
        {
            byte[] bytes = t.Read(t.Vcpu.Registers.Rsp, words * 8);
            var frame = new ulong[words];
            for (int i = 0; i < words; i++)
            {
                frame[i] = BitConverter.ToUInt64(bytes, i * 8);
            }

            return frame;
        }

        [Theory]
        [InlineData(0x8000UL)]
        [InlineData(0x8008UL)]     // misaligned stack: rounded down first
        [InlineData(0x800FUL)]
        public void FromKernel_FrameWithoutErrorCode(ulong rspOffset)
        {
            var t = Running(rspOffset);
            ulong rsp = t.Vcpu.Registers.Rsp;
            t.Vcpu.Registers.Rflags = GuestRegisters.InterruptFlag | GuestRegisters.ReservedFlag | (1UL << 8) | (1UL << 18);   // TF, AC
            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, Handler, false, false, 0));

            ref GuestRegisters r = ref t.Vcpu.Registers;
            ulong top = rsp & ~15UL;
            Assert.Equal(top - 56, r.Rsp);
            ulong[] f = Frame(t, 7);
            Assert.Equal(0xC0C0UL, f[0]);                              // RCX
            Assert.Equal(0x1111UL, f[1]);                              // R11
            Assert.Equal(Rip, f[2]);                                   // RIP
            Assert.Equal(0xE030UL, f[3]);                              // CS: RPL 0 from the kernel, mask 0
            Assert.NotEqual(0UL, f[4] & GuestRegisters.InterruptFlag);// RFLAGS.IF = events enabled
            Assert.NotEqual(0UL, f[4] & (1UL << 8));                   // the saved RFLAGS keeps TF
            Assert.Equal(rsp, f[5]);                                   // RSP before the trap
            Assert.Equal(0xE02BUL, f[6]);                              // SS

            Assert.Equal(Handler, r.Rip);
            Assert.Equal(0xE033UL, r.Cs);
            Assert.Equal(0xE02BUL, r.Ss);
            Assert.Equal(0UL, r.Rflags & ((1UL << 8) | (1UL << 18)));    // TF, AC cleared for the handler
            Assert.True(t.Vcpu.InKernelMode);
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void TheHandlerStartsWithRcxAndR11AsSysretLeavesThem()
        {
            // Xen returns from every bounce with SYSRET: RCX = the handler's address, R11 = the RFLAGS
            // it runs with (which lets our exit path use SYSRET too).
            var t = Running();
            t.Vcpu.Registers.Rflags = GuestRegisters.InterruptFlag | GuestRegisters.ReservedFlag | 1UL | (1UL << 8);   // CF, TF
            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, Handler, true, false, 0));

            ref GuestRegisters r = ref t.Vcpu.Registers;
            Assert.Equal(Handler, r.Rcx);
            Assert.Equal(r.Rflags, r.R11);
            Assert.Equal(GuestRegisters.InterruptFlag | GuestRegisters.ReservedFlag | 1UL, r.R11);   // CF kept, TF cleared
        }

        [Fact]
        public void FromKernel_FrameWithErrorCode()
        {
            var t = Running();
            ulong rsp = t.Vcpu.Registers.Rsp;
            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, Handler, false, true, 0x1B));
            Assert.Equal((rsp & ~15UL) - 64, t.Vcpu.Registers.Rsp);
            ulong[] f = Frame(t, 8);
            Assert.Equal(new ulong[] { 0xC0C0, 0x1111, 0x1B, Rip, 0xE030 }, f[..5]);
            Assert.Equal(rsp, f[6]);
            Assert.Equal(0xE02BUL, f[7]);
            Assert.Equal(0UL, t.Vcpu.Registers.Rsp % 16);
        }

        [Fact]
        public void SavedMask_GoesInBits32To39OfCs_AndIfIsItsInverse()
        {
            var t = Running();
            t.SetUpcallMask(1);
            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, Handler, false, false, 0));
            ulong[] f = Frame(t, 7);
            Assert.Equal(0xE030UL | (1UL << 32), f[3]);
            Assert.Equal(0UL, f[4] & GuestRegisters.InterruptFlag);
            Assert.Equal(1, t.UpcallMask);
        }

        [Fact]
        public void DisableEvents_SetsTheMask_TheFrameKeepsTheOldOne()
        {
            var t = Running();
            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, Handler, true, false, 0));
            Assert.Equal(1, t.UpcallMask);
            ulong[] f = Frame(t, 7);
            Assert.Equal(0xE030UL, f[3]);
            Assert.NotEqual(0UL, f[4] & GuestRegisters.InterruptFlag);
        }

        [Fact]
        public void SavedRflags_DropsIopl_UnlessArchitecturalIoplIsOn()
        {
            var t = Running();
            t.Vcpu.Registers.Rflags |= GuestRegisters.IoplMask;
            TrapBounce.Deliver(t.Vcpu, Handler, false, false, 0);
            Assert.Equal(0UL, Frame(t, 7)[4] & GuestRegisters.IoplMask);

            t = Running();
            t.Domain.VmAssist |= 1UL << VmAssistType.ArchitecturalIopl;
            t.Vcpu.IoPrivilegeLevel = 3;
            TrapBounce.Deliver(t.Vcpu, Handler, false, false, 0);
            Assert.Equal(GuestRegisters.IoplMask, Frame(t, 7)[4] & GuestRegisters.IoplMask);
        }

        [Fact]
        public void FromUser_SwitchesToKernelModeAndTheStackSwitchStack()
        {
            var t = Running();
            ulong kernelStack = t.Scratch + 0x4000;
            t.Vcpu.KernelStackPointer = kernelStack;
            t.EnterUserMode();
            ulong userRsp = t.Scratch + 0x9000 + 8;
            t.Vcpu.Registers.Rsp = userRsp;
            t.Vcpu.Registers.Cs = FlatSelector.UserCs;

            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, Handler, false, true, 4));
            Assert.True(t.Vcpu.InKernelMode);
            Assert.Equal(kernelStack - 64, t.Vcpu.Registers.Rsp);
            ulong[] f = Frame(t, 8);
            Assert.Equal(4UL, f[2]);
            Assert.Equal(0xE033UL, f[4]);                              // RPL 3: came from user mode
            Assert.Equal(userRsp, f[6]);                               // the user stack
            Assert.Equal(Handler, t.Vcpu.Registers.Rip);
            Assert.Equal(0xE033UL, t.Vcpu.Registers.Cs);
        }

        [Fact]
        public void NoHandler()
        {
            var t = Running();
            GuestRegisters before = t.Vcpu.Registers;
            Assert.Equal(TrapBounce.Outcome.NoHandler, TrapBounce.Deliver(t.Vcpu, 0, true, false, 0));
            Assert.Equal(before, t.Vcpu.Registers);
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void UnwritableStack_NothingChanges()
        {
            var t = Running();
            t.Vcpu.Registers.Rsp = t.Layout.PageTablesStart + 0x100;      // read-only
            GuestRegisters before = t.Vcpu.Registers;
            Assert.Equal(TrapBounce.Outcome.StackNotWritable, TrapBounce.Deliver(t.Vcpu, Handler, true, false, 0));
            Assert.Equal(before, t.Vcpu.Registers);
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void UnwritableKernelStack_FromUser_StaysInUserMode()
        {
            var t = Running();
            t.Vcpu.KernelStackPointer = 0;                     // stack_switch never called
            t.EnterUserMode();
            Assert.Equal(TrapBounce.Outcome.StackNotWritable, TrapBounce.Deliver(t.Vcpu, Handler, false, false, 0));
            Assert.False(t.Vcpu.InKernelMode);
        }
        // Xen's mode toggle loads the new tables at once; the frame write then reaches the kernel stack
        // through them (the arch layer copies through the loaded tables).
        [Fact]
        public void FromUser_LoadsTheKernelTablesWhenItSwitchesMode()
        {
            var t = Running();
            t.Vcpu.KernelStackPointer = t.Scratch + 0x4000;
            t.EnterUserMode();
            t.Platform.Invocations.Clear();

            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, Handler, false, false, 0));
            t.Platform.Verify(p => p.LoadGuestTables(t.Vcpu.KernelTableFrame), Times.Once());
        }

        [Fact]
        public void FromUser_UnwritableKernelStack_LoadsTheUserTablesBack()
        {
            var t = Running();
            t.Vcpu.KernelStackPointer = 0;
            ulong userTables = t.Vcpu.KernelTableFrame + 1;   // never walked: the bounce fails in kernel mode
            t.EnterUserMode(userTables);
            t.Platform.Invocations.Clear();

            Assert.Equal(TrapBounce.Outcome.StackNotWritable, TrapBounce.Deliver(t.Vcpu, Handler, false, false, 0));
            var calls = t.Platform.Invocations;
            Assert.Equal(2, calls.Count);
            Assert.Equal(t.Vcpu.KernelTableFrame, (ulong)calls[0].Arguments[0]);
            Assert.Equal(userTables, (ulong)calls[1].Arguments[0]);
        }
    }
}
