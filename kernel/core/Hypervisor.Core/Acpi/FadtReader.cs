using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Acpi
{
    /// <summary>
    /// Reads the Fixed ACPI Description Table ("FACP") fields the hypervisor uses. Offsets from the
    /// ACPI specification (FADT layout): DSDT u32 at 40, PM1a_CNT_BLK u32 at 64, PM1b_CNT_BLK at 68,
    /// Flags at 112, RESET_REG (GAS) at 116, RESET_VALUE at 128, X_DSDT u64 at 140,
    /// X_PM1a_CNT_BLK (GAS) at 172, X_PM1b_CNT_BLK at 184. Older, shorter FADTs lack the later fields,
    /// so each is read only when the table's length covers it.
    /// </summary>
    internal static class FadtReader
    {
        public static void Read(PhysicalMemory memory, ulong fadt, uint length, AcpiTables acpi)
        {
            acpi.HasFadt = true;
            acpi.FadtAddress = fadt;

            if (length >= 44)
            {
                acpi.DsdtAddress = memory.Read32(fadt + 40);
            }

            if (length >= 148)
            {
                ulong extendedDsdt = memory.Read64(fadt + 140);
                if (extendedDsdt != 0)
                {
                    acpi.DsdtAddress = extendedDsdt;
                }
            }

            if (length >= 68)
            {
                acpi.Pm1aControlBlock = memory.Read32(fadt + 64);
            }

            if (length >= 72)
            {
                acpi.Pm1bControlBlock = memory.Read32(fadt + 68);
            }

            // The 64-bit GAS forms stand in when a (reduced or newer) FADT leaves the port fields 0.
            if (acpi.Pm1aControlBlock == 0 && length >= 184)
            {
                acpi.Pm1aControlBlock = PortFromGenericAddress(memory, fadt + 172);
            }

            if (acpi.Pm1bControlBlock == 0 && length >= 196)
            {
                acpi.Pm1bControlBlock = PortFromGenericAddress(memory, fadt + 184);
            }

            if (length >= 116)
            {
                acpi.FadtFlags = memory.Read32(fadt + 112);
            }

            if (length >= 129)
            {
                GenericAddress reset = ReadGenericAddress(memory, fadt + 116);
                acpi.ResetRegister = reset;
                acpi.ResetValue = memory.Read8(fadt + 128);
                acpi.HasResetRegister = (acpi.FadtFlags & AcpiTables.ResetRegisterSupported) != 0 && reset.Address != 0;
            }
        }

        public static GenericAddress ReadGenericAddress(PhysicalMemory memory, ulong at)
        {
            return new GenericAddress(memory.Read8(at), memory.Read8(at + 1), memory.Read8(at + 2), memory.Read8(at + 3),
                memory.Read64(at + 4));
        }

        private static uint PortFromGenericAddress(PhysicalMemory memory, ulong at)
        {
            GenericAddress gas = ReadGenericAddress(memory, at);
            if (gas.SpaceId != GenericAddress.SystemIo || gas.Address > 0xFFFF)
            {
                return 0;
            }

            return (uint)gas.Address;
        }
    }
}
