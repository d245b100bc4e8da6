using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>IN/OUT/INS/OUTS from a PV guest: decoded at RIP, checked against the vCPU's IOPL or I/O
    /// bitmap and the domain's port access, performed through the platform, RIP moved past.</summary>
    public class PortIoEmulationTests
    {
        private const ushort Uart = 0x2F8;   // COM2: COM1 is the hypervisor's console
        private const ulong Upper = 0x1122_3344_5566_7700UL;

        private static CpuStateGuest Dom0WithIopl(uint iopl = 1)
        {
            var g = new CpuStateGuest();
            g.SetIopl(iopl);
            return g;
        }

        private static void AssertNoPortAccess(CpuStateGuest g)
        {
            g.T.Platform.Verify(p => p.InByte(It.IsAny<ushort>()), Times.Never);
            g.T.Platform.Verify(p => p.InWord(It.IsAny<ushort>()), Times.Never);
            g.T.Platform.Verify(p => p.InDword(It.IsAny<ushort>()), Times.Never);
            g.T.Platform.Verify(p => p.OutByte(It.IsAny<ushort>(), It.IsAny<byte>()), Times.Never);
            g.T.Platform.Verify(p => p.OutWord(It.IsAny<ushort>(), It.IsAny<ushort>()), Times.Never);
            g.T.Platform.Verify(p => p.OutDword(It.IsAny<ushort>(), It.IsAny<uint>()), Times.Never);
        }

        // ---- Every form ----

        [Fact]
        public void InAlImmediate()
        {
            var g = Dom0WithIopl();
            g.T.Platform.Setup(p => p.InByte(0x71)).Returns(0x5A);
            g.Regs.Rax = Upper;
            g.Place(0xE4, 0x71);

            Assert.True(g.Execute());

            Assert.Equal(Upper | 0x5A, g.Regs.Rax);            // only AL changes
            Assert.Equal(g.Code + 2, g.Regs.Rip);
        }

        [Fact]
        public void InAxDx()
        {
            var g = Dom0WithIopl();
            g.T.Platform.Setup(p => p.InWord(Uart)).Returns(0xBEEF);
            g.Regs.Rax = Upper | 0xFF;
            g.Regs.Rdx = 0xFFFF_0000_0000_0000UL | Uart;       // only DX is the port
            g.Place(0x66, 0xED);

            Assert.True(g.Execute());

            Assert.Equal((Upper & ~0xFFFFUL) | 0xBEEF, g.Regs.Rax);
            Assert.Equal(g.Code + 2, g.Regs.Rip);
        }

        [Fact]
        public void InEaxDxClearsTheUpperHalf()
        {
            var g = Dom0WithIopl();
            g.T.Platform.Setup(p => p.InDword(0xCFC)).Returns(0x8086_1237u);
            g.Regs.Rax = Upper;
            g.Regs.Rdx = 0xCFC;
            g.Place(0xED);

            Assert.True(g.Execute());

            Assert.Equal(0x8086_1237UL, g.Regs.Rax);
            Assert.Equal(g.Code + 1, g.Regs.Rip);
        }

        [Fact]
        public void InEaxImmediateAndWordImmediate()
        {
            var g = Dom0WithIopl();
            g.T.Platform.Setup(p => p.InDword(0x80)).Returns(0xCAFEBABEu);
            g.T.Platform.Setup(p => p.InWord(0x82)).Returns(0x1234);
            g.Place(0xE5, 0x80);
            Assert.True(g.Execute());
            Assert.Equal(0xCAFEBABEUL, g.Regs.Rax);

            g.Place(0x66, 0xE5, 0x82);
            Assert.True(g.Execute());
            Assert.Equal(0xCAFE_1234UL, g.Regs.Rax);
            Assert.Equal(g.Code + 3, g.Regs.Rip);
        }

        [Fact]
        public void OutEveryWidth()
        {
            var g = Dom0WithIopl();
            g.Regs.Rax = Upper | 0xA5;
            g.Place(0xE6, 0x80);                                // out 0x80, al
            Assert.True(g.Execute());
            g.T.Platform.Verify(p => p.OutByte(0x80, 0xA5), Times.Once);
            Assert.Equal(g.Code + 2, g.Regs.Rip);

            g.Regs.Rax = 0xDEAD_BEEF;
            g.Regs.Rdx = Uart;
            g.Place(0x66, 0xEF);                                // out dx, ax
            Assert.True(g.Execute());
            g.T.Platform.Verify(p => p.OutWord(Uart, 0xBEEF), Times.Once);

            g.Place(0xEF);                                      // out dx, eax
            Assert.True(g.Execute());
            g.T.Platform.Verify(p => p.OutDword(Uart, 0xDEAD_BEEFu), Times.Once);

            g.Place(0x66, 0xE7, 0x84);                          // out 0x84, ax
            Assert.True(g.Execute());
            g.T.Platform.Verify(p => p.OutWord(0x84, 0xBEEF), Times.Once);

            g.Regs.Rax = 0x42;
            g.Place(0xEE);                                      // out dx, al
            Assert.True(g.Execute());
            g.T.Platform.Verify(p => p.OutByte(Uart, 0x42), Times.Once);
            Assert.Equal(g.Code + 1, g.Regs.Rip);
        }

        [Fact]
        public void RexPrefixDoesNotWidenPortIo()
        {
            var g = Dom0WithIopl();
            g.T.Platform.Setup(p => p.InDword(Uart)).Returns(7u);
            g.Regs.Rdx = Uart;
            g.Place(0x48, 0xED);                                // rex.w in eax, dx
            Assert.True(g.Execute());
            Assert.Equal(7UL, g.Regs.Rax);
            Assert.Equal(g.Code + 2, g.Regs.Rip);
        }

        [Fact]
        public void InstructionRightBeforeAnUnmappedPageStillDecodes()
        {
            var g = Dom0WithIopl();
            ulong last = g.T.Layout.MappedEnd - 1;
            g.T.Write(last, new byte[] { 0xEC });               // in al, dx
            g.Regs.Rip = last;
            g.Regs.Rdx = Uart;
            g.T.Platform.Setup(p => p.InByte(Uart)).Returns(0x33);

            Assert.True(g.Execute());

            Assert.Equal(0x33UL, g.Regs.Rax & 0xFF);
            Assert.Equal(last + 1, g.Regs.Rip);
        }

        // ---- The guest's permission: IOPL and the I/O bitmap ----

        [Fact]
        public void WithoutIoplTheGuestGetsItsGeneralProtectionFault()
        {
            var g = Dom0WithIopl(0);
            g.Regs.Rdx = Uart;
            g.Place(0xEC);

            Assert.False(g.Execute());

            g.T.Platform.Verify(p => p.InByte(It.IsAny<ushort>()), Times.Never);
        }

        [Theory]
        [InlineData(1u, true)]
        [InlineData(3u, true)]
        [InlineData(0u, false)]
        public void KernelModeCountsAsRingOne(uint iopl, bool allowed)
        {
            var g = Dom0WithIopl(iopl);
            g.Regs.Rdx = Uart;
            g.Place(0xEE);
            Assert.Equal(allowed, g.Execute());
        }

        [Fact]
        public void ArchitecturalIoplCountsTheKernelAsRingZero()
        {
            var g = Dom0WithIopl(0);
            Assert.Equal(0, g.Call(HypercallNumber.VmAssist, VmAssistCommand.Enable, VmAssistType.ArchitecturalIopl));
            g.Regs.Rdx = Uart;
            g.Place(0xEE);
            Assert.True(g.Execute());
            g.T.Platform.Verify(p => p.OutByte(Uart, It.IsAny<byte>()), Times.Once);
        }

        [Theory]
        [InlineData(2u, false)]
        [InlineData(3u, true)]
        public void UserModeNeedsIoplThree(uint iopl, bool allowed)
        {
            var g = Dom0WithIopl(iopl);
            g.Place(0xE6, 0x80);
            g.T.EnterUserMode();
            Assert.Equal(allowed, g.Execute());
        }

        private static CpuStateGuest WithBitmap(uint ports, params (int Port, bool Denied)[] bits)
        {
            var g = Dom0WithIopl(0);
            var bitmap = new byte[8192];
            foreach (var (port, denied) in bits)
            {
                if (denied)
                    bitmap[port / 8] |= (byte)(1 << (port % 8));
            }
            g.T.Write(g.Data, bitmap);
            g.T.WriteStruct(g.Args, new PhysdevSetIobitmap { Bitmap = g.Data, NrPorts = ports });
            Assert.Equal(0, g.Call(HypercallNumber.PhysdevOp, PhysdevOp.SetIobitmap, g.Args));
            return g;
        }

        [Fact]
        public void ClearBitmapBitAllowsThePort()
        {
            var g = WithBitmap(0x400, (Uart + 1, true));
            g.Regs.Rdx = Uart;
            g.Place(0xEC);
            Assert.True(g.Execute());

            g.Regs.Rdx = Uart + 1;
            g.Place(0xEC);
            Assert.False(g.Execute());
        }

        [Fact]
        public void EveryPortOfAWideAccessMustBeAllowed()
        {
            // A word at port 0x7 covers bit 7 of byte 0 and bit 0 of byte 1 of the bitmap.
            var g = WithBitmap(0x400, (8, true));
            g.Regs.Rdx = 7;
            g.Place(0x66, 0xED);
            Assert.False(g.Execute());

            g.Place(0xEC);                                      // the byte at 7 alone is allowed
            Assert.True(g.Execute());
        }

        [Fact]
        public void PortsBeyondTheBitmapAreDenied()
        {
            var g = WithBitmap(0x3FA);
            g.Regs.Rdx = 0x3F8;
            g.Place(0x66, 0xED);                                // 0x3F8..0x3F9: inside
            Assert.True(g.Execute());
            g.Place(0xED);                                      // 0x3F8..0x3FB: past 0x3FA
            Assert.False(g.Execute());
        }

        [Fact]
        public void AnUnreadableBitmapDenies()
        {
            var g = Dom0WithIopl(0);
            g.Vcpu.IoBitmapAddress = TestDomain.UnmappedAddress;
            g.Vcpu.IoBitmapPorts = 65536;
            g.Regs.Rdx = Uart;
            g.Place(0xEC);
            Assert.False(g.Execute());
        }

        // ---- The hypervisor's permission ----

        [Fact]
        public void WithoutPortAccessReadsGiveAllOnesAndWritesGoNowhere()
        {
            var g = new CpuStateGuest(privileged: false);
            Assert.False(g.Domain.HasIoPortAccess);
            g.SetIopl(3);
            g.Regs.Rdx = Uart;
            g.Regs.Rax = Upper;

            g.Place(0xEC);
            Assert.True(g.Execute());
            Assert.Equal(Upper | 0xFF, g.Regs.Rax);
            g.Place(0x66, 0xED);
            Assert.True(g.Execute());
            Assert.Equal((Upper & ~0xFFFFUL) | 0xFFFF, g.Regs.Rax);
            g.Place(0xED);
            Assert.True(g.Execute());
            Assert.Equal(0xFFFF_FFFFUL, g.Regs.Rax);
            g.Place(0xEF);
            Assert.True(g.Execute());

            AssertNoPortAccess(g);
        }

        [Theory]
        [InlineData(0x20, 1)]
        [InlineData(0x21, 1)]
        [InlineData(0xA0, 1)]
        [InlineData(0xA1, 1)]
        [InlineData(0x40, 1)]
        [InlineData(0x43, 1)]
        [InlineData(0x61, 1)]
        [InlineData(0x1E, 4)]    // a dword reaching into the PIC
        [InlineData(0x60, 2)]    // a word reaching 0x61
        [InlineData(0x4D0, 2)]   // ELCR
        [InlineData(0xCF9, 1)]   // reset control
        [InlineData(0xCF8, 2)]   // a word reaching it
        [InlineData(0x3F8, 1)]   // the hypervisor's console UART
        [InlineData(0x3FF, 1)]
        [InlineData(0x3F6, 4)]   // a dword reaching into it
        public void TheHypervisorsOwnPortsAreNotReached(int port, int size)
        {
            var g = Dom0WithIopl();
            g.Regs.Rdx = (ulong)port;
            g.Place(size == 1 ? new byte[] { 0xEC } : size == 2 ? new byte[] { 0x66, 0xED } : new byte[] { 0xED });
            Assert.True(g.Execute());
            Assert.Equal(size == 4 ? 0xFFFF_FFFFUL : (1UL << (size * 8)) - 1, g.Regs.Rax & 0xFFFF_FFFFUL);

            g.Place(size == 1 ? new byte[] { 0xEE } : size == 2 ? new byte[] { 0x66, 0xEF } : new byte[] { 0xEF });
            Assert.True(g.Execute());
            AssertNoPortAccess(g);
        }

        [Fact]
        public void ADwordAtCf8IsThePciConfigurationAddress_NotTheResetControl()
        {
            var g = Dom0WithIopl();
            g.T.Platform.Setup(p => p.InDword(0xCF8)).Returns(0x8000_0000u);
            g.Regs.Rdx = 0xCF8;
            g.Place(0xED);
            Assert.True(g.Execute());
            Assert.Equal(0x8000_0000UL, g.Regs.Rax);
            g.Regs.Rax = 0x8000_0800;
            g.Place(0xEF);
            Assert.True(g.Execute());
            g.T.Platform.Verify(p => p.OutDword(0xCF8, 0x8000_0800u), Times.Once);
        }

        [Fact]
        public void AnAccessPastTheLastPortReachesNothing()
        {
            var g = Dom0WithIopl();
            g.Regs.Rdx = 0xFFFE;
            g.Place(0xED);
            Assert.True(g.Execute());
            Assert.Equal(0xFFFF_FFFFUL, g.Regs.Rax);
            AssertNoPortAccess(g);
        }

        // ---- INS and OUTS ----

        [Fact]
        public void RepInsbFillsTheBufferAndMovesTheRegisters()
        {
            var g = Dom0WithIopl();
            byte next = 0x10;
            g.T.Platform.Setup(p => p.InByte(0x1F0)).Returns(() => next++);
            g.Regs.Rdx = 0x1F0;
            g.Regs.Rdi = g.Data;
            g.Regs.Rcx = 4;
            g.Place(0xF3, 0x6C);                                // rep insb

            Assert.True(g.Execute());

            Assert.Equal(new byte[] { 0x10, 0x11, 0x12, 0x13 }, g.T.Read(g.Data, 4));
            Assert.Equal(g.Data + 4, g.Regs.Rdi);
            Assert.Equal(0UL, g.Regs.Rcx);
            Assert.Equal(g.Code + 2, g.Regs.Rip);
        }

        [Fact]
        public void RepOutswSendsEachWordAndMovesTheRegisters()
        {
            var g = Dom0WithIopl();
            g.T.Write(g.Data, new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 });
            g.Regs.Rdx = 0x1F0;
            g.Regs.Rsi = g.Data;
            g.Regs.Rcx = 3;
            g.Place(0xF3, 0x66, 0x6F);                          // rep outsw

            Assert.True(g.Execute());

            g.T.Platform.Verify(p => p.OutWord(0x1F0, 0x0201), Times.Once);
            g.T.Platform.Verify(p => p.OutWord(0x1F0, 0x0403), Times.Once);
            g.T.Platform.Verify(p => p.OutWord(0x1F0, 0x0605), Times.Once);
            Assert.Equal(g.Data + 6, g.Regs.Rsi);
            Assert.Equal(0UL, g.Regs.Rcx);
            Assert.Equal(g.Code + 3, g.Regs.Rip);
        }

        [Fact]
        public void InsdBackwardsWithTheDirectionFlag()
        {
            var g = Dom0WithIopl();
            uint next = 1;
            g.T.Platform.Setup(p => p.InDword(0x1F0)).Returns(() => next++);
            g.Regs.Rdx = 0x1F0;
            g.Regs.Rdi = g.Data + 8;
            g.Regs.Rcx = 2;
            g.Regs.Rflags |= 1UL << 10;
            g.Place(0xF3, 0x6D);                                // std; rep insd

            Assert.True(g.Execute());

            Assert.Equal(1UL, g.T.Read64(g.Data + 8) & 0xFFFF_FFFF);
            Assert.Equal(2UL, g.T.Read64(g.Data + 4) & 0xFFFF_FFFF);
            Assert.Equal(g.Data, g.Regs.Rdi);
        }

        [Fact]
        public void SingleOutsbWithoutRepLeavesRcxAlone()
        {
            var g = Dom0WithIopl();
            g.T.Write(g.Data, new byte[] { 0x77 });
            g.Regs.Rdx = Uart;
            g.Regs.Rsi = g.Data;
            g.Regs.Rcx = 99;
            g.Place(0x6E);

            Assert.True(g.Execute());

            g.T.Platform.Verify(p => p.OutByte(Uart, 0x77), Times.Once);
            Assert.Equal(99UL, g.Regs.Rcx);
            Assert.Equal(g.Data + 1, g.Regs.Rsi);
            Assert.Equal(g.Code + 1, g.Regs.Rip);
        }

        [Fact]
        public void OutsWithAnFsOverrideReadsThroughTheFsBase()
        {
            var g = Dom0WithIopl();
            g.T.Write(g.Data + 0x10, new byte[] { 0x99 });
            g.Vcpu.FsBase = g.Data;
            g.Regs.Rdx = Uart;
            g.Regs.Rsi = 0x10;
            g.Place(0x64, 0x6E);                                // outsb fs:[rsi]

            Assert.True(g.Execute());

            g.T.Platform.Verify(p => p.OutByte(Uart, 0x99), Times.Once);
        }

        [Fact]
        public void RepWithZeroCountDoesNothingButMoveOn()
        {
            var g = Dom0WithIopl();
            g.Regs.Rdx = Uart;
            g.Regs.Rcx = 0;
            g.Regs.Rdi = g.Data;
            g.Place(0xF3, 0x6C);
            Assert.True(g.Execute());
            AssertNoPortAccess(g);
            Assert.Equal(g.Code + 2, g.Regs.Rip);
        }

        [Fact]
        public void ALongStringIsFinishedOverSeveralExits()
        {
            var g = Dom0WithIopl();
            g.Regs.Rdx = 0x1F0;
            g.Regs.Rdi = g.Data;
            g.Regs.Rcx = 5000;
            g.Place(0xF3, 0x6C);

            g.GeneralProtectionExit();
            Assert.Equal(g.Code, g.Regs.Rip);                   // resumed by executing it again
            Assert.Equal(5000UL - 4096, g.Regs.Rcx);
            Assert.Equal(g.Data + 4096, g.Regs.Rdi);

            g.GeneralProtectionExit();
            Assert.Equal(0UL, g.Regs.Rcx);
            Assert.Equal(g.Data + 5000, g.Regs.Rdi);
            Assert.Equal(g.Code + 2, g.Regs.Rip);
            g.T.Platform.Verify(p => p.InByte(0x1F0), Times.Exactly(5000));
        }

        [Fact]
        public void InsIntoUnmappedMemoryRaisesAPageFaultAfterTheDoneElements()
        {
            var g = Dom0WithIopl();
            g.InstallHandler(14);
            ulong end = g.T.Layout.MappedEnd;
            g.Regs.Rdx = 0x1F0;
            g.Regs.Rdi = end - 2;
            g.Regs.Rcx = 4;
            g.Place(0xF3, 0x6C);

            g.GeneralProtectionExit();

            Assert.True(g.Domain.IsAlive);
            Assert.Equal(g.Handler(14), g.Regs.Rip);
            Assert.Equal(end, g.T.Cr2);
            Assert.Equal(2UL, g.T.Read64(g.Regs.Rsp + 16));     // error code: write, kernel mode
            Assert.Equal(g.Code, g.T.Read64(g.Regs.Rsp + 24));  // faulting RIP: the instruction
            Assert.Equal(2UL, g.T.Read64(g.Regs.Rsp));          // the frame's RCX: two elements were done
            Assert.Equal(end, g.Regs.Rdi);
        }

        [Fact]
        public void InsWithoutPermissionIsTheGuestsGeneralProtectionFault()
        {
            var g = Dom0WithIopl(0);
            g.Regs.Rdx = 0x1F0;
            g.Regs.Rdi = g.Data;
            g.Regs.Rcx = 4;
            g.Place(0xF3, 0x6C);
            Assert.False(g.Execute());
            Assert.Equal(4UL, g.T.Read64(g.Regs.Rsp));          // the frame's RCX: no element was done
        }

        // ---- Not port I/O ----

        [Theory]
        [InlineData(new byte[] { 0x0F, 0x01, 0xF8 })]           // swapgs
        [InlineData(new byte[] { 0x0F, 0x01, 0x10 })]           // lgdt [rax]
        [InlineData(new byte[] { 0x0F, 0x00, 0xD8 })]           // ltr ax
        [InlineData(new byte[] { 0xF0, 0xEC })]                 // lock in: not emulated
        public void OtherInstructionsAreBouncedAsGeneralProtection(byte[] instruction)
        {
            var g = Dom0WithIopl(3);
            g.Place(instruction);
            Assert.False(g.Execute());
        }

        [Theory]
        [InlineData(0xFA)]   // cli
        [InlineData(0xFB)]   // sti
        public void CliAndStiAreNoOpsWithEnoughIopl(byte opcode)
        {
            var g = Dom0WithIopl(1);
            g.T.SetUpcallMask(0);
            g.Place(opcode);
            Assert.True(g.Execute());
            Assert.Equal(g.Code + 1, g.Regs.Rip);
            Assert.Equal(0, g.T.UpcallMask);   // the event mask is not touched

            g.SetIopl(0);
            g.Place(opcode);
            Assert.False(g.Execute());
        }

        [Fact]
        public void HltFromTheKernel_WaitsForAnEvent_MaskUntouched()
        {
            var g = new CpuStateGuest();
            g.T.SetUpcallMask(1);
            g.Place(0xF4);
            Assert.True(g.Execute());
            Assert.Equal(g.Code + 1, g.Regs.Rip);
            Assert.True(g.Vcpu.IsBlocked);
            Assert.False(g.Vcpu.IsRunnable);
            Assert.Equal(1, g.T.UpcallMask);
            Hypervisor.Core.Events.TwoLevelEvents.MarkUpcallPending(g.Vcpu);   // an event arrives
            Assert.False(g.Vcpu.IsBlocked);
        }

        [Fact]
        public void HltFromTheKernel_WithAnUpcallPending_ReturnsAtOnce()
        {
            var g = new CpuStateGuest();
            g.T.Memory.Write8(g.Vcpu.VcpuInfoAddress, 1);
            g.Place(0xF4);
            Assert.True(g.Execute());
            Assert.Equal(g.Code + 1, g.Regs.Rip);
            Assert.False(g.Vcpu.IsBlocked);
        }
    }
}
