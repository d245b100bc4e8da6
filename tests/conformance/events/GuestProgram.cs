using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The events suite's kernel: event channels within dom0, events masked between tests.
    /// The port-order tests come first (they need a domain without ports), reset last.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("events");
            suite.Returns("callbacks_registered", 0, GuestCallbacks.Register());
            if (!suite.Check("shared_info_mapped", SharedInfoPage.Get() != null, "update_va_mapping of shared info failed"))
                return suite.Finish();
            Ports.Quiesce();
            PortOrderTests.Run(suite);
            BindTests.Run(suite);
            InterdomainTests.Run(suite);
            StatusTests.Run(suite);
            SendTests.Run(suite);
            UpcallTests.Run(suite);
            CloseTests.Run(suite);
            BindVcpuTests.Run(suite);
            ErrorTests.Run(suite);
            ResetTests.Run(suite);
            return suite.Finish();
        }
    }
}
