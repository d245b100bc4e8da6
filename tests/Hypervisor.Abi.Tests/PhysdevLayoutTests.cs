using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of physdev.h.</summary>
    public class PhysdevLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "physdev_set_iopl", typeof(PhysdevSetIopl), 4 },
            { "physdev_set_iobitmap", typeof(PhysdevSetIobitmap), 16 },
            { "physdev_eoi", typeof(PhysdevEoi), 4 },
            { "physdev_pirq_eoi_gmfn", typeof(PhysdevPirqEoiGmfn), 8 },
            { "physdev_irq_status_query", typeof(PhysdevIrqStatusQuery), 8 },
            { "physdev_apic", typeof(PhysdevApic), 16 },
            { "physdev_irq", typeof(PhysdevIrq), 8 },
            { "physdev_map_pirq", typeof(PhysdevMapPirq), 40 },
            { "physdev_unmap_pirq", typeof(PhysdevUnmapPirq), 8 },
            { "physdev_manage_pci", typeof(PhysdevManagePci), 2 },
            { "physdev_setup_gsi", typeof(PhysdevSetupGsi), 8 },
            { "physdev_get_free_pirq", typeof(PhysdevGetFreePirq), 8 },
            { "physdev_pci_device", typeof(PhysdevPciDevice), 4 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "physdev_set_iopl.iopl", typeof(PhysdevSetIopl), nameof(PhysdevSetIopl.Iopl), 0 },
            { "physdev_set_iobitmap.bitmap", typeof(PhysdevSetIobitmap), nameof(PhysdevSetIobitmap.Bitmap), 0 },
            { "physdev_set_iobitmap.nr_ports", typeof(PhysdevSetIobitmap), nameof(PhysdevSetIobitmap.NrPorts), 8 },
            { "physdev_eoi.irq", typeof(PhysdevEoi), nameof(PhysdevEoi.Irq), 0 },
            { "physdev_pirq_eoi_gmfn.gmfn", typeof(PhysdevPirqEoiGmfn), nameof(PhysdevPirqEoiGmfn.Gmfn), 0 },
            { "physdev_irq_status_query.irq", typeof(PhysdevIrqStatusQuery), nameof(PhysdevIrqStatusQuery.Irq), 0 },
            { "physdev_irq_status_query.flags", typeof(PhysdevIrqStatusQuery), nameof(PhysdevIrqStatusQuery.Flags), 4 },
            { "physdev_apic.apic_physbase", typeof(PhysdevApic), nameof(PhysdevApic.ApicPhysbase), 0 },
            { "physdev_apic.reg", typeof(PhysdevApic), nameof(PhysdevApic.Reg), 8 },
            { "physdev_apic.value", typeof(PhysdevApic), nameof(PhysdevApic.Value), 12 },
            { "physdev_irq.irq", typeof(PhysdevIrq), nameof(PhysdevIrq.Irq), 0 },
            { "physdev_irq.vector", typeof(PhysdevIrq), nameof(PhysdevIrq.Vector), 4 },
            { "physdev_map_pirq.domid", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.DomId), 0 },
            { "physdev_map_pirq.type", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.Type), 4 },
            { "physdev_map_pirq.index", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.Index), 8 },
            { "physdev_map_pirq.pirq", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.Pirq), 12 },
            { "physdev_map_pirq.bus", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.Bus), 16 },
            { "physdev_map_pirq.devfn", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.Devfn), 20 },
            { "physdev_map_pirq.entry_nr", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.EntryNr), 24 },
            { "physdev_map_pirq.table_base", typeof(PhysdevMapPirq), nameof(PhysdevMapPirq.TableBase), 32 },
            { "physdev_unmap_pirq.domid", typeof(PhysdevUnmapPirq), nameof(PhysdevUnmapPirq.DomId), 0 },
            { "physdev_unmap_pirq.pirq", typeof(PhysdevUnmapPirq), nameof(PhysdevUnmapPirq.Pirq), 4 },
            { "physdev_manage_pci.bus", typeof(PhysdevManagePci), nameof(PhysdevManagePci.Bus), 0 },
            { "physdev_manage_pci.devfn", typeof(PhysdevManagePci), nameof(PhysdevManagePci.Devfn), 1 },
            { "physdev_setup_gsi.gsi", typeof(PhysdevSetupGsi), nameof(PhysdevSetupGsi.Gsi), 0 },
            { "physdev_setup_gsi.triggering", typeof(PhysdevSetupGsi), nameof(PhysdevSetupGsi.Triggering), 4 },
            { "physdev_setup_gsi.polarity", typeof(PhysdevSetupGsi), nameof(PhysdevSetupGsi.Polarity), 5 },
            { "physdev_get_free_pirq.type", typeof(PhysdevGetFreePirq), nameof(PhysdevGetFreePirq.Type), 0 },
            { "physdev_get_free_pirq.pirq", typeof(PhysdevGetFreePirq), nameof(PhysdevGetFreePirq.Pirq), 4 },
            { "physdev_pci_device.seg", typeof(PhysdevPciDevice), nameof(PhysdevPciDevice.Seg), 0 },
            { "physdev_pci_device.bus", typeof(PhysdevPciDevice), nameof(PhysdevPciDevice.Bus), 2 },
            { "physdev_pci_device.devfn", typeof(PhysdevPciDevice), nameof(PhysdevPciDevice.Devfn), 3 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
