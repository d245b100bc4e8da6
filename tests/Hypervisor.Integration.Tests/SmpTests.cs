using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Guests;
using Hypervisor.Tool.Machines;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// The other CPUs: with -smp 4 every one is started (INIT-SIPI-SIPI), reported and counted, and dom0
    /// runs to its power-off; with maxcpus=1 the second CPU is left offline. Guests run on every CPU: the
    /// smp conformance suite's dom0 brings its second vCPU up and finds it running at the same time on
    /// another CPU, woken and interrupted by events from the first, taken down and up again, its TLB
    /// flushed by the first vCPU's page-table changes and its GDT reloaded by its descriptor changes; a
    /// second domain is paused and destroyed while it runs on the other CPU.
    /// </summary>
    [Collection(BootCollection.Name)]
    public sealed class SmpTests
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
        private static readonly TimeSpan SuiteTimeout = TimeSpan.FromMinutes(10);
        private readonly ImageFixture fixture;
        private readonly ITestOutputHelper output;

        public SmpTests(ImageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        [Fact]
        public void FourCpusComeOnline_AndDom0StillRuns()
        {
            using var machine = new QemuMachine(new MachineOptions { Boot = BootKind.Iso, IsoPath = fixture.Images.Iso, Smp = 4 });
            Boot.Start(machine, output);
            Boot.AssertHelloDom0Boot(machine, output, "multiboot2");

            SerialLine ticks = machine.FindLine(new Regex(Boot.TimerTicks));
            int previous = ticks.Index;
            for (int cpu = 1; cpu < 4; cpu++)
            {
                SerialLine up = Boot.Expect(machine, $@"^\(HV\) CPU {cpu} is up \(APIC id \d+\)$", previous + 1, $"CPU {cpu} coming up");
                previous = up.Index;
            }
            SerialLine online = Boot.Expect(machine, @"^\(HV\) 4 CPUs online$", previous + 1, "'4 CPUs online'");
            SerialLine hello = machine.FindLine(new Regex(Boot.HelloGreeting));
            Assert.True(online.Index < hello.Index, $"the CPUs must be online before dom0 runs\n{machine.Transcript()}");
            Assert.Null(machine.FindLine(new Regex(@"^\(HV\) Warning: .*(CPU|SMP|IPI)")));
        }

        [Fact]
        public void MaxCpusOne_LeavesTheSecondCpuOffline()
        {
            string hello = HelloGuest();
            var options = new MachineOptions { Boot = BootKind.Kernel, KernelPath = fixture.Images.Elf, Smp = 2, Append = "maxcpus=1" };
            options.Modules.Add(hello);
            using var machine = new QemuMachine(options);
            Boot.Start(machine, output);
            Boot.AssertHelloDom0Boot(machine, output, "multiboot1");

            SerialLine madt = Boot.Expect(machine, @"^\(HV\) ACPI: MADT: 2 CPU\(s\)", 0, "the MADT listing 2 CPUs");
            Boot.Expect(machine, @"^\(HV\) 1 CPU online \(1 more left offline by maxcpus=1\)$", madt.Index + 1, "'1 CPU online' naming maxcpus=1");
            Assert.Null(machine.FindLine(new Regex(@"^\(HV\) CPU \d+ is up")));
            Assert.Null(machine.FindLine(new Regex(@"^\(HV\) Warning: ")));
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public void Dom0VcpusRunOnDifferentCpusAtOnce(int cpus)
        {
            HvScript.Result result = HvScript.Run(fixture.Images.RepoRoot, SuiteTimeout, null,
                "conformance", "--on", "ours", "--suite", "smp", "--smp", cpus.ToString(CultureInfo.InvariantCulture), "--verbose");
            output.WriteLine(result.Describe());
            Assert.False(result.TimedOut, "./hv conformance --suite smp did not finish\n" + result.Describe());
            Assert.True(result.ExitCode == 0, "the smp suite failed on ours\n" + result.Describe());
            Assert.Matches(new Regex(@"^smp\s+ours\s+\d+\s+0\s+0\s", RegexOptions.Multiline), result.Stdout);
            string all = result.Stdout + result.Stderr;
            foreach (string test in new[]
            {
                "second_vcpu_starts", "both_vcpus_run_at_once", "runstate_other_running", "getvcpuinfo_cpus_differ",
                "send_wakes_polling_vcpu", "send_interrupts_running_vcpu", "uvmf_invlpg_all", "mmuext_tlb_flush_multi",
                "down_vcpu_stands_still", "vcpu_runs_again_after_up", "update_descriptor_reaches_other_vcpu",
                "spinner_runs_on_other_cpu", "pause_spinner_running_elsewhere", "destroy_spinner_running_elsewhere",
                "destroyed_second_spinner_gone",
            })
                Assert.Matches(new Regex(@"TEST smp/" + test + @": PASS"), all);
            Assert.Matches(new Regex(@"getvcpuinfo_cpus_differ: PASS vCPU 0 on CPU (\d+), vCPU 1 on CPU (?!\1)\d+"), all);
            Assert.DoesNotMatch(new Regex(@"\(HV\) (PANIC|Warning)"), all);
        }

        /// <summary>A kernel nobody here wrote: Debian's Linux brings up its second vCPU on the second CPU
        /// (VCPUOP_register_vcpu_info for it while down, VCPUOP_initialise with IOPL 1, VCPUOP_up, its
        /// timer and IPI event channels) and goes on, on both, to its root file system.</summary>
        [Fact]
        public void LinuxBringsUpItsSecondVcpu()
        {
            string root = fixture.Images.RepoRoot;
            HvScript.Result fetch = HvScript.Run(root, BuildTimeout, null, "linux", "--fetch");
            Assert.True(fetch.ExitCode == 0, "./hv linux --fetch failed:\n" + fetch.Describe());
            GuestRunResult run = GuestRunner.Run(new GuestRunOptions
            {
                Host = GuestHost.Ours,
                GuestPath = Path.Combine(root, "out", "linux", "vmlinux"),
                GuestArguments = "console=hvc0 earlyprintk=xen",
                HypervisorPath = fixture.Images.Elf,
                Dom0Memory = "256M",
                Smp = 2,
                Timeout = TimeSpan.FromMinutes(5),
            });
            output.WriteLine(run.Transcript);
            string transcript = $"({run.Reason})\n{run.Transcript}";
            Assert.True(run.Transcript.Contains("installing Xen timer for CPU 1"), "Linux did not start its second vCPU\n" + transcript);
            Assert.True(run.Transcript.Contains("smp: Brought up 1 node, 2 CPUs"), "Linux did not bring up both vCPUs\n" + transcript);
            Assert.True(run.Transcript.Contains("VFS: Unable to mount root fs"), "Linux did not reach its root file system\n" + transcript);
            Assert.Equal("crashed", run.DomainEnd);
        }

        // The kit's hello guest, the ISO's dom0, for a -kernel boot (./hv iso builds it; built here if missing).
        private string HelloGuest()
        {
            string root = fixture.Images.RepoRoot;
            string hello = Path.Combine(root, "out", "guests", "hello.elf");
            if (!File.Exists(hello))
            {
                HvScript.Result build = HvScript.Run(root, BuildTimeout, null, "guests", "hello");
                Assert.True(build.ExitCode == 0, "./hv guests hello failed:\n" + build.Describe());
            }
            Assert.True(File.Exists(hello), $"{hello} was not built");
            return hello;
        }
    }
}
