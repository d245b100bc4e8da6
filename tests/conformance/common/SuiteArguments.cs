using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the harness tells a suite on its command line: "suite=NAME expect_mem=SIZE", where SIZE is
    /// the memory the hypervisor was told to give dom0 (dom0_mem). A suite booted by hand (./hv guest)
    /// may lack them; tests that need them are skipped then.
    /// </summary>
    public static unsafe class SuiteArguments
    {
        /// <summary>True when the command line names this suite (the harness started it).</summary>
        public static bool StartedByHarness(string suite)
        {
            if (!KernelCommandLine.TryGetValue("suite", out byte* value, out int length))
                return false;
            return Ascii.Equals(value, length, suite);
        }

        /// <summary>The expected dom0 memory in bytes, if given.</summary>
        public static bool TryGetExpectedMemory(out ulong bytes) => KernelCommandLine.TryGetSize("expect_mem", out bytes);
    }
}
