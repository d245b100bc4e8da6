namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// RDMSR and WRMSR from a 64-bit PV kernel, following Xen 4.17's PV read_msr/write_msr: the segment
    /// bases map to the vCPU's own, a few architectural MSRs show fixed guest values, and anything
    /// else is refused, so the caller raises #GP in the guest (as Xen 4.15 and later do for MSRs they
    /// do not know). The core cannot read host MSRs, so where Xen forwards an adjusted host value this
    /// gives the value this hypervisor knows the CPU holds.
    /// </summary>
    public static class PvMsrPolicy
    {
        public const uint Tsc = 0x10;
        public const uint ApicBase = 0x1B;
        public const uint PlatformInfo = 0xCE;
        public const uint MiscFeaturesEnables = 0x140;
        public const uint MiscEnable = 0x1A0;
        public const uint Pat = 0x277;
        public const uint PerfCapabilities = 0x345;
        public const uint Efer = 0xC0000080;
        public const uint FsBase = 0xC0000100;
        public const uint GsBase = 0xC0000101;
        public const uint ShadowGsBase = 0xC0000102;
        public const uint AmdDeCfg = 0xC0011029;

        /// <summary>DE_CFG as Xen shows it on AMD: LFENCE is dispatch-serialising (Linux reads it to
        /// decide how to order RDTSC).</summary>
        public const ulong DeCfgLfenceSerialise = 1UL << 1;

        /// <summary>EFER as the guest sees it: SCE, LME, LMA and NXE, which is exactly what the
        /// hypervisor runs with (long mode, no-execute, SYSCALL).</summary>
        public const ulong GuestEfer = (1UL << 0) | (1UL << 8) | (1UL << 10) | (1UL << 11);

        /// <summary>APIC_BASE as Xen shows it to PV guests (Linux reads it): enabled, at the default
        /// address, with BSP on vCPU 0.</summary>
        public const ulong ApicBaseValue = 0xFEE00000UL | (1UL << 11);
        private const ulong ApicBaseBsp = 1UL << 8;

        /// <summary>The PAT the guest's page-table entries are interpreted with: the power-on value,
        /// which this hypervisor never reprograms (Xen shows its own, reprogrammed, PAT).</summary>
        public const ulong HostPat = 0x0007040600070406UL;

        /// <summary>MISC_ENABLE as Xen adjusts it for guests (performance monitoring and MONITOR/MWAIT
        /// hidden; BTS, PEBS unavailable; xTPR disabled), over the reset value of the remaining bits
        /// (fast strings on).</summary>
        public const ulong GuestMiscEnable = (1UL << 0) | (1UL << 11) | (1UL << 12) | (1UL << 23);

        /// <summary>Reads MSR <paramref name="index"/> for the guest kernel; false: #GP.</summary>
        public static bool TryRead(Vcpu vcpu, uint index, out ulong value)
        {
            value = 0;
            switch (index)
            {
                case FsBase:
                    value = vcpu.FsBase;
                    return true;
                case GsBase:
                    // Only the guest kernel reaches here, so the live GS base is the kernel's.
                    value = vcpu.GsBaseKernel;
                    return true;
                case ShadowGsBase:
                    value = vcpu.GsBaseUser;
                    return true;
                case Efer:
                    value = GuestEfer;
                    return true;
                case ApicBase:
                    value = ApicBaseValue | (vcpu.Id == 0 ? ApicBaseBsp : 0);
                    return true;
                case Tsc:
                    value = vcpu.Domain.Host.Platform.ReadTimeStampCounter();
                    return true;
                case Pat:
                    value = HostPat;
                    return true;
                case MiscEnable:
                    // An Intel MSR: on other CPUs Xen's own read fails, and so does the guest's.
                    if (!IsIntel(vcpu))
                        return false;
                    value = GuestMiscEnable;
                    return true;
                case PlatformInfo:
                    // No CPUID faulting is offered, and nothing else in it is virtualised.
                    return true;
                case MiscFeaturesEnables:
                    // Nothing can be enabled (see the write), so it always reads 0.
                    return true;
                case PerfCapabilities:
                    // No extra capabilities are supported.
                    return true;
                case AmdDeCfg:
                    if (!IsAmd(vcpu))
                        return false;
                    value = DeCfgLfenceSerialise;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Writes MSR <paramref name="index"/> for the guest kernel; false: #GP.</summary>
        public static bool TryWrite(Vcpu vcpu, uint index, ulong value)
        {
            switch (index)
            {
                case FsBase:
                    if (!Canonical.IsCanonical(value))
                        return false;
                    vcpu.FsBase = value;
                    return true;
                case GsBase:
                    if (!Canonical.IsCanonical(value))
                        return false;
                    vcpu.GsBaseKernel = value;
                    return true;
                case ShadowGsBase:
                    if (!Canonical.IsCanonical(value))
                        return false;
                    vcpu.GsBaseUser = value;
                    return true;
                case Efer:
                    // Linux writes back the value it read; any change is refused.
                    return value == GuestEfer;
                case MiscEnable:
                    // Xen ignores every write (logging one that would change something), on Intel.
                    return IsIntel(vcpu);
                case MiscFeaturesEnables:
                    // CPUID faulting is its only bit and is not offered: every bit is reserved.
                    return value == 0;
                case AmdDeCfg:
                    // Xen drops the write on AMD (some kernels panic if it faults).
                    return IsAmd(vcpu);
                default:
                    return false;
            }
        }

        // CPUID leaf 0 vendor "AuthenticAMD" (EBX "Auth", EDX "enti", ECX "cAMD") or "HygonGenuine"
        // (EBX "Hygo", EDX "nGen", ECX "uine").
        private static bool IsAmd(Vcpu vcpu)
        {
            vcpu.Domain.Host.Platform.Cpuid(0, 0, out uint _, out uint ebx, out uint ecx, out uint edx);
            return (ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163)
                || (ebx == 0x6F677948 && edx == 0x6E65476E && ecx == 0x656E6975);
        }

        // CPUID leaf 0 vendor "GenuineIntel" (EBX "Genu", EDX "ineI", ECX "ntel").
        private static bool IsIntel(Vcpu vcpu)
        {
            vcpu.Domain.Host.Platform.Cpuid(0, 0, out uint _, out uint ebx, out uint ecx, out uint edx);
            return ebx == 0x756E6547 && edx == 0x49656E69 && ecx == 0x6C65746E;
        }
    }
}
