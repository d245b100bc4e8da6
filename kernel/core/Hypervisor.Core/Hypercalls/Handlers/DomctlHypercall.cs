using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Grants;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// domctl(op): the toolstack's control of other domains, in Xen 4.17's order of checks: the whole
    /// xen_domctl is copied in once (-EFAULT), its interface version must be 0x15 (-EACCES), the domain
    /// it names must exist (-ESRCH; createdomain names none, getdomaininfo takes the first at or above
    /// the id), and only then is the caller's privilege judged (-EPERM for all but dom0). Each command is
    /// one method below; the struct is copied back whole for the commands that answer in it.
    /// Commands not listed are -ENOSYS. Frames of destroyed domains that were still mapped elsewhere
    /// are given back at the start of every call (<see cref="DomainDestruction.ReapIfPending"/>).
    /// </summary>
    public static unsafe class DomctlHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong address = args.A1;
            if (!GuestMemory.TryRead(vcpu, address, out XenDomctl op))
                return -XenErrno.EFAULT;
            if (op.InterfaceVersion != Domctl.InterfaceVersion)
                return -XenErrno.EACCES;
            Host host = vcpu.Domain.Host;
            DomainDestruction.ReapIfPending(host);

            Domain target = null;
            if (op.Cmd == Domctl.GetDomainInfo)
            {
                if (op.Domain >= DomainId.FirstReserved)
                    return vcpu.Domain.IsPrivileged ? -XenErrno.EINVAL : -XenErrno.EPERM;
                target = FirstDomainFrom(host, op.Domain);
            }
            else if (op.Cmd != Domctl.CreateDomain)
            {
                target = host.Domains.Find(op.Domain);
                if (target == null || target.State == DomainState.Dead)
                    return -XenErrno.ESRCH;
            }
            if (!vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;

            byte* u = op.U;
            long rc;
            bool copyBack = false;
            switch (op.Cmd)
            {
                case Domctl.CreateDomain:
                    rc = CreateDomain(host, ref op, ref *(DomctlCreateDomain*)u);
                    copyBack = rc == 0;
                    break;
                case Domctl.DestroyDomain:
                    rc = target == vcpu.Domain ? -XenErrno.EINVAL : 0;
                    if (rc == 0)
                        DomainDestruction.Destroy(target);
                    break;
                case Domctl.PauseDomain:
                    rc = Pause(vcpu, target);
                    break;
                case Domctl.UnpauseDomain:
                    rc = Unpause(target);
                    break;
                case Domctl.GetDomainInfo:
                    if (target == null)
                        return -XenErrno.ESRCH;
                    Describe(target, ref *(DomctlGetDomainInfo*)u);
                    op.Domain = target.Id;
                    rc = 0;
                    copyBack = true;
                    break;
                case Domctl.MaxMem:
                    {
                        ulong pages = ((DomctlMaxMem*)u)->MaxMemKb >> (FrameAllocator.FrameShift - 10);
                        target.MaxPages = pages > uint.MaxValue ? uint.MaxValue : pages;
                        rc = 0;
                        break;
                    }
                case Domctl.MaxVcpus:
                    // createdomain fixed the most vCPUs; this makes them, and must name that same count.
                    rc = target == vcpu.Domain || ((DomctlMaxVcpus*)u)->Max != (uint)target.MaxVcpus ? -XenErrno.EINVAL : 0;
                    if (rc == 0)
                        rc = DomainCreation.AddVcpus(target, target.MaxVcpus);
                    break;
                case Domctl.SetVcpuContext:
                    rc = SetVcpuContext(vcpu, target, ref *(DomctlVcpuContext*)u);
                    break;
                case Domctl.GetVcpuInfo:
                    rc = GetVcpuInfo(target, ref *(DomctlGetVcpuInfo*)u);
                    copyBack = rc == 0;
                    break;
                case Domctl.SchedulerOp:
                    rc = SchedulerOp(host, target, ref *(DomctlSchedulerOp*)u);
                    copyBack = true;
                    break;
                case Domctl.HypercallInit:
                    rc = InitialiseHypercallPage(target, ((DomctlHypercallInit*)u)->Gmfn);
                    break;
                default:
                    rc = -XenErrno.ENOSYS;
                    break;
            }
            if (copyBack && !GuestMemory.TryWrite(vcpu, address, in op))
                return -XenErrno.EFAULT;
            return rc;
        }

        // Xen 4.17's getdomaininfo: the domain with that id, or else the next one above it.
        private static Domain FirstDomainFrom(Host host, ushort id)
        {
            DomainList list = host.Domains;
            for (int i = id; i < list.Count; i++)
            {
                Domain domain = list.At(i);
                if (domain != null && domain.State != DomainState.Dead)
                    return domain;
            }
            return null;
        }

        private static long CreateDomain(Host host, ref XenDomctl op, ref DomctlCreateDomain config)
        {
            // The id first, as Xen 4.17's do_domctl chooses it before domain_create sanitises the
            // configuration: an id in use is -EEXIST whatever the configuration says, and the rover
            // moves on even when the configuration is then refused.
            int id = op.Domain;
            if (id > 0 && id < DomainId.FirstReserved)
            {
                if (host.Domains.Find((uint)id) != null)
                    return -XenErrno.EEXIST;
                if (id >= DomainList.Capacity)
                    return -XenErrno.EINVAL;
            }
            else
            {
                id = host.Domains.AllocateId();
                if (id < 0)
                    return -XenErrno.ENOMEM;
            }

            // Then the configuration (Xen's sanitise_domain_config, arch_domain_create, grant_table_init).
            if ((config.Flags & ~CreateDomainFlags.All) != 0 || (config.GrantOpts & ~CreateDomainFlags.GrantVersionMask) != 0
                || config.MaxVcpus < 1)
                return -XenErrno.EINVAL;
            // No HVM here (as on Xen without VT-x/SVM), no IOMMU, no vPMU, no tboot, no vmtrace.
            if ((config.Flags & (CreateDomainFlags.Hvm | CreateDomainFlags.Hap | CreateDomainFlags.Iommu | CreateDomainFlags.NestedVirt
                                 | CreateDomainFlags.Vpmu | CreateDomainFlags.S3Integrity)) != 0
                || config.IommuOpts != 0 || config.VmtraceSize != 0 || config.MaxVcpus > DomainCreation.MaxVcpus
                || (config.MiscFlags & ~1u) != 0)
                return -XenErrno.EINVAL;
            // A PV domain has no emulated devices; XEN_X86_EMU_PIT alone is tolerated, as in Xen's
            // emulation_flags_ok. (The PIT is bit 8; bit 0 is the local APIC, which a PV domain may not have.)
            if (config.EmulationFlags != 0 && config.EmulationFlags != X86EmulationFlags.Pit)
                return -XenErrno.EOPNOTSUPP;
            uint grantVersion = config.GrantOpts & CreateDomainFlags.GrantVersionMask;
            if (grantVersion == 0 || grantVersion > 1)
                return -XenErrno.EINVAL;
            // Xen 4.17's grant_table_init: -1 is the default (64 frames, 1024 maptrack frames), which is
            // also the most a domain may be given; a table needs at least its first frame.
            uint maxGrantFrames = config.MaxGrantFrames < 0 ? GrantTable.MaxFrames : (uint)config.MaxGrantFrames;
            int maxMaptrackFrames = config.MaxMaptrackFrames < 0 ? GrantTable.MaxMaptrackFrames : config.MaxMaptrackFrames;
            if (maxGrantFrames < 1 || maxGrantFrames > GrantTable.MaxFrames || maxMaptrackFrames > GrantTable.MaxMaptrackFrames)
                return -XenErrno.EINVAL;

            int rc = DomainCreation.Create(host, (ushort)id, false, (int)config.MaxVcpus, 0, out Domain domain);
            if (rc != 0)
                return rc;
            domain.ControllerPauses = 1;
            domain.SsidRef = config.SsidRef;
            for (int i = 0; i < 16; i++)
                domain.Handle[i] = config.Handle[i];
            domain.MaxGrantVersion = grantVersion;
            domain.Grants.SetLimits(maxGrantFrames, maxMaptrackFrames);
            op.Domain = (ushort)id;
            host.Log.Info().Text("domain ").Dec((ulong)id).Text(" created with ").Dec(config.MaxVcpus).Text(" vCPU").Text(config.MaxVcpus == 1 ? "" : "s").End();
            return 0;
        }

        private static long Pause(Vcpu caller, Domain target)
        {
            if (target == caller.Domain)
                return -XenErrno.EINVAL;
            // Xen limits the toolstack's pauses to 255; the next is -EOVERFLOW in Xen 4.17 (-EUSERS was
            // the errno of the first versions that had the limit).
            if (target.ControllerPauses >= 255)
                return -XenErrno.EOVERFLOW;
            target.ControllerPauses++;
            Host host = target.Host;
            // As Xen's domain_pause: the domain's vCPUs have stopped when the call returns.
            host.Platform.StopDomainElsewhere(target, false);
            if (host.Scheduler != null)
            {
                ulong now = Time.SystemTime.Now(host);
                Vcpu[] vcpus = target.Vcpus;
                for (int i = 0; i < vcpus.Length; i++)
                    Runstate.Refresh(vcpus[i], now);
            }
            return 0;
        }

        private static long Unpause(Domain target)
        {
            if (target.ControllerPauses == 0)
                return -XenErrno.EINVAL;
            target.ControllerPauses--;
            if (target.ControllerPauses == 0)
            {
                Vcpu[] vcpus = target.Vcpus;
                for (int i = 0; i < vcpus.Length; i++)
                    Scheduling.VcpuBlocking.MakeRunnable(vcpus[i]);
            }
            return 0;
        }

        private static long SetVcpuContext(Vcpu caller, Domain target, ref DomctlVcpuContext request)
        {
            if (target == caller.Domain || request.Vcpu >= (uint)target.Vcpus.Length)
                return -XenErrno.EINVAL;
            Vcpu vcpu = target.Vcpus[request.Vcpu];
            if (request.Ctxt == 0)
                return -XenErrno.EOPNOTSUPP;   // resetting a vCPU is not offered
            VcpuGuestContext context;
            if (!GuestMemory.TryRead(caller, request.Ctxt, new Span<byte>(&context, sizeof(VcpuGuestContext))))
                return -XenErrno.EFAULT;
            // As Xen, the domain is paused around the change: the vCPU's registers must not be in use
            // on another CPU while they are replaced.
            target.ControllerPauses++;
            target.Host.Platform.StopDomainElsewhere(target, false);
            long rc = VcpuContext.Apply(vcpu, &context);
            Unpause(target);
            return rc;
        }

        // The builder asks for the hypercall page at a frame of the domain: it must be the domain's and
        // able to take a writable type (-EINVAL for a frame it does not own, -EPERM for a page table).
        private static long InitialiseHypercallPage(Domain target, ulong mfn)
        {
            FrameTable frames = target.Host.FrameTable;
            // Owner first: GetPage also takes a reference on the hypervisor's frames shared with every
            // guest (the M2P), which would be left behind by the refusal.
            if (mfn >= frames.FrameCount || frames.OwnerOf(mfn) != target.Id || frames.GetPage(mfn, target.Id) != 0)
                return -XenErrno.EINVAL;
            if (frames.GetPageType(mfn, PageType.Writable) != 0)
            {
                frames.PutPage(mfn);
                return -XenErrno.EPERM;
            }
            DomainBuilding.HypercallPage.Write(target.Host.Memory, mfn << FrameAllocator.FrameShift);
            frames.PutPageAndType(mfn);
            return 0;
        }

        // The credit scheduler's per-domain weight and cap (Xen's csched_dom_cntl): the id must name the
        // running scheduler; put leaves the weight alone when 0 and the cap alone when 0xFFFF; the
        // per-vCPU commands are for schedulers with per-vCPU parameters (-EINVAL here).
        private static long SchedulerOp(Host host, Domain target, ref DomctlSchedulerOp request)
        {
            Scheduling.CreditScheduler scheduler = host.Scheduler;
            if (scheduler == null || request.SchedId != SchedulerId.Credit)
                return -XenErrno.EINVAL;
            scheduler.GetParameters(target, out ushort weight, out ushort cap);
            switch (request.Cmd)
            {
                case SchedulerOpCommand.GetInfo:
                    request.Weight = weight;
                    request.Cap = cap;
                    return 0;
                case SchedulerOpCommand.PutInfo:
                    {
                        // The scheduler's record of the domain is the domain's own object.
                        if (!DomainObjects.Reserve(target, DomainObjects.VcpuBytes))
                            return -XenErrno.ENOMEM;
                        ulong previous = DomainObjects.Enter(target);
                        long rc = scheduler.SetParameters(target, request.Weight != 0 ? request.Weight : weight,
                                                          request.Cap != 0xFFFF ? request.Cap : cap);
                        DomainObjects.Leave(target, previous);
                        return rc;
                    }
                default:
                    return -XenErrno.EINVAL;
            }
        }

        private static long GetVcpuInfo(Domain target, ref DomctlGetVcpuInfo info)
        {
            if (info.Vcpu >= (uint)target.MaxVcpus)
                return -XenErrno.EINVAL;
            if (info.Vcpu >= (uint)target.Vcpus.Length)
                return -XenErrno.ESRCH; // not made yet (XEN_DOMCTL_max_vcpus)
            Vcpu vcpu = target.Vcpus[info.Vcpu];
            VcpuRunstateInfo runstate = Runstate.Get(vcpu);
            info.Online = (byte)(vcpu.IsUp ? 1 : 0);
            info.Blocked = (byte)(vcpu.IsBlocked ? 1 : 0);
            info.Running = (byte)(runstate.State == VcpuRunstate.Running ? 1 : 0);
            info.CpuTime = runstate.Time[VcpuRunstate.Running];
            info.Cpu = vcpu.CreditState != null ? (uint)vcpu.CreditState.Cpu : 0;
            return 0;
        }

        /// <summary>getdomaininfo's answer for <paramref name="domain"/> (also sysctl getdomaininfolist's):
        /// blocked only when every online vCPU is, running when any is, the shutdown code in bits 16-23
        /// (all ones before any, as Xen's SHUTDOWN_CODE_INVALID), shared_info's machine frame.</summary>
        public static void Describe(Domain domain, ref DomctlGetDomainInfo info)
        {
            info = default;
            info.Domain = domain.Id;
            info.MaxVcpuId = DomainInfoFlags.InvalidMaxVcpuId;
            uint flags = DomainInfoFlags.Blocked;
            ulong cpuTime = 0;
            Vcpu[] vcpus = domain.Vcpus;
            for (int i = 0; i < vcpus.Length; i++)
            {
                Vcpu vcpu = vcpus[i];
                VcpuRunstateInfo runstate = Runstate.Get(vcpu);
                cpuTime += runstate.Time[VcpuRunstate.Running];
                info.MaxVcpuId = (uint)i;
                if (!vcpu.IsUp)
                    continue;
                if (!vcpu.IsBlocked)
                    flags &= ~DomainInfoFlags.Blocked;
                if (runstate.State == VcpuRunstate.Running)
                    flags |= DomainInfoFlags.Running;
                info.NrOnlineVcpus++;
            }
            info.CpuTime = cpuTime;
            if (info.NrOnlineVcpus == 0)
                flags = 0;
            if (domain.IsDying)
                flags |= DomainInfoFlags.Dying;
            // A domain that shut down stays so while it dies (Xen keeps is_shut_down through domain_kill):
            // the toolstack still sees why it stopped.
            if (domain.State == DomainState.ShutDown || domain.State == DomainState.Crashed || (domain.IsDying && domain.ShutdownReason >= 0))
                flags |= DomainInfoFlags.Shutdown;
            if (domain.ControllerPauses > 0)
                flags |= DomainInfoFlags.Paused;
            flags |= (uint)domain.ShutdownReason << DomainInfoFlags.ShutdownShift;
            info.Flags = flags;
            info.TotPages = domain.TotalPages;
            info.MaxPages = domain.MaxPages;
            info.SharedInfoFrame = domain.SharedInfoAddress >> FrameAllocator.FrameShift;
            info.SsidRef = domain.SsidRef;
            for (int i = 0; i < 16; i++)
                info.Handle[i] = domain.Handle[i];
            info.GpaddrBits = (byte)domain.Host.PhysicalAddressBits;
        }
    }
}
