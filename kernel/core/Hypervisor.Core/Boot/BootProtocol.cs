namespace Hypervisor.Core.Boot
{
    /// <summary>Which multiboot version started us (the value is the version number).</summary>
    public enum BootProtocol
    {
        Unknown = 0,
        Multiboot1 = 1,
        Multiboot2 = 2,
    }
}
