using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A vCPU's vcpu_runstate_info as VCPUOP_get_runstate_info, the registered runstate area and
    /// getdomaininfo show it. The running time is what the scheduler charged it (the slice running now
    /// included); the rest of system time is counted in its present state (blocked, runnable or offline),
    /// so the four times add up to system time, as the ABI promises. Without a scheduler (host tests), an
    /// up vCPU has been running since start of day.
    /// </summary>
    public static unsafe class Runstate
    {
        public static VcpuRunstateInfo Get(Vcpu vcpu)
        {
            VcpuRunstateInfo info = default;
            Host host = vcpu.Domain.Host;
            ulong now = Time.SystemTime.Now(host);
            Scheduling.CreditScheduler scheduler = host.Scheduler;
            int state;
            ulong running;
            if (scheduler == null)
            {
                state = vcpu.IsUp ? VcpuRunstate.Running : VcpuRunstate.Offline;
                running = state == VcpuRunstate.Running ? now : 0;
            }
            else
            {
                running = scheduler.CpuTime(vcpu, now);
                if (running > now)
                    running = now;
                if (scheduler.IsRunning(vcpu, out _))
                    state = VcpuRunstate.Running;
                else if (!vcpu.IsUp)
                    state = VcpuRunstate.Offline;
                else if (vcpu.IsBlocked || !vcpu.IsRunnable)
                    state = VcpuRunstate.Blocked;
                else
                    state = VcpuRunstate.Runnable;
            }
            info.State = state;
            info.StateEntryTime = 0;
            info.Time[VcpuRunstate.Running] = running;
            int rest = state == VcpuRunstate.Running ? (vcpu.IsUp ? VcpuRunstate.Runnable : VcpuRunstate.Offline) : state;
            info.Time[rest] += now - running;
            return info;
        }
    }
}
