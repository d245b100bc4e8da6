using System;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Commands
{
    /// <summary>
    /// hv-tool boot: one headless boot with the serial lines printed as they arrive, each with its time.
    /// Exit status 0 when the machine powered itself off, 1 otherwise (timeout, fault, reset).
    /// </summary>
    public static class BootCommand
    {
        public const string Usage =
            "hv-tool boot [--bochs | --uefi | --kernel [--append S] [--initrd S]] [--q35] [--smp N] [--mem M]\n" +
            "             [--timeout S] [--image-dir DIR] [--quiet] [-- extra emulator args]\n" +
            "  boots the ISO (default: QEMU, BIOS) headless and prints the serial console with timestamps";

        public static int Run(Arguments args)
        {
            var extra = args.Rest();
            bool bochs = args.Flag("--bochs");
            bool uefi = args.Flag("--uefi");
            bool kernel = args.Flag("--kernel");
            bool q35 = args.Flag("--q35");
            bool quiet = args.Flag("--quiet");
            string append = args.Value("--append");
            string initrd = args.Value("--initrd");
            int smp = args.Int("--smp", bochs ? 1 : 2, 1, 64);   // Bochs: one CPU unless asked (it is slow enough)
            int mem = args.Int("--mem", 512, 16, 65536);
            double timeout = args.Seconds("--timeout", 120);
            string imageDir = args.Value("--image-dir");
            args.ExpectNone();
            if (bochs && (uefi || kernel))
                throw new UsageException("--bochs boots the ISO with the Bochs BIOS only");
            if (uefi && kernel)
                throw new UsageException("--kernel needs BIOS firmware");
            if (!kernel && (append != null || initrd != null))
                throw new UsageException("--append and --initrd need --kernel");

            string root = ImageLocator.FindRepoRoot() ?? Environment.CurrentDirectory;
            var images = new ImageLocator(root, imageDir);
            var options = new MachineOptions
            {
                Boot = kernel ? BootKind.Kernel : BootKind.Iso,
                Firmware = uefi ? Firmware.Uefi : Firmware.Bios,
                IsoPath = images.Iso,
                KernelPath = images.Elf,
                Append = append,
                Smp = smp,
                MemoryMiB = mem,
                MachineType = q35 ? "q35" : null,
            };
            if (initrd != null)
                options.Modules.Add(initrd);
            options.ExtraArgs.AddRange(extra);

            using Machine machine = bochs ? new BochsMachine(options) : new QemuMachine(options);
            machine.LineReceived += line =>
            {
                if (!quiet || line.Text.StartsWith("(HV)", StringComparison.Ordinal))
                    Console.WriteLine(line.ToString());
            };
            Console.Error.WriteLine($"hv-tool: booting {(bochs ? "Bochs " : "QEMU ")}{options.Describe()}");
            machine.Start();
            bool exited = machine.WaitForExit(TimeSpan.FromSeconds(timeout));
            if (!exited)
            {
                machine.Kill();
                Console.Error.WriteLine($"hv-tool: timeout: killed the emulator after {timeout} s");
                return 124;
            }
            if (machine.PoweredOff)
            {
                Console.Error.WriteLine($"hv-tool: powered off after {machine.ExitTime?.TotalSeconds:0.000} s");
                return 0;
            }
            Console.Error.WriteLine($"hv-tool: {machine.EndWithoutPowerOff}, without a power-off");
            Console.Error.WriteLine(machine.Diagnostics.TrimEnd());
            return 1;
        }
    }
}
