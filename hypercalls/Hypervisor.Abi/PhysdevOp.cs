using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Commands of physdev_op(cmd, arg) (physdev.h PHYSDEVOP_*): physical-device access for
    /// privileged domains, plus I/O privilege for any PV kernel.</summary>
    public static class PhysdevOp
    {
        /// <summary><c>PHYSDEVOP_IRQ_UNMASK_NOTIFY</c>: obsolete and unsupported.</summary>
        public const int IrqUnmaskNotify = 4;

        /// <summary><c>PHYSDEVOP_irq_status_query</c>: arg <see cref="PhysdevIrqStatusQuery"/>.</summary>
        public const int IrqStatusQuery = 5;

        /// <summary><c>PHYSDEVOP_set_iopl</c>: arg <see cref="PhysdevSetIopl"/>.</summary>
        public const int SetIopl = 6;

        /// <summary><c>PHYSDEVOP_set_iobitmap</c>: arg <see cref="PhysdevSetIobitmap"/>.</summary>
        public const int SetIobitmap = 7;

        /// <summary><c>PHYSDEVOP_apic_read</c>: arg <see cref="PhysdevApic"/>.</summary>
        public const int ApicRead = 8;

        /// <summary><c>PHYSDEVOP_apic_write</c>: arg <see cref="PhysdevApic"/>.</summary>
        public const int ApicWrite = 9;

        /// <summary><c>PHYSDEVOP_alloc_irq_vector</c>: arg <see cref="PhysdevIrq"/>.</summary>
        public const int AllocIrqVector = 10;

        /// <summary><c>PHYSDEVOP_free_irq_vector</c>: arg <see cref="PhysdevIrq"/>.</summary>
        public const int FreeIrqVector = 11;

        /// <summary><c>PHYSDEVOP_eoi</c>: arg <see cref="PhysdevEoi"/>.</summary>
        public const int Eoi = 12;

        /// <summary><c>PHYSDEVOP_map_pirq</c>: arg <see cref="PhysdevMapPirq"/>.</summary>
        public const int MapPirq = 13;

        /// <summary><c>PHYSDEVOP_unmap_pirq</c>: arg <see cref="PhysdevUnmapPirq"/>.</summary>
        public const int UnmapPirq = 14;

        /// <summary><c>PHYSDEVOP_manage_pci_add</c>: arg <see cref="PhysdevManagePci"/>.</summary>
        public const int ManagePciAdd = 15;

        /// <summary><c>PHYSDEVOP_manage_pci_remove</c>: arg <see cref="PhysdevManagePci"/>.</summary>
        public const int ManagePciRemove = 16;

        /// <summary><c>PHYSDEVOP_pirq_eoi_gmfn_v1</c>: arg <see cref="PhysdevPirqEoiGmfn"/>; also makes
        /// PHYSDEVOP_eoi unmask the event channel.</summary>
        public const int PirqEoiGmfnV1 = 17;

        // 18 is unused.

        /// <summary><c>PHYSDEVOP_restore_msi</c>.</summary>
        public const int RestoreMsi = 19;

        /// <summary><c>PHYSDEVOP_manage_pci_add_ext</c>.</summary>
        public const int ManagePciAddExt = 20;

        /// <summary><c>PHYSDEVOP_setup_gsi</c>: arg <see cref="PhysdevSetupGsi"/>.</summary>
        public const int SetupGsi = 21;

        // 22 is kept free.

        /// <summary><c>PHYSDEVOP_get_free_pirq</c>: arg <see cref="PhysdevGetFreePirq"/>.</summary>
        public const int GetFreePirq = 23;

        /// <summary><c>PHYSDEVOP_pci_mmcfg_reserved</c>.</summary>
        public const int PciMmcfgReserved = 24;

        /// <summary><c>PHYSDEVOP_pci_device_add</c>.</summary>
        public const int PciDeviceAdd = 25;

        /// <summary><c>PHYSDEVOP_pci_device_remove</c>: arg <see cref="PhysdevPciDevice"/>.</summary>
        public const int PciDeviceRemove = 26;

        /// <summary><c>PHYSDEVOP_restore_msi_ext</c>: arg <see cref="PhysdevPciDevice"/>.</summary>
        public const int RestoreMsiExt = 27;

        /// <summary><c>PHYSDEVOP_pirq_eoi_gmfn_v2</c>: as v1 without changing PHYSDEVOP_eoi.</summary>
        public const int PirqEoiGmfnV2 = 28;

        /// <summary><c>PHYSDEVOP_dbgp_op</c>.</summary>
        public const int DbgpOp = 29;

        /// <summary><c>PHYSDEVOP_prepare_msix</c>: arg <see cref="PhysdevPciDevice"/>.</summary>
        public const int PrepareMsix = 30;

        /// <summary><c>PHYSDEVOP_release_msix</c>: arg <see cref="PhysdevPciDevice"/>.</summary>
        public const int ReleaseMsix = 31;
    }

    /// <summary>Bits of <see cref="PhysdevIrqStatusQuery.Flags"/> (physdev.h XENIRQSTAT_*).</summary>
    public static class PhysdevIrqStatus
    {
        /// <summary><c>XENIRQSTAT_needs_eoi</c>: call PHYSDEVOP_eoi after servicing.</summary>
        public const uint NeedsEoi = 1u << 0;

        /// <summary><c>XENIRQSTAT_shared</c>: other guests share the line.</summary>
        public const uint Shared = 1u << 1;
    }

    /// <summary>Values of <see cref="PhysdevMapPirq.Type"/> (physdev.h MAP_PIRQ_TYPE_*).</summary>
    public static class MapPirqType
    {
        public const int Msi = 0;
        public const int Gsi = 1;
        public const int Unknown = 2;
        public const int MsiSeg = 3;
        public const int MultiMsi = 4;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_set_iopl</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct PhysdevSetIopl
    {
        /// <summary><c>iopl</c>: the vCPU's virtual I/O privilege level, 0-3.</summary>
        [FieldOffset(0)] public uint Iopl;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_set_iobitmap</c> (16 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct PhysdevSetIobitmap
    {
        /// <summary><c>bitmap</c>: guest handle to an I/O permission bitmap (a set bit denies, as in a TSS).</summary>
        [FieldOffset(0)] public ulong Bitmap;

        /// <summary><c>nr_ports</c>: ports the bitmap covers.</summary>
        [FieldOffset(8)] public uint NrPorts;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_eoi</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct PhysdevEoi
    {
        /// <summary><c>irq</c>.</summary>
        [FieldOffset(0)] public uint Irq;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_pirq_eoi_gmfn</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct PhysdevPirqEoiGmfn
    {
        /// <summary><c>gmfn</c>: page used as a bitmap, indexed by pirq, of "needs EOI".</summary>
        [FieldOffset(0)] public ulong Gmfn;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_irq_status_query</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct PhysdevIrqStatusQuery
    {
        /// <summary><c>irq</c> (in).</summary>
        [FieldOffset(0)] public uint Irq;

        /// <summary><c>flags</c> (out): <see cref="PhysdevIrqStatus"/>.</summary>
        [FieldOffset(4)] public uint Flags;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_apic</c> (16 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct PhysdevApic
    {
        /// <summary><c>apic_physbase</c>: the IO-APIC's physical base.</summary>
        [FieldOffset(0)] public ulong ApicPhysbase;

        /// <summary><c>reg</c>.</summary>
        [FieldOffset(8)] public uint Reg;

        /// <summary><c>value</c>.</summary>
        [FieldOffset(12)] public uint Value;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_irq</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct PhysdevIrq
    {
        /// <summary><c>irq</c>.</summary>
        [FieldOffset(0)] public uint Irq;

        /// <summary><c>vector</c>.</summary>
        [FieldOffset(4)] public uint Vector;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_map_pirq</c> (40 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct PhysdevMapPirq
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>type</c>: a <see cref="MapPirqType"/>.</summary>
        [FieldOffset(4)] public int Type;

        /// <summary><c>index</c>: GSI or MSI index.</summary>
        [FieldOffset(8)] public int Index;

        /// <summary><c>pirq</c>: wanted (or -1) on the way in, given on the way out.</summary>
        [FieldOffset(12)] public int Pirq;

        /// <summary><c>bus</c>: PCI bus, segment in the high 16 bits for MSI_SEG and MULTI_MSI.</summary>
        [FieldOffset(16)] public int Bus;

        /// <summary><c>devfn</c>.</summary>
        [FieldOffset(20)] public int Devfn;

        /// <summary><c>entry_nr</c>.</summary>
        [FieldOffset(24)] public int EntryNr;

        /// <summary><c>table_base</c>: MSI-X table base.</summary>
        [FieldOffset(32)] public ulong TableBase;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_unmap_pirq</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct PhysdevUnmapPirq
    {
        /// <summary><c>domid</c>.</summary>
        [FieldOffset(0)] public ushort DomId;

        /// <summary><c>pirq</c>.</summary>
        [FieldOffset(4)] public int Pirq;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_manage_pci</c> (2 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2)]
    public struct PhysdevManagePci
    {
        /// <summary><c>bus</c>.</summary>
        [FieldOffset(0)] public byte Bus;

        /// <summary><c>devfn</c>.</summary>
        [FieldOffset(1)] public byte Devfn;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_setup_gsi</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct PhysdevSetupGsi
    {
        /// <summary><c>gsi</c>.</summary>
        [FieldOffset(0)] public int Gsi;

        /// <summary><c>triggering</c>: 0 edge, 1 level.</summary>
        [FieldOffset(4)] public byte Triggering;

        /// <summary><c>polarity</c>: 0 active high, 1 active low.</summary>
        [FieldOffset(5)] public byte Polarity;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_get_free_pirq</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct PhysdevGetFreePirq
    {
        /// <summary><c>type</c>: <see cref="MapPirqType.Gsi"/> or <see cref="MapPirqType.Msi"/>.</summary>
        [FieldOffset(0)] public int Type;

        /// <summary><c>pirq</c> (out).</summary>
        [FieldOffset(4)] public uint Pirq;
    }

    /// <summary>Mirrors physdev.h <c>struct physdev_pci_device</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct PhysdevPciDevice
    {
        /// <summary><c>seg</c>.</summary>
        [FieldOffset(0)] public ushort Seg;

        /// <summary><c>bus</c>.</summary>
        [FieldOffset(2)] public byte Bus;

        /// <summary><c>devfn</c>.</summary>
        [FieldOffset(3)] public byte Devfn;
    }
}
