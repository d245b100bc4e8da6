using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>iret: the guest kernel's return from an exception, interrupt or syscall frame. The
    /// hypercall page's stub pushes RAX, R11 and RCX onto the guest's frame, so RSP points at an
    /// iret_context. Returning to a ring-3 selector from kernel mode enters guest user mode.</summary>
    public static class IretHypercall
    {
        private const ulong KeptFlags = ~(GuestRegisters.IoplMask | (1UL << 17));   // VM never returns

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ref GuestRegisters r = ref vcpu.Registers;
            if (!GuestMemory.TryRead(vcpu, r.Rsp, out IretContext context))
            {
                GuestFault.Report(vcpu, "iret: the iret context on the guest stack cannot be read", r.Rsp);
                DomainLifecycle.Crash(vcpu.Domain);
                return HypercallResult.RegistersReplaced;
            }


            // Frames the hypervisor built for the guest kernel carry RPL 0 in CS for kernel
            // context, so RPL 3 means a return to guest user mode.
            bool toUser = (context.Cs & 3) == 3;
            if (toUser && vcpu.UserTableFrame == 0)
            {
                GuestFault.Report(vcpu, "iret: switching to user mode with no user page tables (MMUEXT_NEW_USER_BASEPTR)", context.Rip);
                DomainLifecycle.Crash(vcpu.Domain);
                return HypercallResult.RegistersReplaced;
            }
            r.Rip = context.Rip;
            r.Cs = (context.Cs & 0xFFFF) | 3;
            r.Rflags = (context.Rflags & KeptFlags) | GuestRegisters.InterruptFlag | GuestRegisters.ReservedFlag;
            r.Rsp = context.Rsp;
            r.Ss = (context.Ss & 0xFFFF) | 3;
            r.Rax = context.Rax;
            if ((context.Flags & IretFlags.InSyscall) == 0)
            {
                r.R11 = context.R11;
                r.Rcx = context.Rcx;
            }
            else
            {
                // Returned the SYSRET way, as on Xen: RCX holds the return RIP, R11 the RFLAGS.
                r.Rcx = r.Rip;
                r.R11 = r.Rflags;
            }
            VcpuInfoAccess.SetUpcallMask(vcpu, (context.Rflags & GuestRegisters.InterruptFlag) != 0 ? (byte)0 : (byte)1);
            if (toUser && vcpu.InKernelMode)
                GuestMode.EnterUser(vcpu);
            return HypercallResult.RegistersReplaced;
        }
    }
}
