using System;
using System.IO;
using Hypervisor.Tool.Machines;
using Xunit;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// How a run that ends without a power-off is reported: a triple fault must be named as such (QEMU
    /// ends with status 0 at any reset under -no-reboot, so status and serial output cannot tell).
    /// The machine boots a 48-byte multiboot kernel that loads an empty IDT and raises #BP.
    /// </summary>
    public sealed class EmulatorEndTests
    {
        private const uint LoadAddress = 0x100000;

        /// <summary>Multiboot 1 header with the a.out kludge (flat binary at 1 MiB), then:
        /// lidt [idtr]; int3; idtr: limit 0, base 0; hlt.</summary>
        private static byte[] TripleFaultKernel()
        {
            var image = new byte[48];
            void Put(int offset, uint value) => BitConverter.GetBytes(value).CopyTo(image, offset);
            const uint magic = 0x1BADB002, flags = 1u << 16;
            uint entry = LoadAddress + 32, idtr = LoadAddress + 40;
            Put(0, magic);
            Put(4, flags);
            Put(8, unchecked(0u - magic - flags));
            Put(12, LoadAddress);          // header_addr
            Put(16, LoadAddress);          // load_addr
            Put(20, 0);                    // load_end_addr: the whole file
            Put(24, 0);                    // bss_end_addr: none
            Put(28, entry);
            image[32] = 0x0F; image[33] = 0x01; image[34] = 0x1D;   // lidt [abs32]
            Put(35, idtr);
            image[39] = 0xCC;                                       // int3: no IDT, #GP, #DF, triple fault
            // 40..45: the IDT register image, limit 0 and base 0 (zero bytes)
            image[46] = 0xF4;                                       // hlt, not reached
            return image;
        }

        [Fact]
        public void TripleFaultIsNamed()
        {
            string kernel = Path.Combine(Path.GetTempPath(), "hv-triple-fault-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".bin");
            File.WriteAllBytes(kernel, TripleFaultKernel());
            try
            {
                using var machine = new QemuMachine(new MachineOptions { Boot = BootKind.Kernel, KernelPath = kernel, MemoryMiB = 32 });
                machine.Start();
                Assert.True(machine.WaitForExit(TimeSpan.FromSeconds(60)), "QEMU should end at the triple fault");
                Assert.False(machine.PoweredOff);
                Assert.Equal("the emulated CPU triple-faulted (QEMU ended at the reset)", machine.EndWithoutPowerOff);
            }
            finally
            {
                File.Delete(kernel);
            }
        }
    }
}
