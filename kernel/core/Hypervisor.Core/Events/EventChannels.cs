using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Events
{
    /// <summary>
    /// What event_channel_op does to ports, once its argument has been read: bind, send, close, move,
    /// unmask and reset, with Xen's errnos. A domain names only its own ports; the one thing it can do
    /// to another domain's is bind to a port that domain allocated for it (alloc_unbound), after which
    /// either end may send and close.
    /// </summary>
    public static class EventChannels
    {
        /// <summary>EVTCHNOP_alloc_unbound: a port of <paramref name="owner"/> that <paramref name="remoteId"/>
        /// may bind to; the port or a negative errno.</summary>
        public static long AllocUnbound(Domain owner, ushort remoteId)
        {
            long port = owner.Events.FindFreePort();
            if (port < 0)
                return port;
            ref EventChannel channel = ref owner.Events[(uint)port];
            channel.State = EventChannelState.Unbound;
            channel.NotifyVcpu = 0;
            channel.RemoteDomain = remoteId == DomainId.Self ? owner.Id : remoteId;
            return port;
        }

        /// <summary>EVTCHNOP_bind_interdomain: connects a new port of <paramref name="local"/> to
        /// <paramref name="remotePort"/> of <paramref name="remote"/>, which must be unbound and offered to
        /// <paramref name="local"/>. The new port is raised at once, as Xen does, so that a peer that sent
        /// before the connection is not missed.</summary>
        public static long BindInterdomain(Domain local, Domain remote, uint remotePort)
        {
            // As in Xen, the local port is found first (a full table is -ENOSPC whatever the remote).
            long port = local.Events.FindFreePort();
            if (port < 0)
                return port;
            if (!remote.Events.IsValid(remotePort))
                return -XenErrno.EINVAL;
            ref EventChannel remoteChannel = ref remote.Events[remotePort];
            if (remoteChannel.State != EventChannelState.Unbound || remoteChannel.RemoteDomain != local.Id)
                return -XenErrno.EINVAL;
            ref EventChannel channel = ref local.Events[(uint)port];
            channel.State = EventChannelState.Interdomain;
            channel.NotifyVcpu = 0;
            channel.RemoteDomain = remote.Id;
            channel.RemotePort = remotePort;
            remoteChannel.State = EventChannelState.Interdomain;
            remoteChannel.RemoteDomain = local.Id;
            remoteChannel.RemotePort = (uint)port;
            TwoLevelEvents.SetPending(local, channel.NotifyVcpu, (uint)port);
            return port;
        }

        /// <summary>EVTCHNOP_bind_virq: -EINVAL for an unknown VIRQ or a global one on a vCPU other than
        /// 0, -ENOENT for a vCPU the domain lacks, -EEXIST if the VIRQ is bound on that vCPU already.</summary>
        public static long BindVirq(Domain domain, uint virq, uint vcpuId)
        {
            if (virq >= Virq.Count)
                return -XenErrno.EINVAL;
            if (IsGlobal(virq) && vcpuId != 0)
                return -XenErrno.EINVAL;
            if (vcpuId >= (uint)domain.Vcpus.Length)
                return -XenErrno.ENOENT;
            Vcpu vcpu = domain.Vcpus[(int)vcpuId];
            if (vcpu.VirqPorts[virq] != 0)
                return -XenErrno.EEXIST;
            long port = domain.Events.FindFreePort();
            if (port < 0)
                return port;
            ref EventChannel channel = ref domain.Events[(uint)port];
            channel.State = EventChannelState.Virq;
            channel.Virq = virq;
            channel.NotifyVcpu = (int)vcpuId;
            vcpu.VirqPorts[virq] = (uint)port;
            return port;
        }

        /// <summary>EVTCHNOP_bind_ipi: a port that notifies vCPU <paramref name="vcpuId"/> of the same domain.</summary>
        public static long BindIpi(Domain domain, uint vcpuId)
        {
            if (vcpuId >= (uint)domain.Vcpus.Length)
                return -XenErrno.ENOENT;
            long port = domain.Events.FindFreePort();
            if (port < 0)
                return port;
            ref EventChannel channel = ref domain.Events[(uint)port];
            channel.State = EventChannelState.Ipi;
            channel.NotifyVcpu = (int)vcpuId;
            return port;
        }

        /// <summary>EVTCHNOP_send: raises the other end (an IPI port raises itself); an unbound port drops
        /// the event; anything else is -EINVAL.</summary>
        public static long Send(Domain domain, uint port)
        {
            if (!domain.Events.IsValid(port))
                return -XenErrno.EINVAL;
            ref EventChannel channel = ref domain.Events[port];
            switch (channel.State)
            {
                case EventChannelState.Interdomain:
                    {
                        Domain remote = domain.Host.Domains.Find(channel.RemoteDomain);
                        if (remote == null)
                            return 0;   // cannot happen: a dying domain closes its ports first
                        ref EventChannel peer = ref remote.Events[channel.RemotePort];
                        TwoLevelEvents.SetPending(remote, peer.NotifyVcpu, channel.RemotePort);
                        return 0;
                    }
                case EventChannelState.Ipi:
                    TwoLevelEvents.SetPending(domain, channel.NotifyVcpu, port);
                    return 0;
                case EventChannelState.Unbound:
                    return 0;
                default:
                    return -XenErrno.EINVAL;
            }
        }

        /// <summary>EVTCHNOP_close: frees the port and clears its pending bit; the peer of an
        /// interdomain port goes back to unbound (offered to this domain again). -EINVAL for a port that is
        /// not in use.</summary>
        public static long Close(Domain domain, uint port)
        {
            if (!domain.Events.IsValid(port))
                return -XenErrno.EINVAL;
            ref EventChannel channel = ref domain.Events[port];
            switch (channel.State)
            {
                case EventChannelState.Free:
                case EventChannelState.Reserved:
                    return -XenErrno.EINVAL;
                case EventChannelState.Virq:
                    {
                        Vcpu[] vcpus = domain.Vcpus;
                        for (int i = 0; i < vcpus.Length; i++)
                        {
                            if (vcpus[i].VirqPorts[channel.Virq] == port)
                                vcpus[i].VirqPorts[channel.Virq] = 0;
                        }
                        break;
                    }
                case EventChannelState.Interdomain:
                    {
                        Domain remote = domain.Host.Domains.Find(channel.RemoteDomain);
                        if (remote != null)
                        {
                            ref EventChannel peer = ref remote.Events[channel.RemotePort];
                            peer.State = EventChannelState.Unbound;
                            peer.RemoteDomain = domain.Id;
                            peer.RemotePort = 0;
                        }
                        break;
                    }
            }
            TwoLevelEvents.ClearPending(domain, port);
            domain.Events.Free(port);
            return 0;
        }

        /// <summary>EVTCHNOP_bind_vcpu: moves a port's notifications to another vCPU. IPI ports and
        /// per-vCPU VIRQs stay where they were bound (-EINVAL).</summary>
        public static long BindVcpu(Domain domain, uint port, uint vcpuId)
        {
            if (vcpuId >= (uint)domain.Vcpus.Length)
                return -XenErrno.ENOENT;
            if (!domain.Events.IsValid(port))
                return -XenErrno.EINVAL;
            ref EventChannel channel = ref domain.Events[port];
            switch (channel.State)
            {
                case EventChannelState.Virq:
                    if (!IsGlobal(channel.Virq))
                        return -XenErrno.EINVAL;
                    channel.NotifyVcpu = (int)vcpuId;
                    return 0;
                case EventChannelState.Unbound:
                case EventChannelState.Interdomain:
                case EventChannelState.Pirq:
                    channel.NotifyVcpu = (int)vcpuId;
                    return 0;
                default:
                    return -XenErrno.EINVAL;
            }
        }

        /// <summary>EVTCHNOP_unmask.</summary>
        public static long Unmask(Domain domain, uint port)
        {
            if (!domain.Events.IsValid(port))
                return -XenErrno.EINVAL;
            TwoLevelEvents.Unmask(domain, domain.Events[port].NotifyVcpu, port);
            return 0;
        }

        /// <summary>EVTCHNOP_reset and a dying domain: closes every port.</summary>
        public static void CloseAll(Domain domain)
        {
            EventChannelTable table = domain.Events;
            for (uint port = 1; port < (uint)table.ValidPorts; port++)
            {
                if (table[port].State != EventChannelState.Free)
                    Close(domain, port);
            }
        }

        /// <summary>Raises VIRQ <paramref name="virq"/> of <paramref name="vcpu"/> if the guest bound it.</summary>
        public static void SendVirq(Vcpu vcpu, uint virq)
        {
            uint port = vcpu.VirqPorts[virq];
            if (port != 0)
                TwoLevelEvents.SetPending(vcpu.Domain, vcpu.Id, port);
        }

        /// <summary>Raises a global VIRQ of <paramref name="domain"/> (bound on vCPU 0, notifying whichever
        /// vCPU bind_vcpu chose).</summary>
        public static void SendGlobalVirq(Domain domain, uint virq)
        {
            if (domain.Vcpus.Length == 0)
                return;
            uint port = domain.Vcpus[0].VirqPorts[virq];
            if (port != 0)
                TwoLevelEvents.SetPending(domain, domain.Events[port].NotifyVcpu, port);
        }

        /// <summary>The VIRQs each vCPU has its own of; every other one is the domain's.</summary>
        public static bool IsGlobal(uint virq)
            => virq != Virq.Timer && virq != Virq.Debug && virq != Virq.Xenoprof && virq != Virq.Xenpmu;
    }
}
