using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// FPU/SSE state across hypercalls and mode switches: xmm0-15, MXCSR and x87 st0 across a hypercall;
    /// xmm0-15 across a kernel trap whose handler runs C# (the kit saves its own use), and across a user
    /// syscall and a user software interrupt (the hypervisor switches to the kernel and back).
    /// </summary>
    internal static unsafe class FpuTests
    {
        private const ulong PiDouble = 0x400921FB54442D18UL;

        public static void Run(TestSuite suite)
        {
            int v = GuardedCall.Run(Routines.KernelFpuAcrossHypercall, 0);
            uint mxcsr = *(uint*)(Routines.SavedFpu + 256);
            ulong st0 = *(ulong*)(Routines.SavedFpu + 264);
            if (v >= 0)
                suite.Fail("fpu_across_hypercall").Text("the routine ended by vector ").Dec((ulong)v).End();
            else
                Check.Xmm(suite, "fpu_across_hypercall", null, mxcsr == 0x7F80 && st0 == PiDouble);
            suite.Result("fpu_control_across_hypercall", v < 0 && mxcsr == 0x7F80 && st0 == PiDouble)
                .Text(" MXCSR ").Hex(mxcsr).Text(" (expected 0x7f80), st0 ").Hex(st0).Text(" (expected pi, ").Hex(PiDouble).Text(")").End();

            v = GuardedCall.Run(Routines.KernelFpuAcrossTrap, 0);
            if (v >= 0)
                suite.Fail("fpu_across_kernel_trap").Text("the routine ended by vector ").Dec((ulong)v).End();
            else
                Check.Xmm(suite, "fpu_across_kernel_trap", null, true);

            ulong exit = UserMode.Call(Routines.UserFpuAcrossSyscall);
            if (Check.Exited(suite, "fpu_across_user_syscall_and_interrupt", exit))
                Check.Xmm(suite, "fpu_across_user_syscall_and_interrupt", null, true);
        }
    }
}
