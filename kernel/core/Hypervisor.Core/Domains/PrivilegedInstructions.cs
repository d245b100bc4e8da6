using System;
using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// Emulation of the privileged instructions a PV kernel may execute in ring 3 and expect the
    /// hypervisor to perform: CPUID behind Xen's forced-emulation prefix (ud2; "xen"), HLT as a block.
    /// Anything else is left for the caller to bounce to the guest.
    /// </summary>
    public static class PrivilegedInstructions
    {
        /// <summary>Handles the #UD of "ud2a; .ascii \"xen\"; cpuid".</summary>
        public static bool TryEmulateForced(Vcpu vcpu)
        {
            Span<byte> code = stackalloc byte[7];
            if (!GuestMemory.TryRead(vcpu, vcpu.Registers.Rip, code))
                return false;
            if (code[0] != 0x0F || code[1] != 0x0B || code[2] != (byte)'x' || code[3] != (byte)'e' || code[4] != (byte)'n')
                return false;
            if (code[5] != 0x0F || code[6] != 0xA2)
                return false;
            ref GuestRegisters r = ref vcpu.Registers;
            PvCpuidPolicy.Execute(vcpu, (uint)r.Rax, (uint)r.Rcx, out uint a, out uint b, out uint c, out uint d);
            r.Rax = a;
            r.Rbx = b;
            r.Rcx = c;
            r.Rdx = d;
            r.Rip += 7;
            return true;
        }

        /// <summary>Handles a #GP raised by a privileged instruction; false when it is not one of ours.</summary>
        public static bool TryEmulate(Vcpu vcpu)
        {
            Span<byte> code = stackalloc byte[1];
            if (!GuestMemory.TryRead(vcpu, vcpu.Registers.Rip, code))
                return false;
            if (code[0] == 0xF4 && vcpu.InKernelMode)
            {
                // HLT from the guest kernel: wait for an event (without touching the event mask).
                // No event source reaches a vCPU yet, so the wait ends at once.
                vcpu.Registers.Rip += 1;
                return true;
            }
            return false;
        }
    }
}
