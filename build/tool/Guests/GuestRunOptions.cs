using System;
using System.Collections.Generic;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Guests
{
    /// <summary>One boot of a PV guest kernel as dom0 of a hypervisor, in QEMU.</summary>
    public sealed class GuestRunOptions
    {
        public GuestHost Host { get; set; } = GuestHost.Xen;

        /// <summary>The guest's ELF.</summary>
        public string GuestPath { get; set; }

        /// <summary>The guest's command line (the boot module's string after the file name).</summary>
        public string GuestArguments { get; set; } = string.Empty;

        /// <summary>Further boot modules ("path [args]"); the first is dom0's initrd.</summary>
        public List<string> ExtraModules { get; } = new List<string>();

        /// <summary>The hypervisor image: Xen's (from <see cref="Reference.XenReference"/>) or ours.</summary>
        public string HypervisorPath { get; set; }

        /// <summary>The hypervisor's command line (null: the default for the host).</summary>
        public string HypervisorCommandLine { get; set; }

        /// <summary>Memory given to dom0 (both hypervisors take Xen's dom0_mem option).</summary>
        public string Dom0Memory { get; set; } = "64M";

        public int MachineMemoryMiB { get; set; } = 512;

        /// <summary>Touch all guest RAM when the emulator starts (<see cref="MachineOptions.PreallocateMemory"/>).</summary>
        public bool PreallocateMemory { get; set; }

        /// <summary>CPUs of the machine: two by default, so that every guest run has a CPU besides the
        /// boot CPU (dom0 gets a vCPU per CPU on both hypervisors).</summary>
        public int Smp { get; set; } = DefaultSmp;

        public const int DefaultSmp = 2;

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

        /// <summary>How long to wait after the guest's summary line for the hypervisor to report the end.</summary>
        public TimeSpan SummaryGrace { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>Called for every serial line as it arrives (on the reader thread).</summary>
        public Action<SerialLine> LineReceived { get; set; }

        /// <summary>The default hypervisor command line for a host.</summary>
        public string EffectiveCommandLine()
        {
            if (HypervisorCommandLine != null)
                return HypervisorCommandLine;
            return Host == GuestHost.Xen
                ? Reference.XenReference.CommandLine(Dom0Memory)
                : $"console=com1 dom0_mem={Dom0Memory}";
        }

        /// <summary>QEMU's -initrd takes modules separated by commas; a comma inside one is doubled.</summary>
        public static string EscapeModule(string module) => module.Replace(",", ",,");

        public MachineOptions ToMachineOptions()
        {
            if (string.IsNullOrEmpty(GuestPath))
                throw new ArgumentException("a guest run needs GuestPath");
            if (string.IsNullOrEmpty(HypervisorPath))
                throw new ArgumentException("a guest run needs HypervisorPath");
            var options = new MachineOptions
            {
                Boot = BootKind.Kernel,
                KernelPath = HypervisorPath,
                Append = EffectiveCommandLine(),
                MemoryMiB = MachineMemoryMiB,
                Smp = Smp,
                PreallocateMemory = PreallocateMemory,
            };
            string first = System.IO.Path.GetFullPath(GuestPath);
            if (!string.IsNullOrEmpty(GuestArguments))
                first += " " + GuestArguments;
            options.Modules.Add(EscapeModule(first));
            foreach (string module in ExtraModules)
                options.Modules.Add(EscapeModule(module));
            return options;
        }
    }
}
