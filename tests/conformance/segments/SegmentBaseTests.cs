using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// set_segment_base: FS is one base for both modes; GS has a kernel and a user base that Xen swaps
    /// on every switch between guest kernel and user mode. Each base is checked by what an FS- or
    /// GS-relative load returns, on pages (mapped in both address spaces) that hold their own marker.
    /// Non-canonical bases and unknown selectors of <c>which</c> are refused with -EINVAL and leave the
    /// bases alone. SEGBASE_GS_USER_SEL loads a selector into the user GS: the user base becomes the
    /// descriptor's (0 for the flat data segment).
    /// </summary>
    internal static unsafe class SegmentBaseTests
    {
        [RuntimeImport("kernel_read_fs"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelReadFs();
        [RuntimeImport("kernel_read_gs"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelReadGs();
        [RuntimeImport("user_read_fs"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserReadFs();
        [RuntimeImport("user_read_gs"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserReadGs();

        private const ulong FsMarker = 0xF5F5F5F5000000F5UL;
        private const ulong GsKernelMarker = 0x6B6B6B6B0000006BUL;
        private const ulong GsUserMarker = 0x7575757500000075UL;
        private const ulong NonCanonical = 0x8000000000000000UL;
        private const ulong Failed = 0xBAD0BAD0BAD0BAD0UL;

        public static void Run(TestSuite suite)
        {
            ulong fsPage = MarkedPage(FsMarker);
            ulong gsKernelPage = MarkedPage(GsKernelMarker);
            ulong gsUserPage = MarkedPage(GsUserMarker);
            bool user = UserMode.Ready && Share(fsPage) && Share(gsKernelPage) && Share(gsUserPage);

            suite.Returns("set_fs", 0, Hypercalls.SetSegmentBase(SegmentBase.Fs, fsPage));
            suite.EqualHex("fs_in_kernel", FsMarker, Kernel(&KernelReadFs));
            suite.Returns("set_gs_kernel", 0, Hypercalls.SetSegmentBase(SegmentBase.GsKernel, gsKernelPage));
            suite.EqualHex("gs_kernel_in_kernel", GsKernelMarker, Kernel(&KernelReadGs));
            suite.Returns("set_gs_user", 0, Hypercalls.SetSegmentBase(SegmentBase.GsUser, gsUserPage));
            suite.EqualHex("gs_user_not_in_kernel", GsKernelMarker, Kernel(&KernelReadGs));

            if (!user)
            {
                suite.Skip("user_mode_bases", "user mode unavailable or the pages could not be mapped in it");
            }
            else
            {
                suite.EqualHex("fs_in_user", FsMarker, User(&UserReadFs, 0));
                suite.EqualHex("gs_user_in_user", GsUserMarker, User(&UserReadGs, 0));
                suite.EqualHex("gs_kernel_back_after_user", GsKernelMarker, Kernel(&KernelReadGs));
                suite.EqualHex("gs_user_again_in_user", GsUserMarker, User(&UserReadGs, 0));
            }

            suite.Errno("fs_non_canonical", XenErrno.EINVAL, Hypercalls.SetSegmentBase(SegmentBase.Fs, NonCanonical));
            suite.Errno("gs_user_non_canonical", XenErrno.EINVAL, Hypercalls.SetSegmentBase(SegmentBase.GsUser, NonCanonical));
            suite.Errno("gs_kernel_non_canonical", XenErrno.EINVAL, Hypercalls.SetSegmentBase(SegmentBase.GsKernel, 0x0000800000000000UL));
            suite.EqualHex("fs_kept_after_refusal", FsMarker, Kernel(&KernelReadFs));
            suite.EqualHex("gs_kernel_kept_after_refusal", GsKernelMarker, Kernel(&KernelReadGs));
            if (user)
                suite.EqualHex("gs_user_kept_after_refusal", GsUserMarker, User(&UserReadGs, 0));

            suite.Errno("which_4", XenErrno.EINVAL, Hypercalls.SetSegmentBase(4, 0));
            suite.Errno("which_99", XenErrno.EINVAL, Hypercalls.SetSegmentBase(99, 0));
            suite.Errno("which_all_ones", XenErrno.EINVAL, Hypercalls.SetSegmentBase(-1, 0));

            // The flat 32-bit data selector has base 0: user GS-relative loads then read plain addresses.
            suite.Returns("gs_user_selector_flat", 0, Hypercalls.SetSegmentBase(SegmentBase.GsUserSelector, FlatSelector.UserDs32));
            if (user)
                suite.EqualHex("gs_user_selector_sets_base_0", GsUserMarker, User(&UserReadGs, gsUserPage));
            suite.EqualHex("gs_user_selector_keeps_kernel_gs", GsKernelMarker, Kernel(&KernelReadGs));
            suite.Returns("gs_user_selector_null", 0, Hypercalls.SetSegmentBase(SegmentBase.GsUserSelector, 0));

            Hypercalls.SetSegmentBase(SegmentBase.Fs, 0);
            Hypercalls.SetSegmentBase(SegmentBase.GsKernel, 0);
            Hypercalls.SetSegmentBase(SegmentBase.GsUser, 0);
        }

        private static ulong MarkedPage(ulong marker)
        {
            ulong page = (ulong)GuestMemory.AllocatePages(1);
            *(ulong*)page = marker;
            return page;
        }

        private static bool Share(ulong page) => UserMode.AddressSpace.MapKernelPage(page, page, writable: false) == 0;

        private static ulong Kernel(delegate*<void> routine)
        {
            int vector = GuardedCall.Run((ulong)routine, 0, out ulong value);
            return vector < 0 ? value : Failed;
        }

        private static ulong User(delegate*<void> routine, ulong offset)
        {
            ulong exit = UserMode.Call((ulong)routine, offset);
            return exit == UserExit.Syscall ? UserMode.Result : Failed;
        }
    }
}
