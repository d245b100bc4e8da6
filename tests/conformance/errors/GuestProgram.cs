using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The errors suite's kernel. As dom0 it is privileged, so no hypercall refuses it for
    /// lack of privilege (those checks need a domU).</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("errors");
            suite.Returns("user_mode_setup", 0, UserMode.Initialize());
            UnknownHypercallTests.Run(suite);
            BadPointerTests.Run(suite);
            BadArgumentTests.Run(suite);
            UnharmedTests.Run(suite);
            return suite.Finish();
        }
    }
}
