using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Acpi
{
    /// <summary>
    /// Reads the Multiple APIC Description Table ("APIC"): local APIC address (u32 at 36), flags (40),
    /// then variable-length entries from 44, each starting with type and length bytes. Used entries:
    /// 0 processor local APIC (APIC id at 3, flags at 4: bit 0 enabled, bit 1 online capable),
    /// 1 I/O APIC (id at 2, address at 4, GSI base at 8), 5 local APIC address override (u64 at 4),
    /// 9 processor local x2APIC (x2APIC id at 4, flags at 8, UID at 12). Every processor entry is kept
    /// (<see cref="AcpiTables.Processors"/>) so that the arch layer can tell the boot CPU, the CPUs to
    /// start and the ones it cannot reach apart.
    /// </summary>
    internal static class MadtReader
    {
        public const string BadEntryMessage = "ACPI: MADT entry with a bad length, rest of the MADT ignored; at offset";

        private const uint EntriesStart = 44;
        private const byte TypeLocalApic = 0;
        private const byte TypeIoApic = 1;
        private const byte TypeLocalApicOverride = 5;
        private const byte TypeLocalX2Apic = 9;
        private const uint Enabled = 1;
        private const uint OnlineCapable = 2;

        public static void Read(PhysicalMemory memory, ulong madt, uint length, AcpiTables acpi, BootWarningList warnings)
        {
            acpi.HasMadt = true;
            acpi.MadtAddress = madt;
            if (length < EntriesStart)
            {
                warnings.AddDecimal(BadEntryMessage, length);
                return;
            }

            acpi.LocalApicAddress = memory.Read32(madt + 36);
            acpi.MadtFlags = memory.Read32(madt + 40);

            // First pass counts, so the arrays are allocated once at their exact sizes.
            int processors;
            int enabled = Walk(memory, madt, length, acpi, null, null, warnings, out processors);
            uint[] ids = new uint[enabled];
            MadtProcessor[] entries = new MadtProcessor[processors];
            Walk(memory, madt, length, acpi, ids, entries, null, out processors);
            acpi.ApicIds = ids;
            acpi.Processors = entries;
            acpi.EnabledCpuCount = enabled;
        }

        // Returns the number of enabled processors and counts every processor entry; fills ids,
        // entries and the other results when ids is given.
        private static int Walk(PhysicalMemory memory, ulong madt, uint length, AcpiTables acpi, uint[] ids, MadtProcessor[] entries,
            BootWarningList warnings, out int processors)
        {
            processors = 0;
            int enabled = 0;
            int onlineCapable = 0;
            int ioApics = 0;
            uint offset = EntriesStart;
            while (length - offset >= 2)
            {
                ulong entry = madt + offset;
                byte type = memory.Read8(entry);
                byte entryLength = memory.Read8(entry + 1);
                if (entryLength < 2 || entryLength > length - offset)
                {
                    if (warnings != null)
                    {
                        warnings.AddDecimal(BadEntryMessage, offset);
                    }

                    break;
                }

                uint id = 0;
                uint uid = 0;
                uint flags = 0;
                bool isProcessor = false;
                if (type == TypeLocalApic && entryLength >= 8)
                {
                    isProcessor = true;
                    uid = memory.Read8(entry + 2);
                    id = memory.Read8(entry + 3);
                    flags = memory.Read32(entry + 4);
                }
                else if (type == TypeLocalX2Apic && entryLength >= 16)
                {
                    isProcessor = true;
                    id = memory.Read32(entry + 4);
                    flags = memory.Read32(entry + 8);
                    uid = memory.Read32(entry + 12);
                }
                else if (type == TypeIoApic && entryLength >= 12)
                {
                    if (ids != null && ioApics == 0)
                    {
                        acpi.IoApicId = memory.Read8(entry + 2);
                        acpi.IoApicAddress = memory.Read32(entry + 4);
                        acpi.IoApicGsiBase = memory.Read32(entry + 8);
                    }

                    ioApics++;
                }
                else if (type == TypeLocalApicOverride && entryLength >= 12 && ids != null)
                {
                    acpi.LocalApicAddress = memory.Read64(entry + 4);
                }

                if (isProcessor)
                {
                    if (entries != null && processors < entries.Length)
                    {
                        entries[processors] = new MadtProcessor(id, uid, (flags & Enabled) != 0,
                            (flags & Enabled) == 0 && (flags & OnlineCapable) != 0, type == TypeLocalX2Apic);
                    }

                    processors++;
                    if ((flags & Enabled) != 0)
                    {
                        if (ids != null && enabled < ids.Length)
                        {
                            ids[enabled] = id;
                        }

                        enabled++;
                    }
                    else if ((flags & OnlineCapable) != 0)
                    {
                        onlineCapable++;
                    }
                }

                offset += entryLength;
            }

            if (ids != null)
            {
                acpi.IoApicCount = ioApics;
                acpi.OnlineCapableCpuCount = onlineCapable;
            }

            return enabled;
        }
    }
}
