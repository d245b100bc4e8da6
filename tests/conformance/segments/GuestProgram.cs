using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The segments suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("segments");
            suite.Returns("user_mode_setup", 0, UserMode.Initialize());
            SegmentBaseTests.Run(suite);
            return suite.Finish();
        }
    }
}
