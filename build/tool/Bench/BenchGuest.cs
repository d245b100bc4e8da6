using System;
using System.IO;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Bench
{
    /// <summary>Where a benchmark's guest kernel is: the repository's out/guests/NAME.elf, or --guest.</summary>
    public static class BenchGuest
    {
        /// <summary>0 with the repository root and the guest's path; otherwise the exit status, after saying
        /// what is missing (2: not inside the repository, 1: the guest is not built).</summary>
        public static int Locate(string benchmark, string guestName, string source, string guestOverride, out string root, out string guest)
        {
            guest = null;
            root = ImageLocator.FindRepoRoot();
            if (root == null)
            {
                Console.Error.WriteLine("hv-tool: cannot find the repository (Hypervisor.sln); run from inside it");
                return 2;
            }
            guest = guestOverride ?? Path.Combine(root, "out", "guests", guestName + ".elf");
            if (!File.Exists(guest))
            {
                Console.Error.WriteLine($"hv-tool: {guest} not found (./hv bench {benchmark} builds it from {source})");
                return 1;
            }
            return 0;
        }
    }
}
