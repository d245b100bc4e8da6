using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The page_tables suite's kernel.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("page_tables");
            TestPages.Setup(suite);
            MmuUpdateTests.Run(suite);
            MmuextTests.Run(suite);
            UpdateVaMappingTests.Run(suite);
            DirectWriteTests.Run(suite);
            return suite.Finish();
        }
    }
}
