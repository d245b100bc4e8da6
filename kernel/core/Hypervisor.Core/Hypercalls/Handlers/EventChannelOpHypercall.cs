using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// event_channel_op(cmd, arg), and the old event_channel_op_compat(evtchn_op*), whose argument is the
    /// command followed by the same structures. Each command copies its structure in (-EFAULT), checks
    /// the domains it names (DOMID_SELF or the caller's id; another domain needs privilege, -EPERM, and
    /// must exist, -ESRCH), acts through <see cref="EventChannels"/>, and copies the port out.
    /// Only the 2-level ABI is offered: init_control is -ENOSYS, which tells a guest to stay on 2-level;
    /// expand_array and set_priority answer as Xen does for a 2-level domain (-EOPNOTSUPP, -ENOSYS).
    /// Every one of them still copies its argument in first, as Xen does (-EFAULT). A reset runs to the
    /// end in one call, so there is never one for reset_cont (Xen's continuation, 14) to resume: -EBUSY.
    /// No physical IRQ is ever routed to a domain yet, so bind_pirq is -EINVAL (no such IRQ mapped).
    /// </summary>
    public static class EventChannelOpHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args) => Run(vcpu, (int)(uint)args.A1, args.A2);

        /// <summary>event_channel_op_compat: the command is the first word of the argument. As in Xen, the
        /// whole evtchn_op must be readable (-EFAULT otherwise, even when the command's own struct is
        /// shorter), and only the commands the old interface had (bind_interdomain to unmask) are offered:
        /// reset, reset_cont and the FIFO commands are -ENOSYS.</summary>
        public static long HandleCompat(Vcpu vcpu, in HypercallArguments args)
        {
            if (!GuestMemory.TryRead(vcpu, args.A1, out EvtchnOp op))
                return -XenErrno.EFAULT;
            if (op.Cmd > EventChannelOp.Unmask)
                return -XenErrno.ENOSYS;
            return Run(vcpu, (int)op.Cmd, args.A1 + EvtchnOp.ArgumentOffset);
        }

        private static long Run(Vcpu vcpu, int command, ulong arg)
        {
            switch (command)
            {
                case EventChannelOp.AllocUnbound: return AllocUnbound(vcpu, arg);
                case EventChannelOp.BindInterdomain: return BindInterdomain(vcpu, arg);
                case EventChannelOp.BindVirq: return BindVirq(vcpu, arg);
                case EventChannelOp.BindIpi: return BindIpi(vcpu, arg);
                case EventChannelOp.BindPirq:
                    return GuestMemory.TryRead(vcpu, arg, out EvtchnBindPirq _) ? -XenErrno.EINVAL : -XenErrno.EFAULT;
                case EventChannelOp.Close:
                    {
                        if (!GuestMemory.TryRead(vcpu, arg, out EvtchnClose close))
                            return -XenErrno.EFAULT;
                        return EventChannels.Close(vcpu.Domain, close.Port);
                    }
                case EventChannelOp.Send:
                    {
                        if (!GuestMemory.TryRead(vcpu, arg, out EvtchnSend send))
                            return -XenErrno.EFAULT;
                        return EventChannels.Send(vcpu.Domain, send.Port);
                    }
                case EventChannelOp.Status: return Status(vcpu, arg);
                case EventChannelOp.BindVcpu:
                    {
                        if (!GuestMemory.TryRead(vcpu, arg, out EvtchnBindVcpu bind))
                            return -XenErrno.EFAULT;
                        return EventChannels.BindVcpu(vcpu.Domain, bind.Port, bind.Vcpu);
                    }
                case EventChannelOp.Unmask:
                    {
                        if (!GuestMemory.TryRead(vcpu, arg, out EvtchnUnmask unmask))
                            return -XenErrno.EFAULT;
                        return EventChannels.Unmask(vcpu.Domain, unmask.Port);
                    }
                case EventChannelOp.Reset: return Reset(vcpu, arg);
                case EventChannelOp.ResetCont: return ResetCont(vcpu, arg);
                case EventChannelOp.InitControl:
                    return GuestMemory.TryRead(vcpu, arg, out EvtchnInitControl _) ? -XenErrno.ENOSYS : -XenErrno.EFAULT;
                case EventChannelOp.ExpandArray:
                    return GuestMemory.TryRead(vcpu, arg, out EvtchnExpandArray _) ? -XenErrno.EOPNOTSUPP : -XenErrno.EFAULT;
                case EventChannelOp.SetPriority:
                    {
                        if (!GuestMemory.TryRead(vcpu, arg, out EvtchnSetPriority priority))
                            return -XenErrno.EFAULT;
                        return vcpu.Domain.Events.IsValid(priority.Port) ? -XenErrno.ENOSYS : -XenErrno.EINVAL;
                    }
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        private static long AllocUnbound(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out EvtchnAllocUnbound alloc))
                return -XenErrno.EFAULT;
            long rc = ResolveDomain(vcpu, alloc.Dom, out Domain owner);
            if (rc != 0)
                return rc;
            long port = EventChannels.AllocUnbound(owner, alloc.RemoteDom == DomainId.Self ? vcpu.Domain.Id : alloc.RemoteDom);
            if (port < 0)
                return port;
            alloc.Port = (uint)port;
            return GuestMemory.TryWrite(vcpu, arg, in alloc) ? 0 : -XenErrno.EFAULT;
        }

        private static long BindInterdomain(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out EvtchnBindInterdomain bind))
                return -XenErrno.EFAULT;
            Domain remote = vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, bind.RemoteDom);
            if (remote == null)   // a domain that has shut down but still exists can still be bound to
                return -XenErrno.ESRCH;
            long port = EventChannels.BindInterdomain(vcpu.Domain, remote, bind.RemotePort);
            if (port < 0)
                return port;
            bind.LocalPort = (uint)port;
            return GuestMemory.TryWrite(vcpu, arg, in bind) ? 0 : -XenErrno.EFAULT;
        }

        private static long BindVirq(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out EvtchnBindVirq bind))
                return -XenErrno.EFAULT;
            long port = EventChannels.BindVirq(vcpu.Domain, bind.VirqNumber, bind.Vcpu);
            if (port < 0)
                return port;
            bind.Port = (uint)port;
            return GuestMemory.TryWrite(vcpu, arg, in bind) ? 0 : -XenErrno.EFAULT;
        }

        private static long BindIpi(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out EvtchnBindIpi bind))
                return -XenErrno.EFAULT;
            long port = EventChannels.BindIpi(vcpu.Domain, bind.Vcpu);
            if (port < 0)
                return port;
            bind.Port = (uint)port;
            return GuestMemory.TryWrite(vcpu, arg, in bind) ? 0 : -XenErrno.EFAULT;
        }

        private static long Status(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out EvtchnStatus status))
                return -XenErrno.EFAULT;
            // Xen judges the port before the privilege: an invalid port is -EINVAL for anyone.
            Domain domain = vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, status.Dom);
            if (domain == null)
                return -XenErrno.ESRCH;
            if (!domain.Events.IsValid(status.Port))
                return -XenErrno.EINVAL;
            if (domain != vcpu.Domain && !vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;
            // Only the union's members of the port's kind are written; the rest goes back as the guest gave it.
            EventChannel channel = domain.Events[status.Port];
            status.Vcpu = (uint)channel.NotifyVcpu;
            switch (channel.State)
            {
                case EventChannelState.Unbound:
                    status.Status = EvtchnStatusKind.Unbound;
                    status.PeerDom = channel.RemoteDomain;
                    break;
                case EventChannelState.Interdomain:
                    status.Status = EvtchnStatusKind.Interdomain;
                    status.PeerDom = channel.RemoteDomain;
                    status.PeerPort = channel.RemotePort;
                    break;
                case EventChannelState.Pirq:
                    status.Status = EvtchnStatusKind.Pirq;
                    break;
                case EventChannelState.Virq:
                    status.Status = EvtchnStatusKind.Virq;
                    status.VirqNumber = channel.Virq;
                    break;
                case EventChannelState.Ipi:
                    status.Status = EvtchnStatusKind.Ipi;
                    break;
                default:
                    status.Status = EvtchnStatusKind.Closed;
                    break;
            }
            return GuestMemory.TryWrite(vcpu, arg, in status) ? 0 : -XenErrno.EFAULT;
        }

        private static long Reset(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out EvtchnReset reset))
                return -XenErrno.EFAULT;
            long rc = ResolveDomain(vcpu, reset.Dom, out Domain domain);
            if (rc != 0)
                return rc;
            // As Xen's evtchn_reset: another domain's ports are reset only while its controller keeps it
            // paused (domctl pausedomain), so that they never vanish under a running kernel.
            if (domain != vcpu.Domain && domain.ControllerPauses == 0)
                return -XenErrno.EINVAL;
            EventChannels.CloseAll(domain);
            return 0;
        }

        private static long ResetCont(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out EvtchnReset reset))
                return -XenErrno.EFAULT;
            long rc = ResolveDomain(vcpu, reset.Dom, out Domain domain);
            if (rc != 0)
                return rc;
            return domain != vcpu.Domain ? -XenErrno.EINVAL : -XenErrno.EBUSY;
        }

        // DOMID_SELF or the caller's own id: the caller. Another domain: only for a privileged caller.
        private static long ResolveDomain(Vcpu vcpu, ushort id, out Domain domain)
        {
            domain = vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, id);
            if (domain == null)
                return -XenErrno.ESRCH;
            if (domain != vcpu.Domain && !vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;
            return 0;
        }
    }
}
