using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;

namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// SCHEDOP_block and SCHEDOP_poll, and the wake-ups that end them. Blocking only marks the vCPU:
    /// the hypercall returns 0 into its registers, and the vCPU is not run again (the CPU idles or runs
    /// another) until an event or a timer wakes it. Events are checked after the vCPU is marked, so an
    /// event that is already pending is never slept through.
    /// </summary>
    public static class VcpuBlocking
    {
        /// <summary>The most ports one poll may name (Xen's limit).</summary>
        public const uint MaxPollPorts = 128;

        /// <summary>SCHEDOP_block: enable event delivery and wait for an upcall.</summary>
        public static void Block(Vcpu vcpu)
        {
            VcpuInfoAccess.SetUpcallMask(vcpu, 0);
            Halt(vcpu);
        }

        /// <summary>HLT in the guest kernel: wait for an upcall, leaving the event mask as it is; an
        /// upcall already pending ends the wait at once.</summary>
        public static void Halt(Vcpu vcpu)
        {
            vcpu.IsBlocked = true;
            if (VcpuInfoAccess.IsUpcallPending(vcpu))
                vcpu.IsBlocked = false;
            else
                vcpu.Domain.Host.TimersChanged = true;
        }

        /// <summary>SCHEDOP_poll after its argument was read: -EFAULT for an unreadable port list, -EINVAL
        /// for a port beyond the ABI's 4096; 0 at once when a port is pending or an upcall is due;
        /// otherwise the vCPU waits (until a polled port is raised, any upcall, or the system time
        /// <paramref name="deadline"/>, 0 for none) and 0 is its result.</summary>
        public static long Poll(Vcpu vcpu, ulong ports, uint count, ulong deadline)
        {
            if (!GuestHandle.IsOkay(ports, count, sizeof(uint)))
                return -XenErrno.EFAULT;
            if (VcpuInfoAccess.IsUpcallPending(vcpu) && !VcpuInfoAccess.IsUpcallMasked(vcpu))
                return 0;
            uint onlyPort = 0;
            for (uint i = 0; i < count; i++)
            {
                if (!GuestMemory.TryRead(vcpu, ports + i * sizeof(uint), out uint port))
                    return -XenErrno.EFAULT;
                if (port >= EventChannelTable.MaxPorts)
                    return -XenErrno.EINVAL;
                if (TwoLevelEvents.IsPending(vcpu.Domain, port))
                    return 0;
                onlyPort = port;
            }
            vcpu.IsBlocked = true;
            vcpu.IsPolling = true;
            vcpu.PollPort = count == 1 ? (int)onlyPort : -1;
            vcpu.PollDeadline = deadline;
            vcpu.Domain.Host.TimersChanged = true;
            return 0;
        }

        /// <summary>SCHEDOP_yield: the vCPU stays runnable, but its CPU chooses again now and lets the others
        /// waiting there go first (<see cref="CreditScheduler.Yield"/>).</summary>
        public static void Yield(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            if (host.Scheduler == null)
                return;
            host.Scheduler.Yield(vcpu);
            host.Platform.RequestReschedule(host.Platform.CurrentCpu);
        }

        /// <summary>Ends a block or poll. A vCPU that is not waiting but runs on another CPU is made to
        /// look at its events there (they are checked on every way back into the guest).</summary>
        public static void Wake(Vcpu vcpu)
        {
            if (!vcpu.IsBlocked)
            {
                NotifyIfRunningElsewhere(vcpu);
                return;
            }
            vcpu.IsBlocked = false;
            vcpu.IsPolling = false;
            vcpu.PollDeadline = 0;
            MakeRunnable(vcpu);
            // Not blocked any more, even if it may not run (paused, down): offline then.
            if (vcpu.Domain.Host.Scheduler != null)
                Runstate.Refresh(vcpu, Time.SystemTime.Now(vcpu.Domain.Host));
        }

        /// <summary>Tells the scheduler that <paramref name="vcpu"/> may be runnable again (woken, unpaused,
        /// given a context, brought up); the CPU it should preempt (the one it is queued on, or an idle
        /// one) is asked for a new decision, through an IPI when it is another.</summary>
        public static void MakeRunnable(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            CreditScheduler scheduler = host.Scheduler;
            if (scheduler == null || !vcpu.IsRunnable)
                return;
            int cpu = scheduler.Wake(vcpu, Time.SystemTime.Now(host));
            if (cpu >= 0)
                host.Platform.RequestReschedule(cpu);
        }

        /// <summary><paramref name="vcpu"/> may no longer run (taken down, paused): the CPU running it,
        /// if any, is asked to choose again (without waiting for it; see
        /// <see cref="HostPlatform.StopDomainElsewhere"/> for that).</summary>
        public static void Deschedule(Vcpu vcpu)
        {
            CreditScheduler scheduler = vcpu.Domain.Host.Scheduler;
            if (scheduler != null && scheduler.IsRunning(vcpu, out int cpu))
                vcpu.Domain.Host.Platform.RequestReschedule(cpu);
        }

        private static void NotifyIfRunningElsewhere(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            CreditScheduler scheduler = host.Scheduler;
            if (scheduler != null && scheduler.IsRunning(vcpu, out int cpu) && cpu != host.Platform.CurrentCpu)
                host.Platform.NotifyCpu(cpu);
        }

        /// <summary>A port of <paramref name="domain"/> became pending: wake its vCPUs polling it.</summary>
        public static void WakePollers(Domain domain, uint port)
        {
            Vcpu[] vcpus = domain.Vcpus;
            for (int i = 0; i < vcpus.Length; i++)
            {
                Vcpu v = vcpus[i];
                if (v.IsPolling && (v.PollPort < 0 || (uint)v.PollPort == port))
                    Wake(v);
            }
        }
    }
}
