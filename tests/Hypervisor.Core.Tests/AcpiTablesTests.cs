using System;
using Hypervisor.Core.Acpi;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class AcpiTablesTests
    {
        private const ulong RsdpAt = 0xF0010;
        private const uint RsdtAt = 0x7F00000;
        private const ulong XsdtAt = 0x7F01000;
        private const uint FadtAt = 0x7F02000;
        private const uint DsdtAt = 0x7F03000;
        private const uint MadtAt = 0x7F04000;

        private static readonly byte[] S5Bytes = AcpiBuilder.S5Package(new byte[] { 0x0A, 0x05 }, new byte[] { 0x0A, 0x05 });

        private static byte[] StandardMadt() => AcpiBuilder.Madt(0xFEE00000, 1,
            AcpiBuilder.LocalApic(0, 0, 1),
            AcpiBuilder.LocalApic(1, 2, 1),
            AcpiBuilder.LocalApic(2, 4, 2),   // online capable, not enabled
            AcpiBuilder.LocalApic(3, 6, 0),   // absent
            AcpiBuilder.IoApic(8, 0xFEC00000, 0),
            AcpiBuilder.IoApic(9, 0xFEC01000, 24));

        /// <summary>BIOS area with an RSDP, the root tables, FADT, DSDT and MADT; parts can be replaced.</summary>
        private static FakeMemory Machine(
            byte[] rsdp = null, byte[] rsdt = null, byte[] xsdt = null, byte[] fadt = null, byte[] dsdt = null, byte[] madt = null,
            bool biosArea = true)
        {
            var memory = new FakeMemory();
            if (biosArea)
            {
                memory.Map(0xE0000, 0x20000);
                memory.WriteBytes(RsdpAt, rsdp ?? AcpiBuilder.Rsdp(2, RsdtAt, XsdtAt));
            }

            AcpiBuilder.Place(memory, RsdtAt, rsdt ?? AcpiBuilder.Rsdt(FadtAt, MadtAt));
            AcpiBuilder.Place(memory, XsdtAt, xsdt ?? AcpiBuilder.Xsdt(FadtAt, MadtAt));
            AcpiBuilder.Place(memory, FadtAt, fadt ?? AcpiBuilder.Fadt(DsdtAt, 0x604, 0, xDsdt: DsdtAt));
            AcpiBuilder.Place(memory, DsdtAt, dsdt ?? AcpiBuilder.Dsdt(S5Bytes));
            AcpiBuilder.Place(memory, MadtAt, madt ?? StandardMadt());
            return memory;
        }

        private static (AcpiTables Acpi, BootWarningList Warnings) Parse(PhysicalMemory memory, ulong hint = 0)
        {
            var warnings = new BootWarningList();
            return (AcpiTables.Parse(memory, hint, warnings), warnings);
        }

        [Fact]
        public void Acpi2Machine_FoundByScan_UsesXsdt_AndReadsEverything()
        {
            var (acpi, warnings) = Parse(Machine());

            Assert.Equal(0, warnings.Count);
            Assert.True(acpi.Found);
            Assert.Equal(RsdpAt, acpi.RsdpAddress);
            Assert.Equal((byte)2, acpi.RsdpRevision);
            Assert.Equal("TESTOE", Ascii.Str(acpi.OemId));
            Assert.True(acpi.UsesXsdt);
            Assert.Equal(XsdtAt, acpi.RootTableAddress);
            Assert.Equal(2, acpi.TableCount);
            Assert.Equal(AcpiSignature.Fadt, acpi[0].Signature);
            Assert.Equal((ulong)MadtAt, acpi[1].Address);

            Assert.True(acpi.HasFadt);
            Assert.Equal(0x604u, acpi.Pm1aControlBlock);
            Assert.Equal(0u, acpi.Pm1bControlBlock);
            Assert.Equal((ulong)DsdtAt, acpi.DsdtAddress);

            Assert.True(acpi.HasS5);
            Assert.Equal((byte)5, acpi.SlpTypA);
            Assert.Equal((byte)5, acpi.SlpTypB);
            Assert.Equal((ushort)0x3400, acpi.PowerOffValueA); // (5 << 10) | (1 << 13)
            Assert.True(acpi.CanPowerOff);

            Assert.True(acpi.HasMadt);
            Assert.Equal(0xFEE00000UL, acpi.LocalApicAddress);
            Assert.Equal(1u, acpi.MadtFlags);
            Assert.Equal(2, acpi.EnabledCpuCount);
            Assert.Equal(new uint[] { 0, 2 }, acpi.ApicIds);
            Assert.Equal(1, acpi.OnlineCapableCpuCount);
            Assert.Equal(2, acpi.IoApicCount);
            Assert.Equal(0xFEC00000UL, acpi.IoApicAddress);
            Assert.Equal((byte)8, acpi.IoApicId);
            Assert.Equal(0u, acpi.IoApicGsiBase);
        }

        [Fact]
        public void Acpi1Machine_UsesRsdt_AndShortFadt()
        {
            var memory = Machine(
                rsdp: AcpiBuilder.Rsdp(0, RsdtAt, 0),
                fadt: AcpiBuilder.Fadt(DsdtAt, 0x4004, 0x4104, totalLength: 116));
            var (acpi, warnings) = Parse(memory);

            Assert.Equal(0, warnings.Count);
            Assert.False(acpi.UsesXsdt);
            Assert.Equal((ulong)RsdtAt, acpi.RootTableAddress);
            Assert.Equal((ulong)DsdtAt, acpi.DsdtAddress);
            Assert.Equal(0x4004u, acpi.Pm1aControlBlock);
            Assert.Equal(0x4104u, acpi.Pm1bControlBlock);
            Assert.Equal((ushort)0x3400, acpi.PowerOffValueB);
            Assert.False(acpi.HasResetRegister);
        }

        [Fact]
        public void XDsdt_IsPreferredOverDsdt()
        {
            var memory = Machine(fadt: AcpiBuilder.Fadt(0x1234, 0x604, 0, xDsdt: DsdtAt));
            var (acpi, _) = Parse(memory);
            Assert.Equal((ulong)DsdtAt, acpi.DsdtAddress);
            Assert.True(acpi.HasS5);
        }

        [Fact]
        public void RsdpHintFromBootLoader_IsUsed_WithoutScanning()
        {
            var memory = Machine(biosArea: false);
            memory.Map(0x20000, 64);
            memory.WriteBytes(0x20010, AcpiBuilder.Rsdp(2, RsdtAt, XsdtAt));
            var (acpi, warnings) = Parse(memory, 0x20010);
            Assert.Equal(0, warnings.Count);
            Assert.Equal(0x20010UL, acpi.RsdpAddress);
            Assert.True(acpi.Found);
        }

        [Fact]
        public void InvalidHint_WarnsAndFallsBackToScan()
        {
            var memory = Machine();
            memory.Map(0x20000, 64);
            memory.WriteBytes(0x20010, AcpiBuilder.Corrupt(AcpiBuilder.Rsdp(0, RsdtAt, 0), 12));
            var (acpi, warnings) = Parse(memory, 0x20010);
            Assert.True(warnings.Contains(AcpiTables.BadHintMessage));
            Assert.Equal(RsdpAt, acpi.RsdpAddress);
            Assert.True(acpi.Found);
        }

        [Fact]
        public void RsdpInEbda_IsFound()
        {
            var memory = Machine(biosArea: false);
            memory.Map(0, 0x1000);
            memory.Write16(0x40E, 0x9FC0);
            memory.Map(0x9FC00, 0x400);
            memory.WriteBytes(0x9FC40, AcpiBuilder.Rsdp(2, RsdtAt, XsdtAt));
            var (acpi, warnings) = Parse(memory);
            Assert.Equal(0, warnings.Count);
            Assert.Equal(0x9FC40UL, acpi.RsdpAddress);
        }

        [Fact]
        public void ScanSkipsRsdpWithBadChecksum_AndUnalignedSignatures()
        {
            var memory = new FakeMemory().Map(0xE0000, 0x20000);
            memory.WriteBytes(0xE0008, AcpiBuilder.Rsdp(0, RsdtAt, 0)); // not on a 16-byte boundary
            memory.WriteBytes(0xE0100, AcpiBuilder.Corrupt(AcpiBuilder.Rsdp(0, RsdtAt, 0), 12));
            var (acpi, warnings) = Parse(memory);
            Assert.False(acpi.Found);
            Assert.True(warnings.Contains(AcpiTables.NoRsdpMessage));
        }

        [Fact]
        public void NoAcpiAtAll_IsAWarningNotACrash_AndNothingIsRead()
        {
            var memory = new Mock<PhysicalMemory>(MockBehavior.Strict);
            memory.Setup(m => m.IsReadable(It.IsAny<ulong>(), It.IsAny<ulong>())).Returns(false);
            var (acpi, warnings) = Parse(memory.Object);
            Assert.False(acpi.Found);
            Assert.False(acpi.CanPowerOff);
            Assert.Empty(acpi.ApicIds);
            Assert.Equal(1, warnings.Count);
            Assert.Equal(AcpiTables.NoRsdpMessage, warnings[0].Message);
            memory.Verify(m => m.Read8(It.IsAny<ulong>()), Times.Never);
        }

        [Fact]
        public void BadExtendedChecksum_FallsBackToRsdt()
        {
            var rsdp = AcpiBuilder.Rsdp(2, RsdtAt, XsdtAt);
            rsdp[33] ^= 1; // reserved byte: breaks only the extended checksum
            var (acpi, warnings) = Parse(Machine(rsdp: rsdp));
            Assert.True(warnings.Contains(AcpiTables.BadExtendedChecksumMessage));
            Assert.False(acpi.UsesXsdt);
            Assert.True(acpi.HasFadt);
        }

        [Fact]
        public void BadXsdtChecksum_FallsBackToRsdt()
        {
            var (acpi, warnings) = Parse(Machine(xsdt: AcpiBuilder.Corrupt(AcpiBuilder.Xsdt(FadtAt, MadtAt))));
            Assert.True(warnings.Contains(AcpiTables.BadXsdtMessage));
            Assert.False(acpi.UsesXsdt);
            Assert.True(acpi.Found);
            Assert.True(acpi.HasMadt);
        }

        [Fact]
        public void BadRsdtAndNoXsdt_MeansNoAcpi()
        {
            var memory = Machine(rsdp: AcpiBuilder.Rsdp(0, RsdtAt, 0), rsdt: AcpiBuilder.Corrupt(AcpiBuilder.Rsdt(FadtAt)));
            var (acpi, warnings) = Parse(memory);
            Assert.False(acpi.Found);
            Assert.True(warnings.Contains(AcpiTables.BadRsdtMessage));
        }

        [Fact]
        public void TableWithBadChecksum_IsIgnored_WithWarningNamingIt()
        {
            var (acpi, warnings) = Parse(Machine(madt: AcpiBuilder.Corrupt(StandardMadt(), 50)));
            Assert.False(acpi.HasMadt);
            Assert.Equal(1, acpi.TableCount);
            Assert.Equal(AcpiTables.BadChecksumNamedMessage, warnings[0].Message);
            Assert.Equal("APIC", Ascii.Str(warnings[0].Subject));
            Assert.True(warnings.Contains(AcpiTables.NoMadtMessage));
            Assert.Equal(0, acpi.EnabledCpuCount);
        }

        [Fact]
        public void MissingFadt_IsReported()
        {
            var (acpi, warnings) = Parse(Machine(xsdt: AcpiBuilder.Xsdt(MadtAt)));
            Assert.False(acpi.HasFadt);
            Assert.False(acpi.CanPowerOff);
            Assert.True(warnings.Contains(AcpiTables.NoFadtMessage));
            Assert.True(acpi.HasMadt);
        }

        [Fact]
        public void RootTableEntryPointingNowhere_IsAWarning()
        {
            var (acpi, warnings) = Parse(Machine(xsdt: AcpiBuilder.Xsdt(0xDEAD0000, FadtAt, MadtAt)));
            Assert.True(warnings.Contains(AcpiTables.BadTableMessage));
            Assert.Equal(0xDEAD0000UL, warnings[0].First);
            Assert.True(acpi.HasFadt);
        }

        [Fact]
        public void DsdtWithBadChecksum_MeansNoPowerOff()
        {
            var (acpi, warnings) = Parse(Machine(dsdt: AcpiBuilder.Corrupt(AcpiBuilder.Dsdt(S5Bytes), 40)));
            Assert.True(warnings.Contains(AcpiTables.BadDsdtMessage));
            Assert.False(acpi.HasS5);
            Assert.False(acpi.CanPowerOff);
        }

        [Fact]
        public void DsdtWithoutS5_IsReported()
        {
            var (acpi, warnings) = Parse(Machine(dsdt: AcpiBuilder.Dsdt(new byte[] { 0x08, (byte)'_', (byte)'S', (byte)'3', (byte)'_', 0x12, 0x06, 0x04, 0, 0, 0, 0 })));
            Assert.True(warnings.Contains(AcpiTables.NoS5Message));
            Assert.False(acpi.HasS5);
        }

        [Theory]
        [InlineData(new byte[] { 0x0A, 0x07 }, new byte[] { 0x0A, 0x07 }, 7, 7)]
        [InlineData(new byte[] { 0x00 }, new byte[] { 0x00 }, 0, 0)]
        [InlineData(new byte[] { 0x01 }, new byte[] { 0x0A, 0x03 }, 1, 3)]
        [InlineData(new byte[] { 0x0B, 0x05, 0x00 }, new byte[] { 0x0C, 0x06, 0, 0, 0 }, 5, 6)]
        public void S5PackageForms(byte[] first, byte[] second, int a, int b)
        {
            foreach (bool rootPrefix in new[] { true, false })
            {
                var (acpi, _) = Parse(Machine(dsdt: AcpiBuilder.Dsdt(AcpiBuilder.S5Package(first, second, rootPrefix))));
                Assert.True(acpi.HasS5);
                Assert.Equal((byte)a, acpi.SlpTypA);
                Assert.Equal((byte)b, acpi.SlpTypB);
                Assert.Equal((ushort)((a << 10) | 0x2000), acpi.PowerOffValueA);
                Assert.Equal((ushort)((b << 10) | 0x2000), acpi.PowerOffValueB);
            }
        }

        [Fact]
        public void S5PackageWithOneElement_HasSlpTypBZero()
        {
            var (acpi, _) = Parse(Machine(dsdt: AcpiBuilder.Dsdt(AcpiBuilder.S5Package(new byte[] { 0x0A, 0x05 }, Array.Empty<byte>(), elements: 1))));
            Assert.True(acpi.HasS5);
            Assert.Equal((byte)5, acpi.SlpTypA);
            Assert.Equal((byte)0, acpi.SlpTypB);
        }

        [Fact]
        public void S5ReferenceWithoutPackage_IsSkipped_RealDefinitionFound()
        {
            // A method body referring to \_S5_ (followed by a non-package byte), then the definition.
            var aml = new byte[] { 0x5B, 0x12, (byte)'\\', (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x00 };
            var full = new byte[aml.Length + S5Bytes.Length];
            aml.CopyTo(full, 0);
            S5Bytes.CopyTo(full, aml.Length);
            var (acpi, _) = Parse(Machine(dsdt: AcpiBuilder.Dsdt(full)));
            Assert.True(acpi.HasS5);
            Assert.Equal((byte)5, acpi.SlpTypA);
        }

        [Fact]
        public void S5AtTheVeryEndOfTheDsdt_DoesNotReadPastIt()
        {
            var truncated = new byte[] { 0x08, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x0A };
            var (acpi, warnings) = Parse(Machine(dsdt: AcpiBuilder.Dsdt(truncated)));
            Assert.False(acpi.HasS5);
            Assert.True(warnings.Contains(AcpiTables.NoS5Message));
        }

        [Fact]
        public void ResetRegister_IsReadWhenSupported()
        {
            var fadt = AcpiBuilder.Fadt(DsdtAt, 0x604, 0, flags: 1u << 10, resetRegister: (GenericAddress.SystemIo, 0xCF9), resetValue: 6);
            var (acpi, _) = Parse(Machine(fadt: fadt));
            Assert.True(acpi.HasResetRegister);
            Assert.Equal(GenericAddress.SystemIo, acpi.ResetRegister.SpaceId);
            Assert.Equal(0xCF9UL, acpi.ResetRegister.Address);
            Assert.Equal((byte)8, acpi.ResetRegister.BitWidth);
            Assert.Equal((byte)6, acpi.ResetValue);
            Assert.Equal(1u << 10, acpi.FadtFlags);
        }

        [Fact]
        public void ResetRegister_WithoutTheFlag_IsNotUsed()
        {
            var fadt = AcpiBuilder.Fadt(DsdtAt, 0x604, 0, flags: 0, resetRegister: (GenericAddress.SystemIo, 0xCF9), resetValue: 6);
            var (acpi, _) = Parse(Machine(fadt: fadt));
            Assert.False(acpi.HasResetRegister);
        }

        [Fact]
        public void Pm1aFromExtendedGas_WhenTheOldFieldIsZero()
        {
            var fadt = AcpiBuilder.Fadt(DsdtAt, 0, 0, xDsdt: DsdtAt);
            fadt[172] = GenericAddress.SystemIo;
            fadt[173] = 16;
            BitConverter.GetBytes(0xB004UL).CopyTo(fadt, 176);
            AcpiBuilder.Rechecksum(fadt);
            var (acpi, _) = Parse(Machine(fadt: fadt));
            Assert.Equal(0xB004u, acpi.Pm1aControlBlock);
            Assert.True(acpi.CanPowerOff);
        }

        [Fact]
        public void Madt_OverrideAndX2Apic()
        {
            var madt = AcpiBuilder.Madt(0xFEE00000, 0,
                AcpiBuilder.LocalApic(0, 0, 1),
                AcpiBuilder.LocalApicOverride(0x1_0000_0000),
                AcpiBuilder.LocalX2Apic(300, 1),
                AcpiBuilder.LocalX2Apic(301, 0));
            var (acpi, warnings) = Parse(Machine(madt: madt));
            Assert.Equal(0, warnings.Count);
            Assert.Equal(0x1_0000_0000UL, acpi.LocalApicAddress);
            Assert.Equal(new uint[] { 0, 300 }, acpi.ApicIds);
            Assert.Equal(2, acpi.EnabledCpuCount);
            Assert.Equal(0, acpi.IoApicCount);
            Assert.Equal(0UL, acpi.IoApicAddress);
        }

        [Fact]
        public void Madt_EntryWithBadLength_StopsThere_WithWarning()
        {
            var broken = new byte[] { 0, 0 }; // length 0 would loop forever if trusted
            var madt = AcpiBuilder.Madt(0xFEE00000, 0, AcpiBuilder.LocalApic(0, 0, 1), broken, AcpiBuilder.LocalApic(1, 1, 1));
            var (acpi, warnings) = Parse(Machine(madt: madt));
            Assert.Equal(1, acpi.EnabledCpuCount);
            Assert.Equal(1, warnings.Count);
            Assert.Equal(52UL, warnings[0].First); // offset of the broken entry
        }

        [Fact]
        public void Madt_EntryRunningPastTheTable_StopsThere()
        {
            var overrun = AcpiBuilder.LocalApic(1, 1, 1);
            overrun[1] = 40;
            var madt = AcpiBuilder.Madt(0xFEE00000, 0, AcpiBuilder.LocalApic(0, 0, 1), overrun);
            var (acpi, warnings) = Parse(Machine(madt: madt));
            Assert.Equal(1, acpi.EnabledCpuCount);
            Assert.Equal(1, warnings.Count);
        }

        [Fact]
        public void DuplicateMadt_FirstOneWins()
        {
            var memory = Machine(xsdt: AcpiBuilder.Xsdt(FadtAt, MadtAt, 0x7F05000));
            AcpiBuilder.Place(memory, 0x7F05000, AcpiBuilder.Madt(0xFEE00000, 0, AcpiBuilder.LocalApic(0, 7, 1)));
            var (acpi, warnings) = Parse(memory);
            Assert.Equal(new uint[] { 0, 2 }, acpi.ApicIds);
            Assert.True(warnings.Contains(AcpiTables.DuplicateTableMessage));
        }

        [Fact]
        public void Checksum_RejectsUnreadableRanges()
        {
            var memory = new FakeMemory().Map(0x1000, 16);
            Assert.True(AcpiChecksum.IsValid(memory, 0x1000, 16)); // all zero sums to zero
            Assert.False(AcpiChecksum.IsValid(memory, 0x1000, 17));
        }
    }
}
