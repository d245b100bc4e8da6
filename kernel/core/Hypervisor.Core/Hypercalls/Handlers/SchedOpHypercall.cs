using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Time;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// sched_op(cmd, arg): give up the CPU (yield), wait for an event (block, poll), stop the domain
    /// (shutdown, shutdown_code) or another one (remote_shutdown, privileged), and the domain's
    /// watchdogs. sched_op_compat(cmd, arg) is the old form: yield, block, and shutdown with the reason
    /// as the argument itself.
    /// </summary>
    public static class SchedOpHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            switch ((int)(uint)args.A1)
            {
                case SchedOp.Yield:
                    VcpuBlocking.Yield(vcpu);
                    return 0;
                case SchedOp.Block:
                    VcpuBlocking.Block(vcpu);
                    return 0;
                case SchedOp.Shutdown:
                    {
                        if (!GuestMemory.TryRead(vcpu, args.A2, out SchedShutdown request))
                            return -XenErrno.EFAULT;
                        DomainLifecycle.Shutdown(vcpu.Domain, request.Reason);
                        return 0;
                    }
                case SchedOp.ShutdownCode:
                    {
                        if (!GuestMemory.TryRead(vcpu, args.A2, out SchedShutdown request))
                            return -XenErrno.EFAULT;
                        vcpu.Domain.ShutdownReason = (int)request.Reason;
                        return 0;
                    }
                case SchedOp.Poll:
                    {
                        if (!GuestMemory.TryRead(vcpu, args.A2, out SchedPoll poll))
                            return -XenErrno.EFAULT;
                        if (poll.NrPorts > VcpuBlocking.MaxPollPorts)
                            return -XenErrno.EINVAL;
                        return VcpuBlocking.Poll(vcpu, poll.Ports, poll.NrPorts, poll.Timeout);
                    }
                case SchedOp.RemoteShutdown:
                    return RemoteShutdown(vcpu, args.A2);
                case SchedOp.Watchdog:
                    {
                        if (!GuestMemory.TryRead(vcpu, args.A2, out SchedWatchdog watchdog))
                            return -XenErrno.EFAULT;
                        return DomainWatchdogs.Set(vcpu.Domain, watchdog.Id, watchdog.Timeout);
                    }
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        public static long HandleCompat(Vcpu vcpu, in HypercallArguments args)
        {
            switch ((int)(uint)args.A1)
            {
                case SchedOp.Yield:
                    VcpuBlocking.Yield(vcpu);
                    return 0;
                case SchedOp.Block:
                    VcpuBlocking.Block(vcpu);
                    return 0;
                case SchedOp.Shutdown:
                    DomainLifecycle.Shutdown(vcpu.Domain, (byte)args.A2);   // Xen keeps the low byte
                    return 0;
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        // Only a privileged caller (Xen's device-model privilege, which a PV domain has only as dom0);
        // the target is looked up first, so an unknown one is -ESRCH for anyone.
        private static long RemoteShutdown(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out SchedRemoteShutdown request))
                return -XenErrno.EFAULT;
            Domain target = vcpu.Domain.Host.Domains.Find(request.DomainId);
            if (target == null)
                return -XenErrno.ESRCH;
            if (!vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;
            DomainLifecycle.Shutdown(target, request.Reason);
            return 0;
        }
    }
}
