using System;
using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A vCPU's runstate as Xen keeps it (vcpu_runstate_change): each vCPU is made offline at the time it
    /// is made, and every change of state adds the time spent in the old one, so the four times add up to
    /// the system time since then and state_entry_time says when the present state began. The state is
    /// what the facts say (<see cref="Current"/>): running on a CPU, else blocked in SCHEDOP_block or
    /// poll, else runnable, else offline (down, paused, its domain stopped). The scheduler records the
    /// changes it makes (a vCPU picked, one put aside, one woken) and so do the hypercalls that take a vCPU
    /// down or pause a domain; a read records any change not yet seen. A registered runstate area
    /// (VCPUOP_register_runstate_memory_area) is rewritten at every change, as Xen rewrites it when it
    /// switches the vCPU in and out.
    /// Without a scheduler (host tests) nothing records switches: an up vCPU counts as running since
    /// system time 0.
    /// </summary>
    public static unsafe class Runstate
    {
        /// <summary>The state the vCPU is in now.</summary>
        public static int Current(Vcpu vcpu)
        {
            Scheduling.CreditScheduler scheduler = vcpu.Domain.Host.Scheduler;
            if (scheduler != null && scheduler.IsRunning(vcpu, out _))
                return VcpuRunstate.Running;
            return Waiting(vcpu);
        }

        /// <summary>Records the vCPU's present state as of <paramref name="now"/> (nothing if it has not changed).</summary>
        public static void Refresh(Vcpu vcpu, ulong now) => Change(vcpu, Current(vcpu), now);

        /// <summary>The state of a vCPU that is not on a CPU: blocked in SCHEDOP_block or poll (even if also
        /// down or paused, as Xen's VPF_blocked wins), else runnable, else offline.</summary>
        public static int Waiting(Vcpu vcpu) =>
            vcpu.IsBlocked ? VcpuRunstate.Blocked : vcpu.IsRunnable ? VcpuRunstate.Runnable : VcpuRunstate.Offline;

        /// <summary>The vCPU is in <paramref name="state"/> from <paramref name="now"/> on.</summary>
        public static void Change(Vcpu vcpu, int state, ulong now)
        {
            if (state == vcpu.RunstateState)
                return;
            if (now > vcpu.RunstateEntryTime)
                vcpu.RunstateTimes[vcpu.RunstateState] += now - vcpu.RunstateEntryTime;
            else
                now = vcpu.RunstateEntryTime;
            vcpu.RunstateState = state;
            vcpu.RunstateEntryTime = now;
            if (vcpu.RunstateArea != 0)
                WriteArea(vcpu, Snapshot(vcpu, now));
        }

        /// <summary>VCPUOP_get_runstate_info, getvcpuinfo's CPU time: the record brought up to now, the
        /// present state's time counted up to now.</summary>
        public static VcpuRunstateInfo Get(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            ulong now = Time.SystemTime.Now(host);
            if (host.Scheduler == null)
                return SinceStartOfDay(vcpu, now);
            Refresh(vcpu, now);
            return Snapshot(vcpu, now);
        }

        private static VcpuRunstateInfo Snapshot(Vcpu vcpu, ulong now)
        {
            VcpuRunstateInfo info = default;
            info.State = vcpu.RunstateState;
            info.StateEntryTime = vcpu.RunstateEntryTime;
            for (int i = 0; i < VcpuRunstate.Count; i++)
                info.Time[i] = vcpu.RunstateTimes[i];
            if (now > vcpu.RunstateEntryTime)
                info.Time[vcpu.RunstateState] += now - vcpu.RunstateEntryTime;
            return info;
        }

        private static VcpuRunstateInfo SinceStartOfDay(Vcpu vcpu, ulong now)
        {
            VcpuRunstateInfo info = default;
            info.State = vcpu.IsUp ? VcpuRunstate.Running : VcpuRunstate.Offline;
            info.Time[info.State] = now;
            return info;
        }

        // Through the vCPU's kernel page tables: the area is kernel memory, and a vCPU switched out in
        // guest user mode may not map it (Xen defers the write until it is back in its kernel instead).
        // With VMASST_TYPE_runstate_update_flag the entry time carries XEN_RUNSTATE_UPDATE while the rest
        // is rewritten. A failed write is ignored, as by Xen.
        private static void WriteArea(Vcpu vcpu, VcpuRunstateInfo info)
        {
            Host host = vcpu.Domain.Host;
            if (host.PageWalk == null || vcpu.KernelTableFrame == 0)
                return;
            ulong area = vcpu.RunstateArea;
            bool flagged = (vcpu.Domain.VmAssist & (1UL << VmAssistType.RunstateUpdateFlag)) != 0;
            ulong entryTime = info.StateEntryTime;
            if (flagged)
                WriteEntryTime(host, vcpu, area, entryTime | VcpuRunstate.UpdateFlag);
            info.StateEntryTime = flagged ? entryTime | VcpuRunstate.UpdateFlag : entryTime;
            host.PageWalk.TryWrite(vcpu.KernelTableFrame, area, new ReadOnlySpan<byte>(&info, sizeof(VcpuRunstateInfo)));
            if (flagged)
                WriteEntryTime(host, vcpu, area, entryTime);
        }

        private static void WriteEntryTime(Host host, Vcpu vcpu, ulong area, ulong value)
        {
            host.PageWalk.TryWrite(vcpu.KernelTableFrame, area + 8, new ReadOnlySpan<byte>(&value, sizeof(ulong)));
        }
    }
}
