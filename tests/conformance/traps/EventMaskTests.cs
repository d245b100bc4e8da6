using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The trap table's disable-events flag (trap_info flags bit 2) acts like an interrupt gate: the
    /// handler starts with the event mask set; without it, like a trap gate: the mask stays as it was.
    /// The iret hypercall restores the mask from the frame's RFLAGS.IF. Checked with events enabled
    /// (mask 0) before the trap, from the kernel and from user mode.
    /// </summary>
    internal static unsafe class EventMaskTests
    {
        public static void Run(TestSuite suite)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            if (shared == null || !GuestCallbacks.Registered)
            {
                suite.Skip("event_mask_entries", "shared info not mapped or no event callback registered");
                return;
            }
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(shared, 0);

            vcpu->EvtchnUpcallMask = 0;
            GuardedCall.Run(Routines.KernelInt_0x43.Entry, 0);
            byte inHandler = TrapTable.LastUpcallMask;
            byte after = vcpu->EvtchnUpcallMask;
            Check(suite, "kernel_disable_events_masks_handler", inHandler, 1, after);

            vcpu->EvtchnUpcallMask = 0;
            GuardedCall.Run(Routines.KernelInt_0x44.Entry, 0);
            inHandler = TrapTable.LastUpcallMask;
            after = vcpu->EvtchnUpcallMask;
            Check(suite, "kernel_without_disable_events_keeps_mask", inHandler, 0, after);

            vcpu->EvtchnUpcallMask = 0;
            GuardedCall.Run(Routines.KernelInvalidOpcode.Entry, 0);
            inHandler = TrapTable.LastUpcallMask;
            vcpu->EvtchnUpcallMask = 1;
            suite.Result("kernel_exception_entry_masks_events", inHandler == 1).Text(" mask in the #UD handler ").Dec(inHandler).Text(" (the kit's exception entries set the flag)").End();

            vcpu->EvtchnUpcallMask = 1;
            if (!UserMode.Ready)
            {
                suite.Skip("user_event_mask_entries", "user mode unavailable");
                return;
            }
            // User mode runs with RFLAGS.IF set: events enabled (mask 0) while it runs.
            TrapExpect.RunUser(Routines.UserInt_0x43, 0);
            suite.Result("user_disable_events_masks_handler", TrapTable.LastUpcallMask == 1)
                .Text(" mask in the handler ").Dec(TrapTable.LastUpcallMask).End();
            TrapExpect.RunUser(Routines.UserInt_0x44, 0);
            suite.Result("user_without_disable_events_keeps_mask", TrapTable.LastUpcallMask == 0)
                .Text(" mask in the handler ").Dec(TrapTable.LastUpcallMask).End();
        }

        private static void Check(TestSuite suite, string test, byte inHandler, byte expected, byte after)
        {
            suite.Result(test, inHandler == expected && after == 0).Text(" mask in the handler ").Dec(inHandler)
                .Text(" (expected ").Dec(expected).Text("), after iret ").Dec(after).Text(" (expected 0, from RFLAGS.IF)").End();
        }
    }
}
