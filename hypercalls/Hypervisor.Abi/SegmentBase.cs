namespace Hypervisor.Abi
{
    /// <summary>Which base set_segment_base(which, base) sets (arch-x86/xen-x86_64.h SEGBASE_*): a
    /// ring-3 kernel cannot write the base MSRs itself.</summary>
    public static class SegmentBase
    {
        /// <summary><c>SEGBASE_FS</c>: FS base.</summary>
        public const int Fs = 0;

        /// <summary><c>SEGBASE_GS_USER</c>: GS base used in guest user mode (swapped in by the guest's
        /// swapgs-equivalent).</summary>
        public const int GsUser = 1;

        /// <summary><c>SEGBASE_GS_KERNEL</c>: GS base used in guest kernel mode.</summary>
        public const int GsKernel = 2;

        /// <summary><c>SEGBASE_GS_USER_SEL</c>: load base[15:0] as the user-mode GS selector.</summary>
        public const int GsUserSelector = 3;
    }
}
