namespace Hypervisor.Core.Domains
{
    /// <summary>Life cycle of a domain as the scheduler and the control hypercalls see it.</summary>
    public enum DomainState
    {
        /// <summary>Built, not yet started.</summary>
        Created,
        Running,
        /// <summary>Asked to stop through sched_op shutdown; <see cref="Domain.ShutdownReason"/> says why.</summary>
        ShutDown,
        /// <summary>Stopped by the hypervisor after a fault the guest could not handle.</summary>
        Crashed,
    }
}
