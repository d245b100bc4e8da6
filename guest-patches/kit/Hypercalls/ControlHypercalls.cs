using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>The toolstack's hypercalls: domctl and sysctl, one struct each (<see cref="XenDomctl"/>,
    /// <see cref="XenSysctl"/>) that carries the command, the interface version and the command's member.
    /// <see cref="DomainControl"/> and <see cref="SystemControl"/> have typed helpers.</summary>
    public static unsafe partial class Hypercalls
    {
        /// <summary>domctl(op) (hypercall 36).</summary>
        public static long Domctl(XenDomctl* op) => Call(HypercallNumber.Domctl, (ulong)op, 0, 0, 0, 0);

        /// <summary>sysctl(op) (hypercall 35).</summary>
        public static long Sysctl(XenSysctl* op) => Call(HypercallNumber.Sysctl, (ulong)op, 0, 0, 0, 0);
    }
}
