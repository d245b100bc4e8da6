using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Hypercall numbers nobody answers get -ENOSYS: through the hypercall page (Xen fills all 128 slots
    /// with stubs, so a number past the table still reaches the hypervisor), and by a syscall of the
    /// guest's own with any 64-bit RAX. The numbers are unassigned in Xen 4.17 for a 64-bit PV guest:
    /// 11 never was, 38 was tmem (gone since 4.13), 43-47 and 50-63 are free, 64 and above are past the
    /// table. RAX is the whole number: xen_version (17) with a high bit set is not xen_version.
    /// </summary>
    internal static unsafe class UnknownHypercallTests
    {
        private const long Version417 = (4 << 16) | 17;

        public static void Run(TestSuite suite)
        {
            suite.Errno("page_number_11", XenErrno.ENOSYS, Hypercalls.Raw(11, 0, 0, 0));
            suite.Errno("page_number_38", XenErrno.ENOSYS, Hypercalls.Raw(38, 0, 0, 0));
            suite.Errno("page_number_45", XenErrno.ENOSYS, Hypercalls.Raw(45, 0, 0, 0));
            suite.Errno("page_number_55", XenErrno.ENOSYS, Hypercalls.Raw(55, 0, 0, 0));
            suite.Errno("page_number_63", XenErrno.ENOSYS, Hypercalls.Raw(63, 0, 0, 0));
            suite.Errno("page_number_64", XenErrno.ENOSYS, Hypercalls.Raw(64, 0, 0, 0));
            suite.Errno("page_number_100", XenErrno.ENOSYS, Hypercalls.Raw(100, 0, 0, 0));
            suite.Errno("page_number_127", XenErrno.ENOSYS, Hypercalls.Raw(127, 0, 0, 0));

            // The direct path itself works: a known number through it answers as through the page.
            suite.Returns("direct_xen_version", Version417, Hypercalls.Direct(HypercallNumber.XenVersion, XenVersionCommand.Version, 0, 0, 0, 0));
            suite.Errno("direct_number_64", XenErrno.ENOSYS, Direct(64));
            suite.Errno("direct_number_128", XenErrno.ENOSYS, Direct(128));
            suite.Errno("direct_number_4096", XenErrno.ENOSYS, Direct(4096));
            suite.Errno("direct_number_0xffffffff", XenErrno.ENOSYS, Direct(0xFFFFFFFFUL));
            suite.Errno("direct_bit_32_and_xen_version", XenErrno.ENOSYS, Direct(0x100000000UL | HypercallNumber.XenVersion));
            suite.Errno("direct_bit_63_and_xen_version", XenErrno.ENOSYS, Direct(0x8000000000000000UL | HypercallNumber.XenVersion));
            suite.Errno("direct_all_ones", XenErrno.ENOSYS, Direct(ulong.MaxValue));
        }

        // xen_version's arguments (XENVER_version, no buffer), so that a number wrongly cut to its low
        // bits answers with the version rather than -ENOSYS.
        private static long Direct(ulong rax) => Hypercalls.Direct(rax, XenVersionCommand.Version, 0, 0, 0, 0);
    }
}
