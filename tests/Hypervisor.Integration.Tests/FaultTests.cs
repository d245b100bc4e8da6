using System;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Machines;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>Command-line handling: deliberate faults give a decoded panic; unknown options a warning.</summary>
    [Collection(BootCollection.Name)]
    public sealed class FaultTests
    {
        private readonly ImageFixture fixture;
        private readonly ITestOutputHelper output;

        public FaultTests(ImageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        private QemuMachine Kernel(string append)
            => new QemuMachine(new MachineOptions { Boot = BootKind.Kernel, KernelPath = fixture.Images.Elf, Append = append });

        [Theory]
        [InlineData("ud", "#UD", "Invalid opcode", null)]
        [InlineData("pf", "#PF", @"error 0x0000 \(not-present, read, supervisor\)", "CR2=0x0000000000001000")]
        [InlineData("gp", "#GP", "General protection", null)]
        [InlineData("de", "#DE", "Divide", null)]
        public void TestFaultGivesDecodedPanic(string fault, string mnemonic, string decoded, string register)
        {
            using var machine = Kernel("test_fault=" + fault);
            Boot.Start(machine, output);
            try
            {
                SerialLine banner = Boot.Expect(machine, Boot.Banner, 0, "the banner");
                SerialLine panic = Boot.Expect(machine, Boot.Panic + ".*" + Regex.Escape(mnemonic), banner.Index + 1, $"a panic naming {mnemonic}");
                Assert.Matches(decoded, panic.Text);
                SerialLine halted = Boot.Expect(machine, Boot.Halted, panic.Index + 1, "'System halted.'");
                if (register != null)
                    Boot.Expect(machine, @"^\(HV\) .*" + Regex.Escape(register), panic.Index, register);
                SerialLine rip = Boot.Expect(machine, @"^\(HV\) .*RIP=", panic.Index, "RIP=");
                SerialLine cr2 = Boot.Expect(machine, @"^\(HV\) .*CR2=", panic.Index, "CR2=");
                SerialLine stack = Boot.Expect(machine, @"(?i)^\(HV\) .*stack", panic.Index, "a stack dump");
                Assert.True(rip.Index < halted.Index && cr2.Index < halted.Index && stack.Index < halted.Index,
                    $"registers and stack must come before 'System halted.'\n{machine.Transcript()}");

                // It halts forever: the emulator must neither power off nor reset by itself.
                bool exited = machine.WaitForExit(TimeSpan.FromSeconds(2));
                Assert.False(exited, $"after the panic the machine must halt, not exit\n{machine.Transcript()}");
                machine.Kill();
                Assert.Null(machine.FindLine(new Regex(Boot.PoweringOff)));
                Assert.False(machine.PoweredOff);
            }
            finally
            {
                machine.Kill();
                Boot.Report(machine, output);
            }
        }

        [Fact]
        public void UnknownOptionWarnsAndStillBoots()
        {
            using var machine = Kernel("bogus_option=1");
            Boot.Start(machine, output);
            SerialLine warning = Boot.Expect(machine, @"^\(HV\) Warning: .*bogus_option", 0, "a warning naming bogus_option");
            Assert.True(warning.Index > 0);
            Boot.AssertNormalBoot(machine, output, "multiboot1");
        }
    }
}
