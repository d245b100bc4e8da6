using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A vCPU's vcpu_runstate_info as VCPUOP_get_runstate_info and the registered runstate area show
    /// it. With one vCPU per physical CPU and no scheduler yet, an initialised vCPU that is not down
    /// has been running since start of day (system time 0), and any other has been offline since then,
    /// so the state's entry time is 0 and its time is the whole of system time: the four times add
    /// up to system time, as the ABI promises.
    /// </summary>
    public static unsafe class Runstate
    {
        public static VcpuRunstateInfo Get(Vcpu vcpu)
        {
            VcpuRunstateInfo info = default;
            int state = vcpu.IsUp ? VcpuRunstate.Running : VcpuRunstate.Offline;
            info.State = state;
            info.StateEntryTime = 0;
            info.Time[state] = Time.SystemTime.Now(vcpu.Domain.Host);
            return info;
        }
    }
}
