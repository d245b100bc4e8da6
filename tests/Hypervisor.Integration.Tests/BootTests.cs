using Hypervisor.Tool.Machines;
using Xunit;
using Xunit.Abstractions;

namespace Hypervisor.Integration.Tests
{
    /// <summary>A normal boot to power-off on every firmware and emulator we support: the ISO with the hello
    /// guest as dom0, the ELF through -kernel without a dom0 module.</summary>
    [Collection(BootCollection.Name)]
    public sealed class BootTests
    {
        private readonly ImageFixture fixture;
        private readonly ITestOutputHelper output;

        public BootTests(ImageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        private MachineOptions Iso(Firmware firmware = Firmware.Bios, string machineType = null)
            => new MachineOptions { Boot = BootKind.Iso, IsoPath = fixture.Images.Iso, Firmware = firmware, MachineType = machineType };

        [Fact]
        public void IsoBootsUnderBios()
        {
            using var machine = new QemuMachine(Iso());
            Boot.Start(machine, output);
            Boot.AssertHelloDom0Boot(machine, output, "multiboot2");
        }

        [Fact]
        public void IsoBootsUnderBiosOnQ35()
        {
            using var machine = new QemuMachine(Iso(machineType: "q35"));
            Boot.Start(machine, output);
            Boot.AssertHelloDom0Boot(machine, output, "multiboot2");
        }

        [Fact]
        public void IsoBootsUnderUefi()
        {
            Assert.True(Ovmf.Available(), "OVMF firmware not installed (./hv deps installs the ovmf package)");
            using var machine = new QemuMachine(Iso(Firmware.Uefi));
            Boot.Start(machine, output);
            Boot.AssertHelloDom0Boot(machine, output, "multiboot2");
        }

        [Fact]
        public void ElfBootsViaQemuKernel()
        {
            using var machine = new QemuMachine(new MachineOptions { Boot = BootKind.Kernel, KernelPath = fixture.Images.Elf });
            Boot.Start(machine, output);
            Boot.AssertNormalBoot(machine, output, "multiboot1");
        }

        [Fact]
        public void IsoBootsUnderBochs()
        {
            string why = BochsMachine.WhyUnavailable();
            Assert.True(why == null, why + " (./hv deps installs it)");
            using var machine = new BochsMachine(Iso());
            Boot.Start(machine, output);
            Boot.AssertHelloDom0Boot(machine, output, "multiboot2");
        }
    }
}
