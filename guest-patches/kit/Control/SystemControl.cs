using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Typed sysctl commands (interface version 0x15): physinfo and getdomaininfolist. Each returns the
    /// call's result (0 or a negative errno). Privileged domains only.
    /// </summary>
    public static unsafe class SystemControl
    {
        /// <summary>A sysctl for <paramref name="command"/>, the union zeroed.</summary>
        public static XenSysctl Prepare(uint command)
        {
            XenSysctl op = default;
            op.Cmd = command;
            op.InterfaceVersion = Sysctl.InterfaceVersion;
            return op;
        }

        /// <summary>XEN_SYSCTL_physinfo: CPUs, total and free pages, the highest machine frame.</summary>
        public static long Physinfo(out SysctlPhysinfo info)
        {
            XenSysctl op = Prepare(Sysctl.Physinfo);
            long rc = Hypercalls.Sysctl(&op);
            info = *(SysctlPhysinfo*)op.U;
            return rc;
        }

        /// <summary>Free pages as physinfo counts them, or 0 when the call fails.</summary>
        public static ulong FreePages()
        {
            return Physinfo(out SysctlPhysinfo info) == 0 ? info.FreePages : 0;
        }

        /// <summary>XEN_SYSCTL_getdomaininfolist: up to <paramref name="max"/> domains from
        /// <paramref name="first"/> on into <paramref name="buffer"/>; <paramref name="count"/> is how many
        /// were written.</summary>
        public static long GetDomainInfoList(ushort first, uint max, DomctlGetDomainInfo* buffer, out uint count)
        {
            XenSysctl op = Prepare(Sysctl.GetDomainInfoList);
            SysctlGetDomainInfoList* list = (SysctlGetDomainInfoList*)op.U;
            list->FirstDomain = first;
            list->MaxDomains = max;
            list->Buffer = (ulong)buffer;
            long rc = Hypercalls.Sysctl(&op);
            count = list->NumDomains;
            return rc;
        }
    }
}
