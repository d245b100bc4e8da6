namespace Hypervisor.Core.Acpi
{
    /// <summary>One processor entry of the MADT: a processor local APIC (type 0) or a processor local
    /// x2APIC (type 9), in table order, whether enabled or not.</summary>
    public struct MadtProcessor
    {
        /// <summary>The local APIC id (8 bits for type 0, 32 bits for type 9).</summary>
        public uint ApicId;

        /// <summary>The ACPI processor id (type 0, 8 bits) or UID (type 9).</summary>
        public uint AcpiUid;

        /// <summary>Flags bit 0: the processor is usable now.</summary>
        public bool Enabled;

        /// <summary>Flags bit 1 (with bit 0 clear): the processor may be hot-added later.</summary>
        public bool OnlineCapable;

        /// <summary>True for a type 9 entry.</summary>
        public bool IsX2Apic;

        public MadtProcessor(uint apicId, uint acpiUid, bool enabled, bool onlineCapable, bool isX2Apic)
        {
            ApicId = apicId;
            AcpiUid = acpiUid;
            Enabled = enabled;
            OnlineCapable = onlineCapable;
            IsX2Apic = isX2Apic;
        }
    }
}
