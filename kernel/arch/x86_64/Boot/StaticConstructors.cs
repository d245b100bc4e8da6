using Hypervisor.Core.Hypercalls;

namespace Hypervisor.Arch.X86_64
{
    // Class constructors the compiler leaves to run on first use (the rest it runs at build time or at
    // start of day). The check it emits before a first use is not safe when two CPUs make it at once,
    // so the boot CPU makes every first use here, before the other CPUs start.
    // build/check-static-constructors.sh fails the build when the image has a lazy class constructor of
    // a class this file does not name.
    internal static class StaticConstructors
    {
        public static void RunAll()
        {
            HypercallTable.Lookup(0);   // HypercallTable: its rows
        }
    }
}
