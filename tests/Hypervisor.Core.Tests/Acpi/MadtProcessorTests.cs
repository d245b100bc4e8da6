using Hypervisor.Core.Acpi;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Acpi
{
    /// <summary>The MADT's processor entries as the SMP bring-up sees them (<see cref="AcpiTables.Processors"/>).</summary>
    public class MadtProcessorTests
    {
        private const ulong RsdpAt = 0xE0000;
        private const uint RsdtAt = 0x7F00000;
        private const uint MadtAt = 0x7F04000;

        private static (AcpiTables Acpi, BootWarningList Warnings) ParseMadt(params byte[][] entries)
        {
            var memory = new FakeMemory().Map(0xE0000, 0x20000);
            memory.WriteBytes(RsdpAt, AcpiBuilder.Rsdp(0, RsdtAt, 0));
            AcpiBuilder.Place(memory, RsdtAt, AcpiBuilder.Rsdt(MadtAt));
            AcpiBuilder.Place(memory, MadtAt, AcpiBuilder.Madt(0xFEE00000, 1, entries));
            var warnings = new BootWarningList();
            return (AcpiTables.Parse(memory, 0, warnings), warnings);
        }

        // The machine here has no FADT; nothing else may be wrong with it.
        private static void AssertOnlyNoFadt(BootWarningList warnings)
        {
            Assert.Equal(1, warnings.Count);
            Assert.Equal(AcpiTables.NoFadtMessage, warnings[0].Message);
        }

        [Fact]
        public void EveryProcessorEntry_IsKept_InTableOrder_WithItsFlags()
        {
            var (acpi, _) = ParseMadt(
                AcpiBuilder.LocalApic(0, 0, 1),
                AcpiBuilder.LocalApic(1, 1, 1),
                AcpiBuilder.IoApic(8, 0xFEC00000, 0),
                AcpiBuilder.LocalApic(2, 2, 0),   // not present
                AcpiBuilder.LocalApic(3, 3, 2));  // hot-pluggable

            Assert.Equal(4, acpi.Processors.Length);
            Assert.Equal(new uint[] { 0, 1, 2, 3 }, new[] { acpi.Processors[0].ApicId, acpi.Processors[1].ApicId, acpi.Processors[2].ApicId, acpi.Processors[3].ApicId });
            Assert.True(acpi.Processors[0].Enabled);
            Assert.True(acpi.Processors[1].Enabled);
            Assert.False(acpi.Processors[2].Enabled);
            Assert.False(acpi.Processors[2].OnlineCapable);
            Assert.False(acpi.Processors[3].Enabled);
            Assert.True(acpi.Processors[3].OnlineCapable);
            Assert.Equal(2u, acpi.Processors[2].AcpiUid);
            Assert.All(acpi.Processors, p => Assert.False(p.IsX2Apic));
            Assert.Equal(2, acpi.EnabledCpuCount);
            Assert.Equal(1, acpi.OnlineCapableCpuCount);
        }

        [Fact]
        public void X2ApicEntries_AreMarked_WithTheirFullIdAndUid()
        {
            var x2 = AcpiBuilder.LocalX2Apic(0x1234, 1);
            x2[12] = 77;   // UID
            var (acpi, warnings) = ParseMadt(AcpiBuilder.LocalApic(0, 0, 1), x2, AcpiBuilder.LocalX2Apic(300, 0));

            AssertOnlyNoFadt(warnings);
            Assert.Equal(3, acpi.Processors.Length);
            Assert.False(acpi.Processors[0].IsX2Apic);
            Assert.True(acpi.Processors[1].IsX2Apic);
            Assert.Equal(0x1234u, acpi.Processors[1].ApicId);
            Assert.Equal(77u, acpi.Processors[1].AcpiUid);
            Assert.True(acpi.Processors[1].Enabled);
            Assert.True(acpi.Processors[2].IsX2Apic);
            Assert.False(acpi.Processors[2].Enabled);
        }

        [Fact]
        public void EnabledFlag_IsBitZero_OnlineCapableOnlyCountsWhenDisabled()
        {
            var (acpi, _) = ParseMadt(AcpiBuilder.LocalApic(0, 0, 3), AcpiBuilder.LocalApic(1, 5, 0xFFFFFFFE));
            Assert.True(acpi.Processors[0].Enabled);
            Assert.False(acpi.Processors[0].OnlineCapable);   // enabled: online-capable means nothing
            Assert.False(acpi.Processors[1].Enabled);
            Assert.True(acpi.Processors[1].OnlineCapable);
        }

        [Fact]
        public void ShortProcessorEntries_AreNotProcessors()
        {
            var shortLocal = new byte[] { 0, 6, 1, 1, 1, 0 };                        // type 0 needs 8 bytes
            var shortX2 = new byte[] { 9, 12, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0 };         // type 9 needs 16
            var (acpi, warnings) = ParseMadt(AcpiBuilder.LocalApic(0, 0, 1), shortLocal, shortX2);
            AssertOnlyNoFadt(warnings);
            Assert.Single(acpi.Processors);
            Assert.Equal(1, acpi.EnabledCpuCount);
        }

        [Fact]
        public void NoMadt_MeansNoProcessorEntries()
        {
            var memory = new FakeMemory().Map(0xE0000, 0x20000);
            memory.WriteBytes(RsdpAt, AcpiBuilder.Rsdp(0, RsdtAt, 0));
            AcpiBuilder.Place(memory, RsdtAt, AcpiBuilder.Rsdt());
            var acpi = AcpiTables.Parse(memory, 0, new BootWarningList());
            Assert.True(acpi.Found);
            Assert.False(acpi.HasMadt);
            Assert.Empty(acpi.Processors);
        }
    }
}
