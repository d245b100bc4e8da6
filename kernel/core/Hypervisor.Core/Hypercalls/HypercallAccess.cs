namespace Hypervisor.Core.Hypercalls
{
    /// <summary>Who may make a hypercall (Xen's hypercall-defs: the domain classes a call is built for).</summary>
    public enum HypercallAccess
    {
        /// <summary>Not implemented: every caller gets -ENOSYS.</summary>
        None,
        /// <summary>Any PV domain.</summary>
        AnyDomain,
        /// <summary>Only a privileged domain (dom0); others get -EPERM.</summary>
        PrivilegedDomain,
    }
}
