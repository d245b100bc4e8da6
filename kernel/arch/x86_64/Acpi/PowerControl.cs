using Hypervisor.Core.Acpi;
using Hypervisor.Core.Boot;

namespace Hypervisor.Arch.X86_64
{
    // Turning the machine off (ACPI sleep state S5 through the FADT's PM1 control blocks) and
    // resetting it (the FADT's reset register, the keyboard controller, or a triple fault).
    internal static class PowerControl
    {
        private const ushort SleepTypeMask = 0x1C00;

        // Returns only if the machine did not turn off.
        public static void TryPowerOff(AcpiTables acpi)
        {
            if (acpi == null || !acpi.CanPowerOff)
                return;
            WriteSleep((ushort)acpi.Pm1aControlBlock, acpi.PowerOffValueA);
            if (acpi.Pm1bControlBlock != 0)
                WriteSleep((ushort)acpi.Pm1bControlBlock, acpi.PowerOffValueB);
            for (int spin = 0; spin < 10_000_000; spin++)
                Cpu.Pause();
        }

        private static void WriteSleep(ushort port, ushort value)
        {
            ushort current = Cpu.In16(port);
            Cpu.Out16(port, (ushort)((current & ~SleepTypeMask) | value));
        }

        public static void Reset(AcpiTables acpi, RebootMethod method)
        {
            if (method == RebootMethod.Acpi && acpi != null && acpi.HasResetRegister && acpi.ResetRegister.SpaceId == GenericAddress.SystemIo)
                Cpu.Out8((ushort)acpi.ResetRegister.Address, acpi.ResetValue);
            if (method != RebootMethod.TripleFault)
            {
                for (int spin = 0; spin < 100000 && (Cpu.In8(0x64) & 0x02) != 0; spin++)
                    Cpu.Pause();
                Cpu.Out8(0x64, 0xFE);                  // keyboard controller: pulse the reset line
                for (int spin = 0; spin < 10_000_000; spin++)
                    Cpu.Pause();
            }
            Cpu.TripleFault();
        }
    }
}
