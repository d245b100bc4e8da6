using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>set_segment_base(which, base): sets the FS base, the guest-user or guest-kernel GS
    /// base, or loads the guest-user GS selector, since a ring-3 kernel cannot write the base MSRs or
    /// run SWAPGS. The arch layer loads the bases for the vCPU's mode when it resumes it.</summary>
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

        // Loading a selector into GS in 64-bit mode sets the GS base from its descriptor; Xen does it
        // for the guest-user GS and keeps the resulting base. Guest descriptors are not read here yet,
        // so only selectors whose base is known to be 0 are taken: the null selectors (0-3), which a
        // 64-bit user process uses, and the flat selectors in the reserved part of every PV GDT. A
        // selector from the guest's own GDT or LDT gets -EINVAL rather than a wrong base (Xen would
        // load it, and would load the null selector instead of one that faults, returning 0).
        private static long LoadUserGsSelector(Vcpu vcpu, ushort selector)
        {
            if (selector > 3 && !IsFlatSelector(selector))
                return -XenErrno.EINVAL;
            vcpu.GsBaseUser = 0;
            return 0;
        }

        private static bool IsFlatSelector(ushort selector)
        {
            ushort index = (ushort)(selector & ~3);
            return index == (FlatSelector.Ring3Cs32 & ~3) || index == (FlatSelector.Ring3Ds32 & ~3) || index == (FlatSelector.Ring3Cs64 & ~3);
        }
    }
}
