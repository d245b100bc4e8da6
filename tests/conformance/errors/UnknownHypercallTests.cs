using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Hypercall numbers nothing answers return -ENOSYS: gaps in the table (11), removed calls (38,
    /// tmem), unused architecture slots (50-55), numbers past the last (43-47, 56-127), through the
    /// hypercall page (48, arch_0, is not among them: on x86 it is the machine-check hypercall, see
    /// BadPointerTests); and, with a syscall of its own, numbers past the page (128, 4096, 2^32 - 1) and a
    /// valid number with high bits set in RAX (the hypervisor must compare all 64 bits).
    /// </summary>
    internal static unsafe class UnknownHypercallTests
    {
        public static void Run(TestSuite suite)
        {
            Page(suite, "hypercall_11", 11);
            Page(suite, "hypercall_38_tmem_removed", 38);
            Page(suite, "hypercall_43", 43);
            Page(suite, "hypercall_47", 47);
            Page(suite, "hypercall_50_arch_2", 50);
            Page(suite, "hypercall_55_arch_7", 55);
            Page(suite, "hypercall_56", 56);
            Page(suite, "hypercall_63", 63);
            Page(suite, "hypercall_64", 64);
            Page(suite, "hypercall_100", 100);
            Page(suite, "hypercall_127", 127);

            Direct(suite, "hypercall_128", 128);
            Direct(suite, "hypercall_4096", 4096);
            Direct(suite, "hypercall_2_32_minus_1", 0xFFFFFFFFUL);
            Direct(suite, "hypercall_all_ones", ~0UL);
            // xen_version (17) with bit 32 set: not xen_version.
            Direct(suite, "hypercall_valid_number_high_bits", 0x100000000UL | HypercallNumber.XenVersion);
            suite.Returns("direct_syscall_works", Hypercalls.XenVersion(XenVersionCommand.Version, null),
                Hypercalls.Direct(HypercallNumber.XenVersion, XenVersionCommand.Version, 0, 0, 0, 0));
        }

        private static void Page(TestSuite suite, string test, int number)
            => suite.Errno(test, XenErrno.ENOSYS, Hypercalls.Raw(number, 0, 0, 0, 0, 0));

        private static void Direct(TestSuite suite, string test, ulong rax)
            => suite.Errno(test, XenErrno.ENOSYS, Hypercalls.Direct(rax, 0, 0, 0, 0, 0));
    }
}
