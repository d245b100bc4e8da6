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
            suite.Returns("set_trap_table_int_0x40", 0, TrapTable.SetEntry(0x40, 3, true));
            Hooks.Install();
            PreservationTests.Kernel(suite);   // kernel-only tests first: they run without user mode
            if (rc != 0)
            {
                suite.Skip("user_mode", "user mode unavailable (see user_mode_setup)");
                return suite.Finish();
            }
            RoundTripTests.Run(suite);
            PreservationTests.User(suite);
            SyscallFrameTests.Run(suite);
            InSyscallTests.Run(suite);
            EventMaskTests.Run(suite);
            FpuTests.Run(suite);
            return suite.Finish();
        }
    }
}
