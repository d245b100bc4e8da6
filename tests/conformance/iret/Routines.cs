using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Conformance
{
    /// <summary>The addresses of iret_routines.asm (one import per label).</summary>
    internal static unsafe class Routines
    {
        [RuntimeImport("kernel_int3_rax"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3RaxEntry();
        [RuntimeImport("kernel_int3_rcx_r11"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3RcxR11Entry();
        [RuntimeImport("kernel_int3_rcx_r11_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3RcxR11AfterLabel();
        [RuntimeImport("kernel_int3_selectors"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3SelectorsEntry();
        [RuntimeImport("kernel_preserve_across_trap"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelPreserveAcrossTrapEntry();
        [RuntimeImport("kernel_fpu_across_hypercall"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelFpuAcrossHypercallEntry();
        [RuntimeImport("kernel_fpu_across_trap"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelFpuAcrossTrapEntry();
        [RuntimeImport("user_capture_registers"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserCaptureRegistersEntry();
        [RuntimeImport("user_syscall_rcx_r11"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSyscallRcxR11Entry();
        [RuntimeImport("user_syscall_rcx_r11_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSyscallRcxR11AfterLabel();
        [RuntimeImport("user_preserve_across_syscall"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserPreserveAcrossSyscallEntry();
        [RuntimeImport("user_preserve_across_interrupt"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserPreserveAcrossInterruptEntry();
        [RuntimeImport("user_read_demand"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserReadDemandEntry();
        [RuntimeImport("user_skip_ud2"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSkipUd2Entry();
        [RuntimeImport("user_skip_ud2_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSkipUd2AtLabel();
        [RuntimeImport("user_fpu_across_syscall"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserFpuAcrossSyscallEntry();
        [RuntimeImport("user_hooked_syscall"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserHookedSyscallEntry();
        [RuntimeImport("user_hooked_syscall_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserHookedSyscallAfterLabel();
        [RuntimeImport("xmm_patterns"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void XmmPatternsLabel();
        [RuntimeImport("saved_registers"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void SavedRegistersLabel();
        [RuntimeImport("saved_fpu"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void SavedFpuLabel();

        public static ulong KernelInt3Rax => (ulong)(delegate*<void>)&KernelInt3RaxEntry;
        public static ulong KernelInt3RcxR11 => (ulong)(delegate*<void>)&KernelInt3RcxR11Entry;
        public static ulong KernelInt3RcxR11After => (ulong)(delegate*<void>)&KernelInt3RcxR11AfterLabel;
        public static ulong KernelInt3Selectors => (ulong)(delegate*<void>)&KernelInt3SelectorsEntry;
        public static ulong KernelPreserveAcrossTrap => (ulong)(delegate*<void>)&KernelPreserveAcrossTrapEntry;
        public static ulong KernelFpuAcrossHypercall => (ulong)(delegate*<void>)&KernelFpuAcrossHypercallEntry;
        public static ulong KernelFpuAcrossTrap => (ulong)(delegate*<void>)&KernelFpuAcrossTrapEntry;
        public static ulong UserCaptureRegisters => (ulong)(delegate*<void>)&UserCaptureRegistersEntry;
        public static ulong UserSyscallRcxR11 => (ulong)(delegate*<void>)&UserSyscallRcxR11Entry;
        public static ulong UserSyscallRcxR11After => (ulong)(delegate*<void>)&UserSyscallRcxR11AfterLabel;
        public static ulong UserPreserveAcrossSyscall => (ulong)(delegate*<void>)&UserPreserveAcrossSyscallEntry;
        public static ulong UserPreserveAcrossInterrupt => (ulong)(delegate*<void>)&UserPreserveAcrossInterruptEntry;
        public static ulong UserReadDemand => (ulong)(delegate*<void>)&UserReadDemandEntry;
        public static ulong UserSkipUd2 => (ulong)(delegate*<void>)&UserSkipUd2Entry;
        public static ulong UserSkipUd2At => (ulong)(delegate*<void>)&UserSkipUd2AtLabel;
        public static ulong UserFpuAcrossSyscall => (ulong)(delegate*<void>)&UserFpuAcrossSyscallEntry;
        public static ulong UserHookedSyscall => (ulong)(delegate*<void>)&UserHookedSyscallEntry;
        public static ulong UserHookedSyscallAfter => (ulong)(delegate*<void>)&UserHookedSyscallAfterLabel;

        /// <summary>16 xmm patterns of 16 bytes.</summary>
        public static byte* XmmPatterns => (byte*)(delegate*<void>)&XmmPatternsLabel;

        /// <summary>RAX..R15 then RFLAGS, as the routines stored them.</summary>
        public static ulong* SavedRegisters => (ulong*)(delegate*<void>)&SavedRegistersLabel;

        /// <summary>xmm0-15, MXCSR at byte 256, st0 as a double at byte 264.</summary>
        public static byte* SavedFpu => (byte*)(delegate*<void>)&SavedFpuLabel;

        /// <summary>The value the routines load into the n-th register (RAX = 1 ... R15 = 15).</summary>
        public static ulong Pattern(int n) => 0x0101010101010101UL * (ulong)n;

        /// <summary>The name of the n-th stored register (0 = RAX ... 14 = R15, 15 = RFLAGS).</summary>
        public static string RegisterName(int i)
        {
            switch (i)
            {
                case 0: return "RAX"; case 1: return "RBX"; case 2: return "RCX"; case 3: return "RDX";
                case 4: return "RSI"; case 5: return "RDI"; case 6: return "RBP"; case 7: return "R8";
                case 8: return "R9"; case 9: return "R10"; case 10: return "R11"; case 11: return "R12";
                case 12: return "R13"; case 13: return "R14"; case 14: return "R15"; default: return "RFLAGS";
            }
        }
    }
}
