using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>set_segment_base(which, base): sets the FS base, the guest-user or guest-kernel GS
    /// base, or loads the guest-user GS selector (its descriptor's base becomes the user GS base), since
    /// a ring-3 kernel cannot write the base MSRs or run SWAPGS. The arch layer loads the bases for the
    /// vCPU's mode when it resumes it.</summary>
    public static class SetSegmentBaseHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong value = args.A2;
            switch ((int)(uint)args.A1)
            {
                case SegmentBase.Fs:
                    if (!Canonical.IsCanonical(value))
                        return -XenErrno.EINVAL;
                    vcpu.FsBase = value;
                    return 0;
                case SegmentBase.GsUser:
                    if (!Canonical.IsCanonical(value))
                        return -XenErrno.EINVAL;
                    vcpu.GsBaseUser = value;
                    return 0;
                case SegmentBase.GsKernel:
                    if (!Canonical.IsCanonical(value))
                        return -XenErrno.EINVAL;
                    vcpu.GsBaseKernel = value;
                    return 0;
                case SegmentBase.GsUserSelector:
                    return LoadUserGsSelector(vcpu, (ushort)value);
                default:
                    return -XenErrno.EINVAL;
            }
        }

        // Loading a selector into GS in 64-bit mode takes the base from its descriptor; Xen loads it
        // into the guest-user GS at ring 3 and keeps the resulting base. A selector the CPU would refuse
        // there (beyond its table, not present, a system descriptor, code that cannot be read, a DPL
        // below 3) makes Xen load a null selector instead, base 0, and the call still returns 0 (Linux
        // BUG()s when it fails). The selector itself is not put into the CPU: only the base is kept.
        private static long LoadUserGsSelector(Vcpu vcpu, ushort selector)
        {
            ulong descriptor;
            vcpu.GsBaseUser = selector > 3 && TryReadDescriptor(vcpu, selector, out descriptor) && Loadable(descriptor)
                ? BaseOf(descriptor) : 0;
            return 0;
        }

        // The descriptor a selector names: in the guest's GDT (its checked, read-only frames), or in its
        // LDT (guest memory at the MMUEXT_SET_LDT address). The hypervisor's own entries from 0xe000 are
        // flat or unusable from ring 3, base 0 either way, so they need no reading.
        private static bool TryReadDescriptor(Vcpu vcpu, ushort selector, out ulong descriptor)
        {
            descriptor = 0;
            uint index = (uint)selector >> 3;
            if ((selector & 4) != 0)
            {
                if (index >= vcpu.LdtEntries)
                    return false;
                return GuestMemory.TryRead(vcpu, vcpu.LdtBase + (ulong)index * 8, out descriptor);
            }
            if (index >= DescriptorTables.FirstReservedGdtEntry || index >= vcpu.GdtEntries)
                return false;
            ulong frame = vcpu.GdtFrames[index / DescriptorsPerFrame];
            descriptor = vcpu.Domain.Host.Memory.Read64((frame << 12) + (index % DescriptorsPerFrame) * 8);
            return true;
        }

        private const uint DescriptorsPerFrame = 512;

        // What MOV to GS checks at CPL 3 with RPL 3: present, code or data, readable if code, and a
        // DPL of 3 unless it is conforming code.
        private static bool Loadable(ulong descriptor)
        {
            uint high = (uint)(descriptor >> 32);
            bool present = (high & (1u << 15)) != 0;
            bool codeOrData = (high & (1u << 12)) != 0;
            bool code = (high & (1u << 11)) != 0;
            bool conforming = code && (high & (1u << 10)) != 0;
            bool readable = !code || (high & (1u << 9)) != 0;
            uint dpl = (high >> 13) & 3;
            return present && codeOrData && readable && (conforming || dpl == 3);
        }

        private static ulong BaseOf(ulong descriptor) => ((descriptor >> 16) & 0xFFFFFF) | (((descriptor >> 56) & 0xFF) << 24);
    }
}
