namespace Hypervisor.Core.Boot
{
    /// <summary>Where hypervisor output goes (<c>console=</c>). The values are bits and combine with
    /// <c>|</c>; <see cref="None"/> means silence.</summary>
    public enum ConsoleTargets
    {
        None = 0,
        Com1 = 1,
        Vga = 2,
    }
}
