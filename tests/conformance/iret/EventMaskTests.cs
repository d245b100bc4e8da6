using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The iret hypercall sets the event mask from the context's RFLAGS.IF (mask = !IF): a handler that
    /// sets IF in the frame unmasks events, one that clears it masks them; entering user mode with IF
    /// set runs it with events enabled (the syscall frame's saved mask says 0), with IF clear masked.
    /// </summary>
    internal static unsafe class EventMaskTests
    {
        public static void Run(TestSuite suite)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            if (shared == null || !GuestCallbacks.Registered)
            {
                suite.Skip("event_mask_from_rflags", "shared info not mapped or no event callback registered");
                return;
            }
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(shared, 0);

            vcpu->EvtchnUpcallMask = 1;
            Hooks.Breakpoint = Hooks.BreakpointAction.SetInterruptFlag;
            GuardedCall.Run(Routines.KernelInt3Rax, 0);
            byte unmasked = vcpu->EvtchnUpcallMask;
            vcpu->EvtchnUpcallMask = 1;
            suite.Equal("kernel_iret_if_set_unmasks_events", 0, unmasked);

            vcpu->EvtchnUpcallMask = 0;
            Hooks.Breakpoint = Hooks.BreakpointAction.ClearInterruptFlag;
            GuardedCall.Run(Routines.KernelInt3Rax, 0);
            byte masked = vcpu->EvtchnUpcallMask;
            vcpu->EvtchnUpcallMask = 1;
            suite.Equal("kernel_iret_if_clear_masks_events", 1, masked);

            UserRegisters r = UserRegisters.For(Routines.UserHookedSyscall, 0, 0, 0);
            UserMode.Run(&r);
            TrapFrame f = Hooks.LastSyscall;
            suite.Equal("user_entry_if_set_events_enabled", 0, TrapFrame.SavedUpcallMask(&f));
            r = UserRegisters.For(Routines.UserHookedSyscall, 0, 0, 0);
            r.Rflags = 0x2;
            UserMode.Run(&r);
            f = Hooks.LastSyscall;
            suite.Equal("user_entry_if_clear_events_masked", 1, TrapFrame.SavedUpcallMask(&f));
        }
    }
}
