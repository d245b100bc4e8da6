using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The domctl suite's kernel. As dom0 (the harness's run) it is the toolstack: it checks domctl and
    /// sysctl, creates a domain, builds this same kernel (its initrd) into it with the kit's
    /// <see cref="DomainBuilder"/>, runs it, and destroys it last. Built into that domain with
    /// "role=peer" on its command line, it is the peer (<see cref="PeerProgram"/>) and never prints.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            if (PeerProgram.IsPeer())
                return PeerProgram.Run(start);

            var suite = new TestSuite("domctl");
            if (!suite.Check("shared_info_mapped", SharedInfoPage.Get() != null, "update_va_mapping of shared info failed"))
                return suite.Finish();
            if (!suite.Check("initrd_is_own_kernel", start->ModStart != 0 && start->ModLen > 64,
                             "no initrd: the harness gives this suite its own ELF as initrd (SuiteInitrd self)"))
                return suite.Finish();
            VersionTests.Run(suite);
            CreateTests.Run(suite);
            InfoTests.Run(suite);
            SchedulerTests.Run(suite);
            PeerTests.Run(suite, start);
            LifecycleTests.Run(suite);
            DestroyTests.Run(suite);
            return suite.Finish();
        }
    }
}
