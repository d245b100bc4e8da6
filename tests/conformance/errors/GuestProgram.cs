using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The errors suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("errors");
            UnknownHypercallTests.Run(suite);
            PointerTests.Run(suite);
            ArgumentTests.Run(suite);
            WidthTests.Run(suite);
            // Last: sched_op shutdown with a bad pointer would end the run if it were taken.
            PointerTests.RunShutdown(suite);
            AliveTests.Run(suite);
            return suite.Finish();
        }
    }
}
