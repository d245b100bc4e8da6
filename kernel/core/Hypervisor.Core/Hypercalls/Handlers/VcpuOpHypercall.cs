using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Time;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>vcpu_op(cmd, vcpuid, arg): operations on one vCPU of the caller's domain: bring it up
    /// or down, ask whether it is up, read its runstate or have it kept in guest memory, and move its
    /// vcpu_info out of shared_info; its periodic timer (any vCPU of the domain) and one-shot timer (the
    /// caller only), both raising VIRQ_TIMER. The other commands are -ENOSYS for now.</summary>
    public static unsafe class VcpuOpHypercall
    {
        private const ulong PageSize = 4096;
        private const uint VcpuInfoAlignment = 8;   // alignof(struct vcpu_info) on x86-64
        private const ulong UpcallPendingOffset = 0;
        private const ulong MinimumPeriod = 1_000_000;   // 1 ms: shorter periods are refused
        private const ulong MaximumPeriod = 0x3FFF_FFFF_FFFF_FFFF;   // Xen's STIME_DELTA_MAX: now + period cannot overflow
        private const ulong PendingSelectorOffset = 8;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            // Like Xen, the vCPU is looked up before the command is: any command on a vCPU the domain
            // does not have is -ENOENT.
            uint id = (uint)args.A2;
            Vcpu[] vcpus = vcpu.Domain.Vcpus;
            if (id >= (uint)vcpus.Length)
                return -XenErrno.ENOENT;
            Vcpu target = vcpus[(int)id];
            ulong arg = args.A3;
            switch ((int)(uint)args.A1)
            {
                case VcpuOp.Initialise:
                    return Initialise(vcpu, target, arg);
                case VcpuOp.Up:
                    if (!target.IsInitialised)
                        return -XenErrno.EINVAL;
                    target.IsDown = false;
                    Scheduling.VcpuBlocking.MakeRunnable(target);
                    return 0;
                case VcpuOp.Down:
                    return Down(target);
                case VcpuOp.IsUp:
                    return target.IsUp ? 1 : 0;
                case VcpuOp.GetRunstateInfo:
                    {
                        VcpuRunstateInfo info = Runstate.Get(target);
                        return GuestMemory.TryWrite(vcpu, arg, in info) ? 0 : -XenErrno.EFAULT;
                    }
                case VcpuOp.RegisterRunstateMemoryArea:
                    return RegisterRunstateArea(vcpu, target, arg);
                case VcpuOp.RegisterVcpuInfo:
                    return RegisterVcpuInfo(vcpu, target, arg);
                case VcpuOp.RegisterVcpuTimeMemoryArea:
                    return RegisterTimeArea(vcpu, target, arg);
                case VcpuOp.SetPeriodicTimer:
                    {
                        if (!GuestMemory.TryRead(vcpu, arg, out VcpuSetPeriodicTimer set))
                            return -XenErrno.EFAULT;
                        if (set.PeriodNs < MinimumPeriod || set.PeriodNs > MaximumPeriod)
                            return -XenErrno.EINVAL;
                        VcpuTimers.SetPeriodic(target, set.PeriodNs);
                        return 0;
                    }
                case VcpuOp.StopPeriodicTimer:
                    VcpuTimers.SetPeriodic(target, 0);
                    return 0;
                case VcpuOp.SetSingleshotTimer:
                    return SetSingleshotTimer(vcpu, target, arg);
                case VcpuOp.StopSingleshotTimer:
                    if (target != vcpu)
                        return -XenErrno.EINVAL;
                    VcpuTimers.SetSingleshot(target, 0);
                    return 0;
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        // Only on the calling vCPU. Unlike set_timer_op, a deadline of 0 is not "stop": it is long past,
        // so the timer fires at once (kept as 1, since 0 means unarmed here). VCPU_SSHOTTMR_future is
        // ignored, as by Xen 4.17 with the fix Debian ships (4.17.7): a past deadline fires at once rather
        // than failing with -ETIME (Linux set the flag and could be left without a timer).
        private static long SetSingleshotTimer(Vcpu caller, Vcpu target, ulong arg)
        {
            if (target != caller)
                return -XenErrno.EINVAL;
            if (!GuestMemory.TryRead(caller, arg, out VcpuSetSingleshotTimer set))
                return -XenErrno.EFAULT;
            VcpuTimers.SetSingleshot(target, set.TimeoutAbsNs == 0 ? 1 : set.TimeoutAbsNs);
            return 0;
        }

        // Xen reads the whole vcpu_guest_context before it looks at the vCPU, so an unreadable context
        // is -EFAULT even for a vCPU that is already running. The vCPU then stays down until VCPUOP_up
        // unless the context says it is online.
        private static long Initialise(Vcpu caller, Vcpu target, ulong arg)
        {
            VcpuGuestContext context;
            if (!GuestMemory.TryRead(caller, arg, new Span<byte>(&context, sizeof(VcpuGuestContext))))
                return -XenErrno.EFAULT;
            if (target.IsInitialised)
                return -XenErrno.EEXIST;
            return VcpuContext.Apply(target, &context);
        }

        // Taking down the last vCPU that is up powers the domain off, as in Xen; any other just stops.
        private static long Down(Vcpu target)
        {
            Vcpu[] vcpus = target.Domain.Vcpus;
            for (int i = 0; i < vcpus.Length; i++)
            {
                if (vcpus[i] != target && vcpus[i].IsUp)
                {
                    target.IsDown = true;
                    if (target.Domain.Host.Scheduler != null)
                        Runstate.Refresh(target, SystemTime.Now(target.Domain.Host));
                    Scheduling.VcpuBlocking.Deschedule(target);
                    return 0;
                }
            }
            DomainLifecycle.Shutdown(target.Domain, ShutdownReason.Poweroff);
            return 0;
        }

        // Xen only judges the address (a NULL one unregisters), then copies the runstate there once,
        // ignoring a failed copy.
        private static long RegisterRunstateArea(Vcpu caller, Vcpu target, ulong arg)
        {
            if (!GuestMemory.TryRead(caller, arg, out VcpuRegisterRunstateMemoryArea request))
                return -XenErrno.EFAULT;
            if (!GuestHandle.IsOkay(request.Addr, 1, (ulong)sizeof(VcpuRunstateInfo)))
                return -XenErrno.EFAULT;
            target.RunstateArea = request.Addr;
            if (request.Addr != 0)
            {
                VcpuRunstateInfo info = Runstate.Get(target);
                GuestMemory.TryWrite(caller, request.Addr, in info);
            }
            return 0;
        }

        // Like the runstate area: Xen judges the address only (0 unregisters), then stamps the vCPU's time
        // at once, so the copy is current before the call returns.
        private static long RegisterTimeArea(Vcpu caller, Vcpu target, ulong arg)
        {
            if (!GuestMemory.TryRead(caller, arg, out VcpuRegisterTimeMemoryArea request))
                return -XenErrno.EFAULT;
            if (!GuestHandle.IsOkay(request.Addr, 1, (ulong)sizeof(VcpuTimeInfo)))
                return -XenErrno.EFAULT;
            target.TimeArea = request.Addr;
            if (request.Addr != 0)
                VcpuTimeStamps.Stamp(target);
            return 0;
        }

        // Xen's map_vcpu_info: a frame the domain owns and may write (it takes a writable type
        // reference and keeps it), an 8-aligned offset with the whole 64-byte vcpu_info in the page,
        // once per vCPU, and only for the caller itself or a vCPU that is down. The current contents
        // (event mask, pending flags, time) move with it; then every event is marked pending, so none
        // raised during the move is lost (the guest may see a spurious upcall).
        private static long RegisterVcpuInfo(Vcpu caller, Vcpu target, ulong arg)
        {
            if (!GuestMemory.TryRead(caller, arg, out VcpuRegisterVcpuInfo request))
                return -XenErrno.EFAULT;
            // A place the vcpu_info cannot go is -ENXIO (Xen 4.17 with its later fixes, as Debian ships it).
            if (request.Offset > PageSize - VcpuInfo.Size || (request.Offset & (VcpuInfoAlignment - 1)) != 0)
                return -XenErrno.ENXIO;
            if (target.HasRegisteredVcpuInfo)
                return -XenErrno.EINVAL;
            // Another vCPU must be down (Xen's VPF_down: never brought up, or taken down), as a PV kernel
            // registers every vCPU's before it starts the others.
            if (target != caller && target.IsUp)
                return -XenErrno.EINVAL;
            Domain domain = target.Domain;
            FrameTable frames = domain.Host.FrameTable;
            if (frames == null || frames.GetPageAndType(request.Mfn, PageType.Writable, domain.Id) != 0)
                return -XenErrno.EINVAL;

            ulong newAddress = request.Mfn * PageSize + request.Offset;
            PhysicalMemory memory = domain.Host.Memory;
            // Through a buffer: the old and new places may overlap (both inside shared_info).
            Span<byte> contents = stackalloc byte[VcpuInfo.Size];
            memory.ReadBytes(target.VcpuInfoAddress, contents);
            memory.WriteBytes(newAddress, contents);
            target.VcpuInfoAddress = newAddress;
            target.VcpuInfoFrame = request.Mfn;
            target.HasRegisteredVcpuInfo = true;
            memory.Write64(newAddress + PendingSelectorOffset, ulong.MaxValue);
            memory.Write8(newAddress + UpcallPendingOffset, 1);
            return 0;
        }
    }
}
