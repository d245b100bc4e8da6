using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The smp suite's kernel: dom0 needs a second vCPU, so the machine needs two CPUs (the
    /// harness gives it two); with one, every test is skipped. Built with "role=spinner" on its command
    /// line it is the second domain of <see cref="RemoteDomainTests"/>, which only spins.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            if (RemoteDomainTests.IsSpinner())
            {
                RemoteDomainTests.Spin();
                return 0;
            }
            var suite = new TestSuite("smp");
            if (!suite.Check("shared_info_mapped", SharedInfoPage.Get() != null, "update_va_mapping of shared info failed"))
                return suite.Finish();
            if (SecondVcpu.IsUp() == -XenErrno.ENOENT)
            {
                suite.Skip("second_vcpu", "dom0 has one vCPU: the machine has one CPU");
                return suite.Finish();
            }
            if (BringUpTests.Run(suite))
            {
                ConcurrencyTests.Run(suite);
                WakeTests.Run(suite);
                TlbTests.Run(suite);
                DescriptorTests.Run(suite);
                DownUpTests.Run(suite);
                RemoteDomainTests.Run(suite, start);
                SecondVcpu.SetMode(SecondVcpu.Spin);
                Hypercalls.VcpuOp(VcpuOp.Down, SecondVcpu.Id, null);
            }
            return suite.Finish();
        }
    }
}
