namespace Hypervisor.Core.Boot
{
    /// <summary>How to reset the machine (<c>reboot=</c>); the arch layer carries it out.</summary>
    public enum RebootMethod
    {
        /// <summary>Write RESET_VALUE to the FADT's RESET_REG (falls back to the others if absent).</summary>
        Acpi = 0,

        /// <summary>Pulse the reset line through the 8042 keyboard controller.</summary>
        Keyboard = 1,

        /// <summary>Load an empty IDT and fault: a triple fault resets the CPU.</summary>
        TripleFault = 2,
    }
}
