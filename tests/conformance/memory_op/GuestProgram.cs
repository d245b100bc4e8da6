using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The memory_op suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("memory_op");
            MemoryQueryTests.Run(suite, start);
            ReservationTests.Run(suite, start);
            return suite.Finish();
        }
    }
}
