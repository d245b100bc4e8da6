using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>
    /// A built test domain laid out for the CPU-state tests: code, a guest kernel stack, argument
    /// memory and handler addresses in the mapped scratch area after the bootstrap stack, plus helpers
    /// to run an instruction through the #GP exit and to install trap handlers.
    /// </summary>
    internal sealed class CpuStateGuest
    {
        public readonly TestDomain T;

        public CpuStateGuest(bool privileged = true)
        {
            T = TestDomain.Create(o => o.Privileged = privileged);
            // Start in guest kernel mode on a stack of our own, RIP on the code page.
            T.SetKernelRegisters(Code, StackTop);
            // What stack_switch would name: traps from guest user mode land there.
            T.Vcpu.KernelStackSegment = FlatSelector.KernelSs;
            T.Vcpu.KernelStackPointer = KernelStackTop;
        }

        public Vcpu Vcpu => T.Vcpu;
        public Domain Domain => T.Domain;
        public ref GuestRegisters Regs => ref T.Vcpu.Registers;

        public ulong Code => T.Scratch + 0x1000;
        public ulong StackTop => T.Scratch + 0x9000;
        /// <summary>Where hypercall arguments go.</summary>
        public ulong Args => T.Scratch + 0x10000;
        /// <summary>A second, separate buffer.</summary>
        public ulong Data => T.Scratch + 0x20000;
        /// <summary>The kernel stack stack_switch names in these tests.</summary>
        public ulong KernelStackTop => T.Scratch + 0x30000;
        /// <summary>Handler addresses (never executed: only RIP is compared).</summary>
        public ulong Handler(int vector) => T.Scratch + 0x40000 + (ulong)vector * 0x10;

        public long Call(ulong number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
            T.Hypercall(number, a1, a2, a3, a4, a5);

        /// <summary>Installs a guest handler for <paramref name="vector"/> (what set_trap_table does).</summary>
        public void InstallHandler(int vector)
        {
            TrapTableEntry entry;
            entry.Address = Handler(vector);
            entry.CodeSelector = FlatSelector.KernelCs;
            entry.Flags = 0;
            Vcpu.TrapTable[vector] = entry;
        }

        /// <summary>Writes an instruction at <see cref="Code"/> and points RIP at it.</summary>
        public void Place(params byte[] instruction)
        {
            T.Write(Code, instruction);
            Regs.Rip = Code;
        }

        /// <summary>The #GP exit the instruction at RIP causes, handled as the arch layer would; the
        /// error code is garbage on purpose (it must not be trusted).</summary>
        public void GeneralProtectionExit()
        {
            Regs.Vector = 13;
            Regs.ErrorCode = 0xDEAD;
            GuestTrapHandler.Handle(Vcpu, 0);
        }

        /// <summary>Runs the instruction at RIP through the #GP path with a #GP handler installed, and
        /// says whether it was emulated (true) or bounced to the guest's #GP handler (false).</summary>
        public bool Execute()
        {
            InstallHandler(13);
            ulong before = Regs.Rip;
            GeneralProtectionExit();
            Assert.True(Domain.IsAlive);
            if (Regs.Rip == Handler(13))
                return false;
            Assert.NotEqual(before, Regs.Rip);
            return true;
        }

        public void SetIopl(uint level) => Vcpu.IoPrivilegeLevel = level;
    }
}
