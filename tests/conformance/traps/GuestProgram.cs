using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The traps suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("traps");
            suite.Returns("user_mode_setup", 0, UserMode.Initialize());
            SoftwareInterruptTests.Install(suite);
            ExceptionTests.Run(suite);
            FrameTests.Run(suite);
            HandlerEntryTests.Run(suite);
            SoftwareInterruptTests.Run(suite);
            EventMaskTests.Run(suite);
            DeviceNotAvailableTests.Run(suite);
            return suite.Finish();
        }
    }
}
