using Hypervisor.Core.Text;

namespace Hypervisor.Core.Boot
{
    /// <summary>The hypervisor's settings from its command line (see <see cref="CommandLine.Parse"/>).
    /// A new instance holds the defaults.</summary>
    public sealed class HypervisorOptions
    {
        public const uint DefaultBaud = 115200;
        public const ushort DefaultCom1IoBase = 0x3F8;
        public const byte DefaultCom1Irq = 4;

        public HypervisorOptions()
        {
            Console = ConsoleTargets.Com1;
            Com1Baud = DefaultBaud;
            Com1DataBits = 8;
            Com1Parity = (byte)'n';
            Com1StopBits = 1;
            Com1IoBase = DefaultCom1IoBase;
            Com1Irq = DefaultCom1Irq;
            LogLevel = LogLevel.Info;
            Reboot = RebootMethod.Acpi;
            TestFault = TestFault.None;
        }

        /// <summary><c>console=com1,vga,none</c>; default com1.</summary>
        public ConsoleTargets Console { get; set; }

        /// <summary><c>com1=baud[,DPS[,io-base[,irq]]]</c>: the baud rate; default 115200.</summary>
        public uint Com1Baud { get; set; }

        /// <summary><c>com1=auto</c>: keep whatever the firmware programmed.</summary>
        public bool Com1BaudAuto { get; set; }

        public byte Com1DataBits { get; set; }

        /// <summary>'n', 'o', 'e', 'm' or 's' (none, odd, even, mark, space).</summary>
        public byte Com1Parity { get; set; }

        public byte Com1StopBits { get; set; }

        public ushort Com1IoBase { get; set; }

        public byte Com1Irq { get; set; }

        /// <summary><c>loglvl=</c>; default info.</summary>
        public LogLevel LogLevel { get; set; }

        /// <summary>True when <c>dom0_mem=</c> gave an amount.</summary>
        public bool HasDom0Memory { get; set; }

        /// <summary><c>dom0_mem=</c> in bytes (valid when <see cref="HasDom0Memory"/>).</summary>
        public ulong Dom0MemoryBytes { get; set; }

        /// <summary><c>noreboot</c> (or <c>reboot=no</c>): stay halted after a crash instead of
        /// resetting, so the panic stays on screen.</summary>
        public bool NoReboot { get; set; }

        /// <summary><c>reboot=acpi|kbd|triple</c>; default acpi.</summary>
        public RebootMethod Reboot { get; set; }

        /// <summary>dom0_crash_reboot: reset the machine when dom0 crashes (default: power off, so the
        /// crash report stays on the console).</summary>
        public bool RebootOnDom0Crash { get; set; }

        /// <summary><c>nosmp</c>: run on the boot CPU only, starting no other processor (as Xen).</summary>
        public bool NoSmp { get; set; }

        /// <summary><c>maxcpus=N</c> (N at least 1): bring up at most N CPUs, the boot CPU included;
        /// 0 when not given (every CPU the MADT lists).</summary>
        public uint MaxCpus { get; set; }

        /// <summary>The most CPUs to run on as <c>nosmp</c> and <c>maxcpus=</c> say: 1 with nosmp,
        /// otherwise maxcpus, 0 for no limit.</summary>
        public int CpuLimit
        {
            get { return NoSmp ? 1 : (MaxCpus > int.MaxValue ? int.MaxValue : (int)MaxCpus); }
        }

        /// <summary><c>dom0_max_vcpus=N</c> or <c>=min-max</c> (as Xen): dom0 gets as many vCPUs as there are
        /// CPUs online, but at least the minimum and at most the maximum; 0 when not given (no bound).</summary>
        public uint Dom0MinVcpus { get; set; }
        public uint Dom0MaxVcpus { get; set; }

        /// <summary>dom0's vCPU count on a machine with <paramref name="onlineCpus"/> CPUs, at most
        /// <paramref name="limit"/> (what a domain can have).</summary>
        public int Dom0VcpuCount(int onlineCpus, int limit)
        {
            ulong count = (ulong)(onlineCpus < 1 ? 1 : onlineCpus);
            if (Dom0MaxVcpus != 0 && count > Dom0MaxVcpus)
                count = Dom0MaxVcpus;
            if (count < Dom0MinVcpus)
                count = Dom0MinVcpus;
            if (count > (ulong)limit)
                count = (ulong)limit;
            return count < 1 ? 1 : (int)count;
        }

        /// <summary><c>test_fault=ud|pf|gp|de|none</c>; default none.</summary>
        public TestFault TestFault { get; set; }
    }
}
