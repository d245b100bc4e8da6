namespace Hypervisor.Core.Events
{
    /// <summary>One port of a domain's event-channel table. Which fields mean something depends on
    /// <see cref="State"/>; the pending and mask bits live in the domain's shared_info, not here.</summary>
    public struct EventChannel
    {
        public EventChannelState State;
        /// <summary>The vCPU whose selector and upcall the port raises.</summary>
        public int NotifyVcpu;
        /// <summary><see cref="EventChannelState.Virq"/>: the VIRQ number.</summary>
        public uint Virq;
        /// <summary><see cref="EventChannelState.Unbound"/>: the domain allowed to bind;
        /// <see cref="EventChannelState.Interdomain"/>: the peer domain.</summary>
        public ushort RemoteDomain;
        /// <summary><see cref="EventChannelState.Interdomain"/>: the peer's port.</summary>
        public uint RemotePort;
    }
}
