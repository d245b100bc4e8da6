using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>vm_assist(cmd, type): turns one of Xen's optional behaviours for the domain on or off
    /// (writable page tables, architectural IOPL, the runstate update flag, strict M2P, ...).</summary>
    public static class VmAssistHypercall
    {
        /// <summary>The types Xen 4.17 accepts from a 64-bit PV domain (NATIVE_VM_ASSIST_VALID).</summary>
        public const ulong ValidTypes = (1UL << VmAssistType.FourGbSegments)
                                      | (1UL << VmAssistType.FourGbSegmentsNotify)
                                      | (1UL << VmAssistType.WritablePagetables)
                                      | (1UL << VmAssistType.PaeExtendedCr3)
                                      | (1UL << VmAssistType.ArchitecturalIopl)
                                      | (1UL << VmAssistType.RunstateUpdateFlag)
                                      | (1UL << VmAssistType.M2pStrict);

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            uint cmd = (uint)args.A1;
            uint type = (uint)args.A2;
            // The type is judged before the command, as in Xen: a bad type is -EINVAL whatever the command.
            if (type >= 64 || (ValidTypes & (1UL << (int)type)) == 0)
                return -XenErrno.EINVAL;
            Domain domain = vcpu.Domain;
            switch (cmd)
            {
                case VmAssistCommand.Enable:
                    domain.VmAssist |= 1UL << (int)type;
                    return 0;
                case VmAssistCommand.Disable:
                    domain.VmAssist &= ~(1UL << (int)type);
                    return 0;
                default:
                    return -XenErrno.ENOSYS;
            }
        }
    }
}
