using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// sysctl(op): the toolstack's view of the machine, in Xen 4.17's order of checks: the whole
    /// xen_sysctl is copied in once (-EFAULT), the interface version must be 0x15 (-EACCES), the caller
    /// must be privileged (-EPERM); then the command, and the struct is copied back whole. Offered:
    /// physinfo, sched_id, getdomaininfolist and the credit scheduler's parameters (scheduler_op);
    /// anything else is -ENOSYS.
    /// </summary>
    public static unsafe class SysctlHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong address = args.A1;
            if (!GuestMemory.TryRead(vcpu, address, out XenSysctl op))
                return -XenErrno.EFAULT;
            if (op.InterfaceVersion != Sysctl.InterfaceVersion)
                return -XenErrno.EACCES;
            if (!vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;
            Host host = vcpu.Domain.Host;
            DomainDestruction.ReapIfPending(host);

            byte* u = op.U;
            long rc;
            switch (op.Cmd)
            {
                case Sysctl.Physinfo:
                    Physinfo(host, ref *(SysctlPhysinfo*)u);
                    rc = 0;
                    break;
                case Sysctl.SchedId:
                    *(uint*)u = SchedulerId.Credit;
                    rc = 0;
                    break;
                case Sysctl.GetDomainInfoList:
                    rc = GetDomainInfoList(vcpu, ref *(SysctlGetDomainInfoList*)u);
                    break;
                case Sysctl.SchedulerOp:
                    rc = SchedulerOp(host, ref *(SysctlSchedulerOp*)u);
                    break;
                default:
                    return -XenErrno.ENOSYS;
            }
            if (rc == 0 && !GuestMemory.TryWrite(vcpu, address, in op))
                return -XenErrno.EFAULT;
            return rc;
        }

        private static void Physinfo(Host host, ref SysctlPhysinfo info)
        {
            info = default;
            info.ThreadsPerCore = 1;
            info.CoresPerSocket = (uint)host.CpuCount;
            info.NrCpus = (uint)host.CpuCount;
            info.MaxCpuId = (uint)host.CpuCount - 1;
            info.NrNodes = 1;
            info.MaxNodeId = 0;
            info.CpuKhz = (uint)(host.Platform.TimeStampFrequency / 1000);
            info.Capabilities = PhysinfoCapabilities.Pv | PhysinfoCapabilities.GnttabV1;
            ulong frameCount = host.FrameTable != null ? host.FrameTable.FrameCount : 0;
            info.TotalPages = host.Frames.TotalFrames;
            info.FreePages = host.Frames.FreeFrames;
            info.MaxMfn = frameCount != 0 ? frameCount - 1 : 0;
        }

        // The credit scheduler's global parameters (Xen's csched_sys_cntl): the time slice (1-1000 ms), the
        // rate limit (0, or 100-500000 us and not above the slice) and the migration delay (at most
        // 100 ms). Only the slice changes scheduling here; the other two are kept and reported.
        // Checked in the order of Xen's sched_adjust_global: the command, then the pool (only cpupool 0
        // exists: any other is -ESRCH, as cpupool_get_by_id finds none), then the scheduler's id.
        private static long SchedulerOp(Host host, ref SysctlSchedulerOp request)
        {
            if (request.Cmd != SchedulerOpCommand.GetInfo && request.Cmd != SchedulerOpCommand.PutInfo)
                return -XenErrno.EINVAL;
            if (request.CpupoolId != 0)
                return -XenErrno.ESRCH;
            Scheduling.CreditScheduler scheduler = host.Scheduler;
            if (scheduler == null || request.SchedId != SchedulerId.Credit)
                return -XenErrno.EINVAL;
            switch (request.Cmd)
            {
                case SchedulerOpCommand.GetInfo:
                    request.TsliceMs = (uint)(scheduler.TimeSlice / 1_000_000);
                    request.RatelimitUs = scheduler.RateLimitUs;
                    request.VcpuMigrDelayUs = scheduler.MigrationDelayUs;
                    return 0;
                case SchedulerOpCommand.PutInfo:
                    if (request.TsliceMs < 1 || request.TsliceMs > 1000
                        || (request.RatelimitUs != 0 && (request.RatelimitUs < 100 || request.RatelimitUs > 500000))
                        || (ulong)request.RatelimitUs * 1000 > (ulong)request.TsliceMs * 1_000_000
                        || request.VcpuMigrDelayUs > 100_000)
                        return -XenErrno.EINVAL;
                    scheduler.SetTimeSlice((ulong)request.TsliceMs * 1_000_000);
                    scheduler.RateLimitUs = request.RatelimitUs;
                    scheduler.MigrationDelayUs = request.VcpuMigrDelayUs;
                    return 0;
                default:
                    return -XenErrno.EINVAL;
            }
        }

        // Xen's loop: domains from first_domain up, at most max_domains, each written as it is found
        // (-EFAULT stops the list; the count is then not written back).
        private static long GetDomainInfoList(Vcpu vcpu, ref SysctlGetDomainInfoList request)
        {
            DomainList list = vcpu.Domain.Host.Domains;
            uint written = 0;
            for (int i = request.FirstDomain; i < list.Count; i++)
            {
                Domain domain = list.At(i);
                if (domain == null || domain.State == DomainState.Dead)
                    continue;
                if (written == request.MaxDomains)
                    break;
                DomctlGetDomainInfo info = default;
                DomctlHypercall.Describe(domain, ref info);
                if (!GuestMemory.TryWrite(vcpu, request.Buffer + written * (ulong)sizeof(DomctlGetDomainInfo), in info))
                    return -XenErrno.EFAULT;
                written++;
            }
            request.NumDomains = written;
            return 0;
        }
    }
}
