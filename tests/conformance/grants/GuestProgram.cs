using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The grants suite's kernel: dom0 grants its own pages to itself.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("grants");
            Pages.Setup(suite);
            TableTests.Run(suite);
            if (GrantTables.Entries == null || !Pages.Ready)
            {
                suite.Skip("entries", "the grant table or the windows could not be set up");
                return suite.Finish();
            }
            MapTests.Run(suite);
            CopyTests.Run(suite);
            CommandTests.Run(suite);
            ErrorTests.Run(suite);
            return suite.Finish();
        }
    }
}
