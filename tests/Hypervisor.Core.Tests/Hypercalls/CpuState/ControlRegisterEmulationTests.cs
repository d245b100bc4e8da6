using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Hypercalls.Memory;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>MOV to and from control registers, CLTS and WBINVD from a PV guest kernel (Linux reads
    /// CR4 and CR0 at start of day): emulated as Xen's read_cr/write_cr for the guest kernel, #GP from
    /// guest user mode and for the registers Xen does not emulate.</summary>
    public class ControlRegisterEmulationTests
    {
        private const ulong Ts = PrivilegedInstructions.Cr0TaskSwitched;
        private const ulong Cr4Pae = 1UL << 5, Cr4Osfxsr = 1UL << 9, Cr4Osxmmexcpt = 1UL << 10;
        private const ulong Cr4Tsd = 1UL << 2, Cr4De = 1UL << 3, Cr4Fsgsbase = 1UL << 16, Cr4Osxsave = 1UL << 18;

        [Fact]
        public void Cr4ReadsTheHostBitsAGuestMaySee()
        {
            var g = new CpuStateGuest();
            g.Regs.Rbx = 0xDEAD_BEEF_DEAD_BEEF;
            g.Place(0x0F, 0x20, 0xE3);          // mov rbx, cr4
            Assert.True(g.Execute());
            Assert.Equal(Cr4Pae | Cr4Osfxsr | Cr4Osxmmexcpt, g.Regs.Rbx);
            Assert.Equal(g.Code + 3, g.Regs.Rip);
        }

        [Fact]
        public void Cr4WritesAreAcceptedButKeepOnlyWhatTheGuestMayHave()
        {
            var g = new CpuStateGuest();
            // What Linux writes back: its shadow with bits the CPU does not let it choose here.
            g.Regs.R9 = PrivilegedInstructions.GuestCr4 | Cr4Tsd | Cr4De | Cr4Fsgsbase | Cr4Osxsave | (1UL << 7);
            g.Place(0x41, 0x0F, 0x22, 0xE1);   // mov cr4, r9 (REX.B)
            Assert.True(g.Execute());
            Assert.Equal(g.Code + 4, g.Regs.Rip);

            g.Place(0x0F, 0x20, 0xE0);          // mov rax, cr4
            Assert.True(g.Execute());
            Assert.Equal(PrivilegedInstructions.GuestCr4, g.Regs.Rax);
        }

        [Fact]
        public void Cr0ReadsTheHostValueWithTheVirtualTs()
        {
            var g = new CpuStateGuest();
            g.Place(0x41, 0x0F, 0x20, 0xC3);    // mov r11, cr0
            Assert.True(g.Execute());
            Assert.Equal(PrivilegedInstructions.HostCr0 & ~Ts, g.Regs.R11);
            Assert.Equal(g.Code + 4, g.Regs.Rip);

            g.Vcpu.TaskSwitched = true;
            g.Place(0x41, 0x0F, 0x20, 0xC3);
            Assert.True(g.Execute());
            Assert.Equal(PrivilegedInstructions.HostCr0 | Ts, g.Regs.R11);
        }

        [Fact]
        public void Cr0WritesMayChangeOnlyTs()
        {
            var g = new CpuStateGuest();
            g.Regs.Rax = PrivilegedInstructions.HostCr0 | Ts;
            g.Place(0x0F, 0x22, 0xC0);          // mov cr0, rax
            Assert.True(g.Execute());
            Assert.True(g.Vcpu.TaskSwitched);

            g.Regs.Rax = PrivilegedInstructions.HostCr0 & ~Ts;
            g.Place(0x0F, 0x22, 0xC0);
            Assert.True(g.Execute());
            Assert.False(g.Vcpu.TaskSwitched);

            // Clearing WP (or anything else) is refused, as Xen refuses it.
            g.Regs.Rax = PrivilegedInstructions.HostCr0 & ~(1UL << 16);
            g.Place(0x0F, 0x22, 0xC0);
            Assert.False(g.Execute());
        }

        [Fact]
        public void Cr2IsTheOneInVcpuInfo()
        {
            var g = new CpuStateGuest();
            g.Regs.Rax = 0xFFFF_8880_1234_5678;
            g.Place(0x0F, 0x22, 0xD0);          // mov cr2, rax
            Assert.True(g.Execute());
            Assert.Equal(0xFFFF_8880_1234_5678UL, g.T.Cr2);

            g.Place(0x0F, 0x20, 0xD1);          // mov rcx, cr2
            Assert.True(g.Execute());
            Assert.Equal(0xFFFF_8880_1234_5678UL, g.Regs.Rcx);
        }

        [Fact]
        public void Cr3ReadsTheMachineAddressOfTheKernelL4()
        {
            var g = new CpuStateGuest();
            g.Place(0x0F, 0x20, 0xDA);          // mov rdx, cr3
            Assert.True(g.Execute());
            Assert.Equal(g.Vcpu.KernelTableFrame << 12, g.Regs.Rdx);
        }

        [Fact]
        public void Cr3WritesSwitchTheKernelBaseAsNewBaseptr()
        {
            var k = new MmuKit();
            ulong oldL4 = k.Vcpu.KernelTableFrame;
            ulong newL4 = k.FreeFrame(0);
            k.CopyKernelL4To(newL4);
            uint oldTypes = k.Frames.TypeCountOf(oldL4);
            ulong code = k.Args(1);
            k.T.SetKernelRegisters(code, k.Args(3));
            k.T.Write(code, new byte[] { 0x0F, 0x22, 0xD8 });   // mov cr3, rax
            k.Vcpu.Registers.Rax = newL4 << 12;

            GeneralProtection(k.Vcpu);

            Assert.Equal(code + 3, k.Vcpu.Registers.Rip);
            Assert.Equal(newL4, k.Vcpu.KernelTableFrame);
            Assert.Equal(PageType.L4, k.Frames.TypeOf(newL4));
            // The CPU is still on the old L4 until the vCPU resumes: it is retired, not released.
            Assert.Equal(oldL4, k.Vcpu.RetiredKernelTableFrame);
            Assert.Equal(oldTypes, k.Frames.TypeCountOf(oldL4));

            // Back again, by MOV: the guest has run on the new base since, so the old retired one goes.
            k.T.Write(code, new byte[] { 0x0F, 0x22, 0xD8 });
            k.Vcpu.Registers.Rip = code;
            k.Vcpu.Registers.Rax = oldL4 << 12;
            GeneralProtection(k.Vcpu);
            Assert.Equal(oldL4, k.Vcpu.KernelTableFrame);
            Assert.Equal(newL4, k.Vcpu.RetiredKernelTableFrame);
            MmuextOpHypercall.ReleaseRetiredKernelBase(k.Vcpu);
            Assert.Equal(0u, k.Frames.TypeCountOf(newL4));
            Assert.Equal(oldTypes, k.Frames.TypeCountOf(oldL4));
        }

        [Fact]
        public void Cr3WriteOfAFrameThatCannotBeAnL4IsGeneralProtection()
        {
            var g = new CpuStateGuest();
            ulong before = g.Vcpu.KernelTableFrame;
            g.Regs.Rax = g.T.MachineAddressOf(g.Code);   // the code page: writable, mapped, not an L4
            g.Place(0x0F, 0x22, 0xD8);
            Assert.False(g.Execute());
            Assert.Equal(before, g.Vcpu.KernelTableFrame);
        }

        [Theory]
        [InlineData(new byte[] { 0x0F, 0x20, 0xC8 })]          // mov rax, cr1
        [InlineData(new byte[] { 0x0F, 0x20, 0xE8 })]          // mov rax, cr5
        [InlineData(new byte[] { 0x44, 0x0F, 0x20, 0xC0 })]    // mov rax, cr8
        [InlineData(new byte[] { 0x44, 0x0F, 0x22, 0xC0 })]    // mov cr8, rax
        [InlineData(new byte[] { 0xF0, 0x0F, 0x20, 0xC0 })]    // lock mov rax, cr0 (CR8 on AMD)
        public void OtherControlRegistersAreGeneralProtection(byte[] instruction)
        {
            var g = new CpuStateGuest();
            g.Place(instruction);
            Assert.False(g.Execute());
        }

        [Theory]
        [InlineData(new byte[] { 0x0F, 0x20, 0xE0 })]          // mov rax, cr4
        [InlineData(new byte[] { 0x0F, 0x22, 0xC0 })]          // mov cr0, rax
        [InlineData(new byte[] { 0x0F, 0x06 })]                // clts
        [InlineData(new byte[] { 0x0F, 0x09 })]                // wbinvd
        public void GuestUserModeGetsGeneralProtection(byte[] instruction)
        {
            var g = new CpuStateGuest();
            g.Vcpu.TaskSwitched = true;
            g.Regs.Rax = PrivilegedInstructions.HostCr0;
            g.Place(instruction);
            g.T.EnterUserMode();
            Assert.False(g.Execute());
            Assert.True(g.Vcpu.TaskSwitched);
        }

        [Fact]
        public void CltsClearsTheVirtualTs()
        {
            var g = new CpuStateGuest();
            g.Vcpu.TaskSwitched = true;
            g.Place(0x0F, 0x06);
            Assert.True(g.Execute());
            Assert.False(g.Vcpu.TaskSwitched);
            Assert.Equal(g.Code + 2, g.Regs.Rip);
        }

        [Fact]
        public void WbinvdIsDone()
        {
            var g = new CpuStateGuest();
            g.Place(0x0F, 0x09);
            Assert.True(g.Execute());
            Assert.Equal(g.Code + 2, g.Regs.Rip);
        }

        private static void GeneralProtection(Vcpu vcpu)
        {
            vcpu.Registers.Vector = 13;
            vcpu.Registers.ErrorCode = 0;
            GuestTrapHandler.Handle(vcpu, 0);
            Assert.True(vcpu.Domain.IsAlive);
        }
    }
}
