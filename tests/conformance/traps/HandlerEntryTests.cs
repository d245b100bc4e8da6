using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// How a handler is entered: Xen returns to the guest kernel from every bounce with SYSRET, so the
    /// handler starts with RCX = its own address and R11 = the RFLAGS it runs with (the interrupted RCX
    /// and R11 are in the frame). The kit's stubs record RCX, R11 and RFLAGS first thing
    /// (<see cref="TrapTable.LastEntry"/>).
    /// </summary>
    internal static unsafe class HandlerEntryTests
    {
        public static void Run(TestSuite suite)
        {
            GuardedCall.Run(Routines.KernelInvalidOpcode.Entry, 0, out _);
            Judge(suite, "kernel_invalid_opcode_entered_as_by_sysret", TrapNames.InvalidOpcode);
            GuardedCall.Run(Routines.KernelInt3.Entry, 0, out _);
            Judge(suite, "kernel_breakpoint_entered_as_by_sysret", TrapNames.Breakpoint);
            if (!UserMode.Ready)
            {
                suite.Skip("user_invalid_opcode_entered_as_by_sysret", "user mode unavailable");
                return;
            }
            TrapExpect.RunUser(Routines.UserInvalidOpcode, 0);
            Judge(suite, "user_invalid_opcode_entered_as_by_sysret", TrapNames.InvalidOpcode);
        }

        private static void Judge(TestSuite suite, string test, int vector)
        {
            HandlerEntry e = TrapTable.LastEntry;
            ulong stub = TrapTable.StubAddress(vector);
            bool ok = TrapTable.LastVector == (ulong)vector && e.IsAsBySysret(stub);
            suite.Result(test, ok).Text(" vector ").Dec(TrapTable.LastVector).Text(", RCX ").Hex(e.Rcx)
                .Text(" (the stub ").Hex(stub).Text("), R11 ").Hex(e.R11).Text(", RFLAGS ").Hex(e.Rflags).End();
        }
    }
}
