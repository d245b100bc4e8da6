using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The iret suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("iret");
            long rc = UserMode.Initialize();
            suite.Returns("user_mode_setup", 0, rc);
            ulong exit = UserMode.Call(UserMode.ExitRoutine, 0x1234);
            GuestConsole.Line().Text("exit ").Dec(exit).Text(" result ").Hex(UserMode.Result).Text(" cs ").Hex(UserMode.LastRegisters->Cs).End();
            return suite.Finish();
        }
    }
}
