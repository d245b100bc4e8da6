using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// #NM from the virtual CR0.TS: after fpu_taskswitch(1) the next FPU/SSE instruction raises #NM, at the
    /// instruction, and Xen clears TS as it delivers it (the handler's own FPU use and the retried
    /// instruction then work). From the kernel (the routine makes the hypercall itself, so nothing in
    /// between touches the FPU) and from user mode (entered with TS set). Run last: they exercise the
    /// hypervisor's lazy FPU switching, the likeliest to take a whole run down.
    /// </summary>
    internal static unsafe class DeviceNotAvailableTests
    {
        public static void Run(TestSuite suite)
        {
            TrapExpect.Kernel(suite, "kernel_device_not_available", Routines.KernelTaskswitchedSse, 0, 7, 0, fault: true);
            // TS was cleared by the delivery: the same instruction now runs.
            int again = GuardedCall.Run(Routines.KernelSse.Entry, 0, out _);
            suite.Result("device_not_available_clears_ts", again == -1).Text(again == -1 ? " SSE runs after the #NM" : " SSE raised vector ").Dec(again < 0 ? 0UL : (ulong)again).End();
            if (!UserMode.Ready)
            {
                suite.Skip("user_device_not_available", "user mode unavailable");
                return;
            }
            UserMode.SetTaskSwitchedOnNextEntry();
            TrapExpect.User(suite, "user_device_not_available", Routines.UserSse, 0, 7, 0, fault: true);
        }
    }
}
