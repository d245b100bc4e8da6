using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The vcpus suite's kernel. As dom0 (the harness's run, one vCPU) it is the toolstack: it builds this
    /// same kernel (its initrd) into a domain with four vCPUs and replays that domain's test lines. Built
    /// with "role=peer" on its command line it is that domain (<see cref="PeerProgram"/>), where the
    /// multi-vCPU tests run.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            if (PeerProgram.IsPeer())
                return PeerProgram.Run(start);

            var suite = new TestSuite("vcpus");
            if (!suite.Check("shared_info_mapped", SharedInfoPage.Get() != null, "update_va_mapping of shared info failed"))
                return suite.Finish();
            if (!suite.Check("initrd_is_own_kernel", start->ModStart != 0 && start->ModLen > 64,
                             "no initrd: the harness gives this suite its own ELF as initrd (SuiteInitrd self)"))
                return suite.Finish();
            ToolstackTests.Run(suite, start);
            return suite.Finish();
        }
    }
}
