using System;
using System.Collections.Generic;

namespace Hypervisor.Tool.Machines
{
    public enum Firmware
    {
        /// <summary>Legacy BIOS (SeaBIOS in QEMU, the Bochs BIOS in Bochs).</summary>
        Bios,
        /// <summary>UEFI (OVMF); QEMU only, ISO boot only.</summary>
        Uefi,
    }

    public enum BootKind
    {
        /// <summary>Boot the GRUB ISO from a CD-ROM (multiboot2).</summary>
        Iso,
        /// <summary>QEMU's -kernel with the ELF32 multiboot1 wrapper (-append, -initrd).</summary>
        Kernel,
    }

    /// <summary>What to boot and on what virtual hardware.</summary>
    public sealed class MachineOptions
    {
        public Firmware Firmware { get; set; } = Firmware.Bios;
        public BootKind Boot { get; set; } = BootKind.Iso;

        /// <summary>The ISO image (Boot = Iso).</summary>
        public string IsoPath { get; set; }

        /// <summary>The multiboot1 ELF (Boot = Kernel).</summary>
        public string KernelPath { get; set; }

        /// <summary>Hypervisor command line (Boot = Kernel): QEMU's -append.</summary>
        public string Append { get; set; }

        /// <summary>Boot modules (Boot = Kernel): each "path [args]", joined with commas into -initrd.</summary>
        public List<string> Modules { get; } = new List<string>();

        public int Smp { get; set; } = 1;
        public int MemoryMiB { get; set; } = 512;

        /// <summary>QEMU: touch all guest RAM at start (-mem-prealloc). The host's first touch of each
        /// page of guest RAM is a page fault of its own, which an emulated hypervisor pays the first time
        /// it writes there; benchmarks that hand out fresh memory use this so that their figures are the
        /// hypervisors' and not the host's (Xen touches all of it at boot anyway, scrubbing it).</summary>
        public bool PreallocateMemory { get; set; }

        /// <summary>QEMU machine type (null: QEMU's default, i440fx "pc"; or "q35").</summary>
        public string MachineType { get; set; }

        /// <summary>QEMU -cpu (Bochs: its CPU model is <see cref="BochsCpuModel"/>).</summary>
        public string Cpu { get; set; } = "max";

        public string BochsCpuModel { get; set; } = "corei7_skylake_x";

        /// <summary>Extra emulator arguments (QEMU) or extra bochsrc lines (Bochs).</summary>
        public List<string> ExtraArgs { get; } = new List<string>();

        /// <summary>Emulator binary override (default: qemu-system-x86_64 / bochs from PATH).</summary>
        public string Executable { get; set; }

        /// <summary>A short name for messages, e.g. "ISO/BIOS".</summary>
        public string Describe()
        {
            string what = Boot == BootKind.Iso ? "ISO" : "-kernel";
            string fw = Firmware == Firmware.Uefi ? "UEFI" : "BIOS";
            string extra = Boot == BootKind.Kernel && !string.IsNullOrEmpty(Append) ? $" \"{Append}\"" : string.Empty;
            return $"{what}/{fw}{extra}";
        }

        internal void Validate()
        {
            if (Smp < 1)
                throw new ArgumentOutOfRangeException(nameof(Smp), Smp, "need at least one CPU");
            if (MemoryMiB < 16)
                throw new ArgumentOutOfRangeException(nameof(MemoryMiB), MemoryMiB, "need at least 16 MiB");
            if (Boot == BootKind.Iso && string.IsNullOrEmpty(IsoPath))
                throw new ArgumentException("ISO boot needs IsoPath");
            if (Boot == BootKind.Kernel && string.IsNullOrEmpty(KernelPath))
                throw new ArgumentException("-kernel boot needs KernelPath");
            if (Boot == BootKind.Kernel && Firmware == Firmware.Uefi)
                throw new ArgumentException("QEMU's multiboot -kernel loader needs BIOS firmware; boot the ISO for UEFI");
        }
    }
}
