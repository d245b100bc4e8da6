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
        /// <summary>Being destroyed (domctl destroydomain): nothing of it runs; frames that other domains
        /// still map go back once the last mapping goes.</summary>
        Dying,
        /// <summary>Destroyed: every frame returned, the id free again.</summary>
        Dead,
    }
}
