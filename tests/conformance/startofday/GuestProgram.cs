using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The startofday suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("startofday");
            EntryTests.Run(suite, start);
            StartInfoTests.Run(suite, start);
            LayoutTests.Run(suite, start);
            MappingTests.Run(suite, start);
            TrapTests.Run(suite);
            return suite.Finish();
        }
    }
}
