using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// The vCPU's runstate record (Xen's v->runstate): the state it is in, the system time it entered it,
    /// and the time it spent in each state before that. <see cref="Runstate"/> keeps it.
    /// </summary>
    public sealed partial class Vcpu
    {
        /// <summary>A <see cref="VcpuRunstate"/>: every vCPU is made offline.</summary>
        public int RunstateState = VcpuRunstate.Offline;
        public ulong RunstateEntryTime;
        /// <summary>ns spent in each state up to <see cref="RunstateEntryTime"/>.</summary>
        public readonly ulong[] RunstateTimes = new ulong[VcpuRunstate.Count];
    }
}
