using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Acpi
{
    /// <summary>
    /// What the hypervisor needs from ACPI at start of day: how to power off and reset (FADT and the
    /// DSDT's \_S5_), and which CPUs and I/O APIC exist (MADT). Every table is checksum-verified;
    /// a missing table or a bad checksum is a warning and the table is ignored, never a crash. The
    /// values are only computed here: ports are written by the arch layer.
    /// </summary>
    public sealed class AcpiTables
    {
        public const string BadHintMessage = "ACPI: the RSDP from the boot loader is invalid, scanning BIOS memory; it was at";
        public const string NoRsdpMessage = "ACPI: no RSDP found, running without ACPI";
        public const string BadExtendedChecksumMessage = "ACPI: RSDP extended checksum is wrong, using the RSDT";
        public const string BadXsdtMessage = "ACPI: XSDT unreadable or bad checksum, using the RSDT; XSDT at";
        public const string BadRsdtMessage = "ACPI: no valid RSDT or XSDT, running without ACPI; root table at";
        public const string BadTableMessage = "ACPI: table unreadable or bad checksum, ignored; at";
        public const string BadChecksumNamedMessage = "ACPI: table with a bad checksum ignored:";
        public const string DuplicateTableMessage = "ACPI: second table with the same signature ignored:";
        public const string NoFadtMessage = "ACPI: no FADT (FACP): power-off and ACPI reset unavailable";
        public const string NoMadtMessage = "ACPI: no MADT (APIC): assuming one CPU";
        public const string BadDsdtMessage = "ACPI: DSDT unreadable or bad checksum, power-off unavailable; at";
        public const string NoS5Message = "ACPI: no \\_S5_ package in the DSDT, power-off unavailable";

        /// <summary>SLP_EN in PM1x_CNT.</summary>
        public const ushort SleepEnable = 1 << 13;

        /// <summary>FADT flag RESET_REG_SUP.</summary>
        public const uint ResetRegisterSupported = 1u << 10;

        private AcpiTableInfo[] tables = new AcpiTableInfo[0];
        private int tableCount;

        private AcpiTables()
        {
            ApicIds = new uint[0];
            Processors = new MadtProcessor[0];
        }

        /// <summary>True when a valid RSDP and root table were found.</summary>
        public bool Found { get; private set; }

        public ulong RsdpAddress { get; private set; }

        public byte RsdpRevision { get; private set; }

        /// <summary>The RSDP's 6-byte OEM id (null when not found).</summary>
        public byte[] OemId { get; private set; }

        /// <summary>True when tables were listed by the XSDT (64-bit pointers), false for the RSDT.</summary>
        public bool UsesXsdt { get; private set; }

        public ulong RootTableAddress { get; private set; }

        /// <summary>Valid tables listed by the root table.</summary>
        public int TableCount
        {
            get { return tableCount; }
        }

        public AcpiTableInfo this[int index]
        {
            get { return tables[index]; }
        }

        // --- FADT ---

        public bool HasFadt { get; internal set; }

        public ulong FadtAddress { get; internal set; }

        /// <summary>I/O port of PM1a_CNT (0 when absent).</summary>
        public uint Pm1aControlBlock { get; internal set; }

        /// <summary>I/O port of PM1b_CNT (0 when absent).</summary>
        public uint Pm1bControlBlock { get; internal set; }

        /// <summary>X_DSDT when present and non-zero, else DSDT.</summary>
        public ulong DsdtAddress { get; internal set; }

        public uint FadtFlags { get; internal set; }

        /// <summary>True when the FADT says RESET_REG is supported and gives one.</summary>
        public bool HasResetRegister { get; internal set; }

        public GenericAddress ResetRegister { get; internal set; }

        public byte ResetValue { get; internal set; }

        // --- \_S5_ ---

        public bool HasS5 { get; internal set; }

        public byte SlpTypA { get; internal set; }

        public byte SlpTypB { get; internal set; }

        /// <summary>Value to write to PM1a_CNT to power off: (SLP_TYPa &lt;&lt; 10) | SLP_EN.</summary>
        public ushort PowerOffValueA
        {
            get { return (ushort)(((SlpTypA & 7) << 10) | SleepEnable); }
        }

        /// <summary>Value to write to PM1b_CNT (when <see cref="Pm1bControlBlock"/> is not 0).</summary>
        public ushort PowerOffValueB
        {
            get { return (ushort)(((SlpTypB & 7) << 10) | SleepEnable); }
        }

        /// <summary>True when the arch can power off through ACPI.</summary>
        public bool CanPowerOff
        {
            get { return HasS5 && Pm1aControlBlock != 0; }
        }

        // --- MADT ---

        public bool HasMadt { get; internal set; }

        public ulong MadtAddress { get; internal set; }

        /// <summary>Local APIC base (type 5 override applied); 0 without a MADT.</summary>
        public ulong LocalApicAddress { get; internal set; }

        /// <summary>MADT flags; bit 0 PCAT_COMPAT means legacy 8259 PICs are present.</summary>
        public uint MadtFlags { get; internal set; }

        /// <summary>Processors marked enabled (local APIC and local x2APIC entries).</summary>
        public int EnabledCpuCount { get; internal set; }

        /// <summary>Processors present but disabled and marked online-capable (hot-pluggable).</summary>
        public int OnlineCapableCpuCount { get; internal set; }

        /// <summary>APIC ids of the enabled processors, in MADT order (the boot CPU is usually first).</summary>
        public uint[] ApicIds { get; internal set; }

        /// <summary>Every processor entry of the MADT (local APIC and local x2APIC), enabled or not, in
        /// table order; empty without a MADT. <see cref="CpuSelection"/> picks the CPUs to run on.</summary>
        public MadtProcessor[] Processors { get; internal set; }

        public int IoApicCount { get; internal set; }

        /// <summary>The first I/O APIC's address (0 when none).</summary>
        public ulong IoApicAddress { get; internal set; }

        public byte IoApicId { get; internal set; }

        public uint IoApicGsiBase { get; internal set; }

        /// <summary>
        /// Finds the tables. <paramref name="rsdpHint"/> is the RSDP copy from the boot loader
        /// (<see cref="BootInfo.RsdpAddress"/>) or 0 to scan BIOS memory.
        /// </summary>
        public static AcpiTables Parse(PhysicalMemory memory, ulong rsdpHint, BootWarningList warnings)
        {
            if (warnings == null)
            {
                warnings = new BootWarningList();
            }

            AcpiTables acpi = new AcpiTables();
            ulong rsdp = 0;
            bool extendedValid = false;
            if (rsdpHint != 0)
            {
                if (RsdpLocator.IsValid(memory, rsdpHint, out extendedValid))
                {
                    rsdp = rsdpHint;
                }
                else
                {
                    warnings.Add(BadHintMessage, rsdpHint);
                }
            }

            if (rsdp == 0 && (!RsdpLocator.Scan(memory, out rsdp) || !RsdpLocator.IsValid(memory, rsdp, out extendedValid)))
            {
                warnings.Add(NoRsdpMessage);
                return acpi;
            }

            acpi.RsdpAddress = rsdp;
            acpi.RsdpRevision = memory.Read8(rsdp + 15);
            acpi.OemId = new byte[6];
            for (int i = 0; i < 6; i++)
            {
                acpi.OemId[i] = memory.Read8(rsdp + 9 + (ulong)i);
            }

            if (!acpi.FindRootTable(memory, rsdp, extendedValid, warnings))
            {
                return acpi;
            }

            acpi.Found = true;
            acpi.ReadRootTable(memory, warnings);

            if (!acpi.HasFadt)
            {
                warnings.Add(NoFadtMessage);
            }
            else
            {
                acpi.ReadDsdt(memory, warnings);
            }

            if (!acpi.HasMadt)
            {
                warnings.Add(NoMadtMessage);
            }

            return acpi;
        }

        private bool FindRootTable(PhysicalMemory memory, ulong rsdp, bool extendedValid, BootWarningList warnings)
        {
            uint length;
            if (RsdpRevision >= 2)
            {
                if (!extendedValid)
                {
                    warnings.Add(BadExtendedChecksumMessage);
                }
                else
                {
                    ulong xsdt = memory.Read64(rsdp + 24);
                    if (xsdt != 0)
                    {
                        if (AcpiTableHeader.Check(memory, xsdt, out length) == AcpiTableStatus.Valid
                            && memory.Read32(xsdt) == AcpiSignature.Xsdt)
                        {
                            UsesXsdt = true;
                            RootTableAddress = xsdt;
                            return true;
                        }

                        warnings.Add(BadXsdtMessage, xsdt);
                    }
                }
            }

            ulong rsdt = memory.Read32(rsdp + 16);
            if (AcpiTableHeader.Check(memory, rsdt, out length) == AcpiTableStatus.Valid
                && memory.Read32(rsdt) == AcpiSignature.Rsdt)
            {
                RootTableAddress = rsdt;
                return true;
            }

            warnings.Add(BadRsdtMessage, rsdt);
            return false;
        }

        private void ReadRootTable(PhysicalMemory memory, BootWarningList warnings)
        {
            uint rootLength = memory.Read32(RootTableAddress + 4);
            uint entrySize = UsesXsdt ? 8u : 4u;
            uint entries = (rootLength - AcpiTableHeader.Size) / entrySize;
            tables = new AcpiTableInfo[entries];

            for (uint i = 0; i < entries; i++)
            {
                ulong slot = RootTableAddress + AcpiTableHeader.Size + (ulong)i * entrySize;
                ulong address = UsesXsdt ? memory.Read64(slot) : memory.Read32(slot);
                uint length;
                AcpiTableStatus status = AcpiTableHeader.Check(memory, address, out length);
                if (status == AcpiTableStatus.BadChecksum)
                {
                    warnings.AddSubject(BadChecksumNamedMessage, AcpiSignature.ToBytes(memory.Read32(address)));
                    continue;
                }

                if (status != AcpiTableStatus.Valid)
                {
                    warnings.Add(BadTableMessage, address);
                    continue;
                }

                uint signature = memory.Read32(address);
                tables[tableCount++] = new AcpiTableInfo(signature, address, length, memory.Read8(address + 8),
                    AcpiTableHeader.ReadOemId(memory, address));

                if (signature == AcpiSignature.Fadt)
                {
                    if (HasFadt)
                    {
                        warnings.AddSubject(DuplicateTableMessage, AcpiSignature.ToBytes(signature));
                    }
                    else
                    {
                        FadtReader.Read(memory, address, length, this);
                    }
                }
                else if (signature == AcpiSignature.Madt)
                {
                    if (HasMadt)
                    {
                        warnings.AddSubject(DuplicateTableMessage, AcpiSignature.ToBytes(signature));
                    }
                    else
                    {
                        MadtReader.Read(memory, address, length, this, warnings);
                    }
                }
            }
        }

        private void ReadDsdt(PhysicalMemory memory, BootWarningList warnings)
        {
            uint length;
            if (AcpiTableHeader.Check(memory, DsdtAddress, out length) != AcpiTableStatus.Valid
                || memory.Read32(DsdtAddress) != AcpiSignature.Dsdt)
            {
                warnings.Add(BadDsdtMessage, DsdtAddress);
                return;
            }

            byte a;
            byte b;
            if (SleepStateS5.TryFind(memory, DsdtAddress + AcpiTableHeader.Size, DsdtAddress + length, out a, out b))
            {
                HasS5 = true;
                SlpTypA = a;
                SlpTypB = b;
            }
            else
            {
                warnings.Add(NoS5Message);
            }
        }
    }
}
