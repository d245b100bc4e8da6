namespace Hypervisor.Abi
{
    /// <summary>Flat segment selectors Xen keeps in the reserved end of every 64-bit PV guest's GDT
    /// (arch-x86/xen-x86_64.h FLAT_*). A 64-bit PV kernel runs in ring 3 like its user space, so the
    /// kernel and user selectors are the same ring-3 ones; many guests never load a GDT of their own.</summary>
    public static class FlatSelector
    {
        /// <summary><c>FLAT_RING3_CS32</c>: 32-bit code, GDT entry 260, RPL 3.</summary>
        public const ushort Ring3Cs32 = 0xe023;

        /// <summary><c>FLAT_RING3_DS32</c>: flat data, GDT entry 261, RPL 3.</summary>
        public const ushort Ring3Ds32 = 0xe02b;

        /// <summary><c>FLAT_RING3_CS64</c>: 64-bit code, GDT entry 262, RPL 3.</summary>
        public const ushort Ring3Cs64 = 0xe033;

        /// <summary><c>FLAT_RING3_DS64</c>: 64-bit data segments need no descriptor: the null selector.</summary>
        public const ushort Ring3Ds64 = 0x0000;

        /// <summary><c>FLAT_RING3_SS32</c>.</summary>
        public const ushort Ring3Ss32 = Ring3Ds32;

        /// <summary><c>FLAT_RING3_SS64</c>: a stack selector must be non-null at ring 3.</summary>
        public const ushort Ring3Ss64 = Ring3Ds32;

        /// <summary><c>FLAT_KERNEL_CS</c> (= <c>FLAT_KERNEL_CS64</c>).</summary>
        public const ushort KernelCs = Ring3Cs64;

        /// <summary><c>FLAT_KERNEL_CS32</c>.</summary>
        public const ushort KernelCs32 = Ring3Cs32;

        /// <summary><c>FLAT_KERNEL_DS</c> (= <c>FLAT_KERNEL_DS64</c>).</summary>
        public const ushort KernelDs = Ring3Ds64;

        /// <summary><c>FLAT_KERNEL_DS32</c>.</summary>
        public const ushort KernelDs32 = Ring3Ds32;

        /// <summary><c>FLAT_KERNEL_SS</c> (= <c>FLAT_KERNEL_SS64</c>).</summary>
        public const ushort KernelSs = Ring3Ss64;

        /// <summary><c>FLAT_KERNEL_SS32</c>.</summary>
        public const ushort KernelSs32 = Ring3Ss32;

        /// <summary><c>FLAT_USER_CS</c> (= <c>FLAT_USER_CS64</c>).</summary>
        public const ushort UserCs = Ring3Cs64;

        /// <summary><c>FLAT_USER_CS32</c>.</summary>
        public const ushort UserCs32 = Ring3Cs32;

        /// <summary><c>FLAT_USER_DS</c> (= <c>FLAT_USER_DS64</c>).</summary>
        public const ushort UserDs = Ring3Ds64;

        /// <summary><c>FLAT_USER_DS32</c>.</summary>
        public const ushort UserDs32 = Ring3Ds32;

        /// <summary><c>FLAT_USER_SS</c> (= <c>FLAT_USER_SS64</c>).</summary>
        public const ushort UserSs = Ring3Ss64;

        /// <summary><c>FLAT_USER_SS32</c>.</summary>
        public const ushort UserSs32 = Ring3Ss32;
    }
}
