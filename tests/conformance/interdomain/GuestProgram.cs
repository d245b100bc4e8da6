using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The interdomain suite's kernel. As dom0 (the harness's run) it builds a second domain from this
    /// same kernel (its initrd) and tests event channels and grant tables between the two, and the
    /// second domain's isolation; it destroys the peer last. Built into that domain with "role=peer" on
    /// its command line, it is the peer (<see cref="PeerProgram"/>) and never prints.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            if (PeerProgram.IsPeer())
                return PeerProgram.Run();

            var suite = new TestSuite("interdomain");
            if (!suite.Check("shared_info_mapped", SharedInfoPage.Get() != null, "update_va_mapping of shared info failed"))
                return suite.Finish();
            suite.Returns("callbacks_registered", 0, GuestCallbacks.Register());
            if (!suite.Check("initrd_is_own_kernel", start->ModStart != 0 && start->ModLen > 64,
                             "no initrd: the harness gives this suite its own ELF as initrd (SuiteInitrd self)"))
                return suite.Finish();
            PortCounter.Install(null);
            PortCounter.Quiesce();
            PeerSetup.Run(suite, (byte*)start->ModStart, start->ModLen);
            BindTests.Run(suite);
            DeliveryTests.Run(suite);
            CloseTests.Run(suite);
            PortIsolationTests.Run(suite);
            ResetTests.Run(suite);
            GrantMapTests.Run(suite);
            GrantCopyTests.Run(suite);
            GrantLimitTests.Run(suite);
            MemoryIsolationTests.Run(suite);
            DeathTests.Run(suite);
            return suite.Finish();
        }
    }
}
