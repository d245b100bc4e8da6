using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>stack_switch(ss, esp): names the guest kernel stack that traps, interrupts and system
    /// calls from guest user mode switch to (the PV form of TSS.SS0/RSP0).</summary>
    public static class StackSwitchHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            // As Xen for a 64-bit guest: nothing is refused, but a selector asking for a ring below 3
            // gets RPL 3, since the guest kernel itself runs in ring 3. The stack pointer is not checked
            // here: a bad one makes the next bounce fail, and that crashes the domain with a message.
            vcpu.KernelStackSegment = FixStackSelector(args.A1);
            vcpu.KernelStackPointer = args.A2;
            return 0;
        }

        /// <summary>Xen's fixup_guest_stack_selector for 64-bit PV: RPL raised to 3.</summary>
        public static ulong FixStackSelector(ulong selector)
        {
            ulong ss = selector & 0xFFFF;
            return (ss & 3) >= 3 ? ss : (ss & ~3UL) | 3;
        }
    }
}
