using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The multicall suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("multicall");
            MulticallTests.Run(suite);
            return suite.Finish();
        }
    }
}
