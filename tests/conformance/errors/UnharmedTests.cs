using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// After every refused call the guest is as it was: the console writes, xen_version answers, the
    /// trap table still delivers a breakpoint and returns, user mode still runs a round trip.
    /// </summary>
    internal static unsafe class UnharmedTests
    {
        private static ulong s_breakpoints;

        private static bool OnTrap(TrapFrame* frame)
        {
            if (frame->Vector != TrapNames.Breakpoint)
                return false;
            s_breakpoints++;
            return true;
        }

        public static void Run(TestSuite suite)
        {
            GuestConsole.Flush();
            byte* text = stackalloc byte[16];
            for (int i = 0; i < 15; i++)
                text[i] = (byte)"errors: still ok"[i];
            text[15] = (byte)'\n';
            suite.Returns("console_still_writes", 0, Hypercalls.ConsoleWrite(text, 16));
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            suite.Result("xen_version_still_answers", version > 0).Text(" ").Hex((ulong)version).End();
            TrapTable.SetHook(&OnTrap);
            Probe.Breakpoint();
            TrapTable.SetHook(null);
            suite.Equal("trap_table_still_delivers", 1, s_breakpoints);
            if (!UserMode.Ready)
            {
                suite.Skip("user_mode_still_runs", "user mode unavailable");
                return;
            }
            ulong exit = UserMode.Call(UserMode.ExitRoutine, 0x600D);
            suite.Result("user_mode_still_runs", exit == UserExit.Syscall && UserMode.Result == 0x600D)
                .Text(" exit ").Text(UserExit.Name(exit)).Text(", result ").Hex(UserMode.Result).End();
        }
    }
}
