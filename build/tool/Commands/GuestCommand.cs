using System;
using System.Collections.Generic;
using System.IO;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Hypervisor.Tool.Reference;

namespace Hypervisor.Tool.Commands
{
    /// <summary>
    /// hv-tool guest: boots one PV guest kernel as dom0 of Xen 4.17 (the reference, installed on demand)
    /// or of our hypervisor, prints the serial console with timestamps and says how the run ended.
    /// Exit status 0 when the domain powered off (or a suite's summary reported no failure), 1 otherwise.
    /// </summary>
    public static class GuestCommand
    {
        public const string Usage =
            "hv-tool guest [--on xen|ours] [--timeout S] [--dom0-mem SIZE] [--smp N] [--append S] [--initrd FILE] [--quiet]\n" +
            "              [--image-dir DIR] GUEST [guest args...]\n" +
            "  boots the PV kernel GUEST as dom0 (default --on xen: Xen 4.17, installed on demand) in QEMU\n" +
            "  --quiet         print only the guest's lines (not Xen's or the hypervisor's)";

        private static readonly HashSet<string> ValueOptions = new HashSet<string>
        {
            "--on", "--timeout", "--dom0-mem", "--smp", "--append", "--initrd", "--image-dir",
        };

        public static int Run(IReadOnlyList<string> argv)
        {
            var (optionWords, guest, guestArguments) = GuestCommandLine.Split(argv, ValueOptions);
            var args = new Arguments(optionWords);
            string on = args.Value("--on", "xen");
            double timeout = args.Seconds("--timeout", 120);
            string dom0Memory = args.Value("--dom0-mem", "64M");
            int smp = args.Int("--smp", GuestRunOptions.DefaultSmp, 1, 64);
            string append = args.Value("--append");
            string initrd = args.Value("--initrd");
            string imageDir = args.Value("--image-dir");
            bool quiet = args.Flag("--quiet");
            args.ExpectNone();
            if (!GuestHosts.TryParse(on, out GuestHost host))
                throw new UsageException($"--on takes xen or ours, not '{on}'");
            if (guest == null)
                throw new UsageException("guest: which kernel? (a path to a PV guest ELF)");
            if (!File.Exists(guest))
            {
                Console.Error.WriteLine($"hv-tool: guest kernel not found: {guest}");
                return 1;
            }

            string root = ImageLocator.FindRepoRoot() ?? Environment.CurrentDirectory;
            string hypervisor;
            try
            {
                hypervisor = HypervisorImage(host, root, imageDir);
            }
            catch (XenUnavailableException e)
            {
                Console.Error.WriteLine($"hv-tool: {e.Message}");
                return 1;
            }
            if (hypervisor == null)
                return 1;

            var options = new GuestRunOptions
            {
                Host = host,
                GuestPath = guest,
                GuestArguments = guestArguments,
                HypervisorPath = hypervisor,
                HypervisorCommandLine = append,
                Dom0Memory = dom0Memory,
                Smp = smp,
                Timeout = TimeSpan.FromSeconds(timeout),
                LineReceived = line =>
                {
                    if (!quiet || GuestOutput.IsGuestLine(line.Text))
                        Console.WriteLine(line.ToString());
                },
            };
            if (initrd != null)
                options.ExtraModules.Add(Path.GetFullPath(initrd));
            Console.Error.WriteLine($"hv-tool: booting {guest} as dom0 of {(host == GuestHost.Xen ? "Xen 4.17" : "our hypervisor")}");
            GuestRunResult result = GuestRunner.Run(options);
            Console.Error.WriteLine($"hv-tool: {result.Reason} after {result.Elapsed.TotalSeconds:0.0} s");
            bool ok = result.End == GuestRunEnd.Summary ? result.Failed == 0 : result.DomainEnd == "powered off";
            return ok ? 0 : 1;
        }

        /// <summary>The hypervisor to boot: Xen's image (installed and unpacked on demand) or ours from out/.
        /// Null (after a message) when ours is missing.</summary>
        public static string HypervisorImage(GuestHost host, string root, string imageDir)
        {
            if (host == GuestHost.Xen)
                return new XenReference(root).EnsureImage(Console.Error);
            var images = new ImageLocator(root, imageDir);
            if (!File.Exists(images.Elf))
            {
                Console.Error.WriteLine($"hv-tool: {images.Elf} not found (build it with ./hv iso)");
                return null;
            }
            return images.Elf;
        }
    }
}
