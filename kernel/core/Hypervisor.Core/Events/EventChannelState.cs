namespace Hypervisor.Core.Events
{
    /// <summary>What a port of a domain is bound to. Port 0 is <see cref="Reserved"/> for the life of
    /// the domain, so 0 can never be a valid binding (guests use it as "no port").</summary>
    public enum EventChannelState : byte
    {
        Free,
        Reserved,
        /// <summary>Allocated for a remote domain to bind to (alloc_unbound); events sent on it are dropped.</summary>
        Unbound,
        /// <summary>Connected to a port of another (or the same) domain.</summary>
        Interdomain,
        /// <summary>Bound to a physical IRQ.</summary>
        Pirq,
        /// <summary>Bound to a virtual IRQ of one vCPU (per-vCPU VIRQs) or of the domain (global VIRQs).</summary>
        Virq,
        /// <summary>Bound for events between the domain's own vCPUs.</summary>
        Ipi,
    }
}
