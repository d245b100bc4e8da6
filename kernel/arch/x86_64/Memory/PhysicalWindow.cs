namespace Hypervisor.Arch.X86_64
{
    // How the hypervisor reaches physical memory: through the boot loader's identity map at first
    // (the boot code maps the low 4 GiB), then through the direct map of all memory that
    // HypervisorPageTables builds at Xen's DIRECTMAP_VIRT_START.
    internal static unsafe class PhysicalWindow
    {
        public const ulong DirectMapBase = 0xFFFF830000000000;
        public const ulong IdentityLimit = 4UL << 30;

        public static ulong Base { get; private set; }

        public static bool UsesDirectMap => Base == DirectMapBase;

        public static void SwitchToDirectMap() => Base = DirectMapBase;

        // False for addresses the current window does not cover.
        public static bool Covers(ulong physical, ulong length) =>
            UsesDirectMap ? physical + length <= HypervisorPageTables.DirectMapLimit && physical + length >= physical
                          : physical + length <= IdentityLimit && physical + length >= physical;

        public static byte* ToVirtual(ulong physical) => (byte*)(Base + physical);
    }
}
