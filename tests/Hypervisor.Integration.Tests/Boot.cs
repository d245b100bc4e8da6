using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Machines;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>Shared checks on a boot's serial console. Every failure message carries the transcript.</summary>
    internal static class Boot
    {
        /// <summary>Generous: software emulation is slow and the machine is shared.</summary>
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

        /// <summary>Names the project and its version ("0.1.0 " or "0.1.0: ...").</summary>
        public const string Banner = @"^\(HV\) Hypervisor 0\.1\.0\b";
        public const string AnyHvLine = @"^\(HV\) ";
        public const string MemoryRange = @"^\(HV\)   0x[0-9a-fA-F]{16}-0x[0-9a-fA-F]{16} \S";
        public const string MemorySummary = @"^\(HV\) Memory: \d+ MiB usable; frames: \d+ free, \d+ used";
        public const string TimerRate = @"^\(HV\) Timer: local APIC .* \d+ Hz";
        public const string TimerTicks = @"^\(HV\) Timer: \d+ ticks";
        public const string NoDom0 = @"^\(HV\) no dom0: ";
        public const string PoweringOff = @"^\(HV\) Powering off";
        public const string HelloGreeting = @"^\(d0\) Hello from a C# PV guest!";
        public const string Dom0PowerOff = @"^\(HV\) domain 0 shut down: poweroff";
        public const string Dom0Stopped = @"^\(HV\) dom0 has stopped; powering off";
        /// <summary>The panic line and the panic screen's last line.</summary>
        public const string Panic = @"^\(HV\) PANIC: ";
        public const string Halted = @"^\(HV\) System halted\.";

        public static Machine Start(Machine machine, ITestOutputHelper output)
        {
            output.WriteLine($"booting {machine.GetType().Name} {machine.Options.Describe()}");
            machine.Start();
            return machine;
        }

        /// <summary>Waits for a line matching <paramref name="pattern"/> at or after <paramref name="from"/>.</summary>
        public static SerialLine Expect(Machine machine, string pattern, int from, string what)
        {
            TimeSpan left = Timeout - machine.Elapsed;
            SerialLine line = machine.WaitForLine(new Regex(pattern, RegexOptions.CultureInvariant),
                left > TimeSpan.Zero ? left : TimeSpan.Zero, from);
            Assert.True(line != null,
                $"expected {what} (/{pattern}/) after serial line {from}, within {Timeout.TotalSeconds:0} s of the start\n{machine.Transcript()}");
            return line;
        }

        /// <summary>
        /// The whole normal boot without a dom0 module, in order, then the emulator ending by itself
        /// through the ACPI power-off.
        /// </summary>
        public static void AssertNormalBoot(Machine machine, ITestOutputHelper output, string multiboot) =>
            AssertNormalBoot(machine, output, multiboot, false);

        /// <summary>The ISO's boot: the same start of day, then the hello guest as dom0, which prints its
        /// greeting and asks for power-off.</summary>
        public static void AssertHelloDom0Boot(Machine machine, ITestOutputHelper output, string multiboot) =>
            AssertNormalBoot(machine, output, multiboot, true);

        private static void AssertNormalBoot(Machine machine, ITestOutputHelper output, string multiboot, bool helloDom0)
        {
            try
            {
                SerialLine banner = Expect(machine, Banner, 0, "the banner");
                SerialLine firstHv = machine.FindLine(new Regex(AnyHvLine));
                Assert.True(firstHv.Index == banner.Index, $"the banner must be the first (HV) line\n{machine.Transcript()}");
                SerialLine boot = Expect(machine, @"^\(HV\) Boot: " + multiboot + @"\b", banner.Index + 1, $"the boot protocol ({multiboot})");
                SerialLine cmd = Expect(machine, @"^\(HV\) Command line: ", boot.Index + 1, "the command line");
                SerialLine map = Expect(machine, @"^\(HV\) Memory map", cmd.Index + 1, "the memory map");
                SerialLine range = Expect(machine, MemoryRange, map.Index + 1, "a memory map entry");
                Assert.True(range.Index == map.Index + 1, $"memory map entries must follow the memory map heading\n{machine.Transcript()}");
                SerialLine memory = Expect(machine, MemorySummary, range.Index + 1, "the memory summary");
                SerialLine acpi = Expect(machine, @"^\(HV\) ACPI: ", memory.Index + 1, "the ACPI lines");
                SerialLine rate = Expect(machine, TimerRate, acpi.Index + 1, "the measured timer rate");
                SerialLine ticks = Expect(machine, TimerTicks, rate.Index + 1, "the timer tick count");
                if (helloDom0)
                {
                    SerialLine hello = Expect(machine, HelloGreeting, ticks.Index + 1, "the hello guest's greeting as dom0");
                    SerialLine shutdown = Expect(machine, Dom0PowerOff, hello.Index + 1, "dom0's shutdown (poweroff)");
                    Expect(machine, Dom0Stopped, shutdown.Index + 1, "'dom0 has stopped; powering off'");
                }
                else
                {
                    SerialLine dom0 = Expect(machine, NoDom0, ticks.Index + 1, "'no dom0'");
                    Expect(machine, PoweringOff, dom0.Index + 1, "'Powering off'");
                }

                TimeSpan left = Timeout - machine.Elapsed;
                bool exited = machine.WaitForExit(left > TimeSpan.FromSeconds(10) ? left : TimeSpan.FromSeconds(10));
                Assert.True(exited, $"the emulator did not exit by itself after 'Powering off'\n{machine.Transcript()}");
                Assert.True(machine.PoweredOff, $"the emulator ended, but not through a guest power-off\n{machine.Transcript()}");
                if (machine is QemuMachine)
                    Assert.Equal(0, machine.ExitCode);
                Assert.Null(machine.FindLine(new Regex(Panic)));
            }
            finally
            {
                Report(machine, output);
            }
        }

        public static void Report(Machine machine, ITestOutputHelper output)
        {
            SerialLine first = machine.FindLine(new Regex(AnyHvLine));
            if (first != null)
                output.WriteLine($"first (HV) line after {first.Time.TotalSeconds:0.000} s");
            if (machine.ExitTime.HasValue)
                output.WriteLine($"emulator ended after {machine.ExitTime.Value.TotalSeconds:0.000} s (powered off: {machine.PoweredOff})");
            output.WriteLine(machine.Transcript());
        }
    }
}
