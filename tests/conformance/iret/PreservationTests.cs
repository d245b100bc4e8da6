using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// State across the round trips: every register across a kernel trap and its iret, RAX as the iret
    /// context gives it, CS/SS forced to RPL 3 whatever the context says; in user mode every register
    /// but RAX/RCX/R11 across a syscall, every register across a software interrupt; a user page fault
    /// that the handler resolves by mapping the page, then resumes; an iret to a RIP the handler moved.
    /// </summary>
    internal static unsafe class PreservationTests
    {
        private const ulong DemandAddress = 0x0000000030000000UL;
        private const ulong DemandValue = 0xFEEDFACECAFEBEEFUL;

        public static void Kernel(TestSuite suite)
        {
            int v = GuardedCall.Run(Routines.KernelPreserveAcrossTrap, 0);
            if (v >= 0)
                suite.Fail("kernel_registers_across_trap").Text("the routine ended by vector ").Dec((ulong)v).End();
            else
                Check.Registers(suite, "kernel_registers_across_trap", 0x7FFF);

            Hooks.Breakpoint = Hooks.BreakpointAction.SetRax;
            Hooks.RaxValue = 0x5A5A5A5AA5A5A5A5UL;
            GuardedCall.Run(Routines.KernelInt3Rax, 0, out ulong rax);
            suite.EqualHex("kernel_iret_restores_rax", Hooks.RaxValue, rax);

            GuardedCall.Run(Routines.KernelInt3Selectors, 0, out ulong selectors);
            ulong frameCs = TrapTable.LastFrame->Cs & 0xFFFF;
            suite.Result("kernel_iret_forces_rpl3", (selectors & 0xFFFF) == FlatSelector.KernelCs && (selectors >> 16) == FlatSelector.KernelSs)
                .Text(" frame CS ").Hex(frameCs, 4).Text(", CS after iret ").Hex(selectors & 0xFFFF, 4).Text(", SS ").Hex(selectors >> 16, 4).End();
        }

        public static void User(TestSuite suite)
        {
            ulong exit = UserMode.Call(Routines.UserPreserveAcrossSyscall);
            if (Check.Exited(suite, "user_registers_across_syscall", exit))
            {
                // RAX is the echo's result (RDI), RCX and R11 belong to syscall.
                Check.Registers(suite, "user_registers_across_syscall", 0x7FFF & ~(1u << 0) & ~(1u << 2) & ~(1u << 10));
                suite.EqualHex("user_syscall_echo_result", Routines.Pattern(6), Routines.SavedRegisters[0]);
            }

            exit = UserMode.Call(Routines.UserPreserveAcrossInterrupt);
            if (Check.Exited(suite, "user_registers_across_interrupt", exit))
                Check.Registers(suite, "user_registers_across_interrupt", 0x7FFF);

            byte* page = GuestMemory.AllocatePages(1);
            *(ulong*)page = DemandValue;
            Hooks.DemandFrame = MachineFrames.Of(page);
            Hooks.DemandAddress = DemandAddress;
            exit = UserMode.Call(Routines.UserReadDemand, DemandAddress);
            Hooks.DemandAddress = 0;
            if (Check.Exited(suite, "user_page_fault_resumed_after_mapping", exit))
                suite.Result("user_page_fault_resumed_after_mapping", UserMode.Result == DemandValue && Hooks.DemandMapResult == 0)
                    .Text(" read ").Hex(UserMode.Result).Text(" after mmu_update returned ").Result(Hooks.DemandMapResult).End();

            Hooks.SkipUd2At = Routines.UserSkipUd2At;
            exit = UserMode.Call(Routines.UserSkipUd2);
            Hooks.SkipUd2At = 0;
            if (Check.Exited(suite, "user_iret_to_moved_rip", exit))
                suite.Equal("user_iret_to_moved_rip", 1, UserMode.Result);
        }
    }
}
