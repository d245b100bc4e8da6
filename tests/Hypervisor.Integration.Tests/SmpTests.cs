using System;
using System.IO;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Machines;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// The other CPUs: with -smp 4 every one is started (INIT-SIPI-SIPI), reported and counted, and dom0
    /// still runs on the boot CPU to its power-off; with maxcpus=1 the second CPU is left offline.
    /// </summary>
    [Collection(BootCollection.Name)]
    public sealed class SmpTests
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
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
