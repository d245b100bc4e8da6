namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// The last check before a vCPU's registers are loaded with iretq: whatever a guest asked for
    /// (iret contexts, bounce frames, callbacks), the CPU must return to ring 3 with a flat guest code
    /// selector, a guest stack selector and a canonical RIP. Anything else would fault inside the
    /// hypervisor's own iretq, so the domain is crashed instead, with the reason.
    /// </summary>
    public static class ResumableState
    {
        private const ulong ClearedFlags = (1UL << 14) | (1UL << 17);   // NT, VM: never into a guest

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool Check(Vcpu vcpu)
        {
            ref GuestRegisters r = ref vcpu.Registers;
            ulong cs = r.Cs & 0xFFFF, ss = r.Ss & 0xFFFF;
            if (cs != Hypervisor.Abi.FlatSelector.Ring3Cs64 && cs != Hypervisor.Abi.FlatSelector.Ring3Cs32)
                return Refuse(vcpu, "code selector is not a flat guest selector", cs);
            if (ss != Hypervisor.Abi.FlatSelector.Ring3Ss64)
                return Refuse(vcpu, "stack selector is not the flat guest selector", ss);
            if (!Canonical.IsCanonical(r.Rip) || (r.Rip >= Hypervisor.Abi.AddressSpaceLayout.HypervisorVirtStart && r.Rip < Hypervisor.Abi.AddressSpaceLayout.HypervisorVirtEnd))
                return Refuse(vcpu, "instruction pointer is not a guest address", r.Rip);
            r.Cs = cs;
            r.Ss = ss;
            r.Rflags = ResumedFlags(r.Rflags);
            return true;
        }

        /// <summary>The RFLAGS a guest resumes with, given the ones it asked for.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static ulong ResumedFlags(ulong rflags) =>
            (rflags & ~(ClearedFlags | GuestRegisters.IoplMask)) | GuestRegisters.InterruptFlag | GuestRegisters.ReservedFlag;

        private static bool Refuse(Vcpu vcpu, string problem, ulong value)
        {
            GuestFault.Begin(vcpu).Text("cannot resume the guest: its ").Text(problem).Text(" (").Hex(value).Text(")").End();
            DomainLifecycle.Crash(vcpu.Domain);
            return false;
        }
    }
}
