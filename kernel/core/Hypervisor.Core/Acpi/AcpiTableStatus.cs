namespace Hypervisor.Core.Acpi
{
    /// <summary>How a system description table failed the header checks.</summary>
    public enum AcpiTableStatus
    {
        Valid = 0,
        Unreadable = 1,
        TooShort = 2,
        BadChecksum = 3,
    }
}
