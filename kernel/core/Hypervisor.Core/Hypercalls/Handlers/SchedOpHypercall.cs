using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>sched_op(cmd, arg): give up the CPU, wait for an event, or stop the domain.</summary>
    public static class SchedOpHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            switch ((int)(uint)args.A1)
            {
                case SchedOp.Yield:
                    return 0;
                case SchedOp.Block:
                    // Blocking re-enables event delivery. With one vCPU and no event source wired to
                    // it yet, the wake-up is immediate: a spurious wake-up, which guests must expect.
                    VcpuInfoAccess.SetUpcallMask(vcpu, 0);
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
                default:
                    return -XenErrno.ENOSYS;
            }
        }
    }
}
