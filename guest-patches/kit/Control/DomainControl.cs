using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Typed domctl commands (interface version 0x15): each fills one <see cref="XenDomctl"/> with the
    /// command, the version, the domain and the command's member, makes the call and returns its result
    /// (0 or a negative errno), with what the hypervisor wrote back in the out parameters. Only a
    /// privileged domain may use them; see <see cref="DomainBuilder"/> for building a domain with them.
    /// </summary>
    public static unsafe class DomainControl
    {
        /// <summary>A domctl for <paramref name="command"/> on <paramref name="domain"/>, the union zeroed.</summary>
        public static XenDomctl Prepare(uint command, ushort domain)
        {
            XenDomctl op = default;
            op.Cmd = command;
            op.InterfaceVersion = Domctl.InterfaceVersion;
            op.Domain = domain;
            return op;
        }

        /// <summary>The configuration a 64-bit PV domU is created with: <paramref name="maxVcpus"/> vCPUs,
        /// grant tables v1 with the default table and maptrack sizes, event channels up to
        /// <paramref name="maxEvtchnPort"/>, no flags and no emulated devices.</summary>
        public static DomctlCreateDomain PvConfig(uint maxVcpus, uint maxEvtchnPort)
        {
            DomctlCreateDomain config = default;
            config.MaxVcpus = maxVcpus;
            config.MaxEvtchnPort = maxEvtchnPort;
            config.MaxGrantFrames = -1;
            config.MaxMaptrackFrames = -1;
            config.GrantOpts = 1;
            return config;
        }

        /// <summary>XEN_DOMCTL_createdomain: <paramref name="requestedId"/> 0 lets the hypervisor pick the id.
        /// <paramref name="id"/> is the domain the hypervisor wrote back (the new one on success).</summary>
        public static long CreateDomain(in DomctlCreateDomain config, ushort requestedId, out ushort id)
        {
            XenDomctl op = Prepare(Domctl.CreateDomain, requestedId);
            *(DomctlCreateDomain*)op.U = config;
            long rc = Hypercalls.Domctl(&op);
            id = op.Domain;
            return rc;
        }

        /// <summary>XEN_DOMCTL_destroydomain.</summary>
        public static long Destroy(ushort domain) => Simple(Domctl.DestroyDomain, domain);

        /// <summary>XEN_DOMCTL_pausedomain: one more controller pause.</summary>
        public static long Pause(ushort domain) => Simple(Domctl.PauseDomain, domain);

        /// <summary>XEN_DOMCTL_unpausedomain: one controller pause less (the first one starts a new domain).</summary>
        public static long Unpause(ushort domain) => Simple(Domctl.UnpauseDomain, domain);

        /// <summary>XEN_DOMCTL_getdomaininfo: the first domain whose id is at least <paramref name="domain"/>
        /// (its id is <c>info.Domain</c>).</summary>
        public static long GetInfo(ushort domain, out DomctlGetDomainInfo info)
        {
            XenDomctl op = Prepare(Domctl.GetDomainInfo, domain);
            long rc = Hypercalls.Domctl(&op);
            info = *(DomctlGetDomainInfo*)op.U;
            return rc;
        }

        /// <summary>XEN_DOMCTL_max_vcpus: confirms the count createdomain was given (and makes the vCPUs).</summary>
        public static long MaxVcpus(ushort domain, uint max)
        {
            XenDomctl op = Prepare(Domctl.MaxVcpus, domain);
            ((DomctlMaxVcpus*)op.U)->Max = max;
            return Hypercalls.Domctl(&op);
        }

        /// <summary>XEN_DOMCTL_max_mem: the domain's memory limit in KiB.</summary>
        public static long MaxMem(ushort domain, ulong kib)
        {
            XenDomctl op = Prepare(Domctl.MaxMem, domain);
            ((DomctlMaxMem*)op.U)->MaxMemKb = kib;
            return Hypercalls.Domctl(&op);
        }

        /// <summary>XEN_DOMCTL_setvcpucontext: the whole state of vCPU <paramref name="vcpu"/> from
        /// <paramref name="context"/> (5168 bytes: keep it off the stack).</summary>
        public static long SetVcpuContext(ushort domain, uint vcpu, VcpuGuestContext* context)
        {
            XenDomctl op = Prepare(Domctl.SetVcpuContext, domain);
            DomctlVcpuContext* request = (DomctlVcpuContext*)op.U;
            request->Vcpu = vcpu;
            request->Ctxt = (ulong)context;
            return Hypercalls.Domctl(&op);
        }

        /// <summary>XEN_DOMCTL_getvcpuinfo: online, blocked, running, CPU time and CPU of one vCPU.</summary>
        public static long GetVcpuInfo(ushort domain, uint vcpu, out DomctlGetVcpuInfo info)
        {
            XenDomctl op = Prepare(Domctl.GetVcpuInfo, domain);
            ((DomctlGetVcpuInfo*)op.U)->Vcpu = vcpu;
            long rc = Hypercalls.Domctl(&op);
            info = *(DomctlGetVcpuInfo*)op.U;
            return rc;
        }

        /// <summary>XEN_DOMCTL_hypercall_init: the hypervisor writes its hypercall stubs into frame
        /// <paramref name="gmfn"/> of the domain (a PV domain's machine frame).</summary>
        public static long HypercallInit(ushort domain, ulong gmfn)
        {
            XenDomctl op = Prepare(Domctl.HypercallInit, domain);
            ((DomctlHypercallInit*)op.U)->Gmfn = gmfn;
            return Hypercalls.Domctl(&op);
        }

        /// <summary>XEN_DOMCTL_scheduler_op, getinfo, for the credit scheduler: the domain's weight and cap
        /// (percent of one CPU, 0 for none).</summary>
        public static long GetCreditParameters(ushort domain, out ushort weight, out ushort cap)
        {
            XenDomctl op = Prepare(Domctl.SchedulerOp, domain);
            DomctlSchedulerOp* request = (DomctlSchedulerOp*)op.U;
            request->SchedId = SchedulerId.Credit;
            request->Cmd = SchedulerOpCommand.GetInfo;
            long rc = Hypercalls.Domctl(&op);
            weight = request->Weight;
            cap = request->Cap;
            return rc;
        }

        /// <summary>XEN_DOMCTL_scheduler_op, putinfo, for the credit scheduler: weight 0 leaves the weight
        /// as it is, cap 0xFFFF the cap.</summary>
        public static long SetCreditParameters(ushort domain, ushort weight, ushort cap)
        {
            XenDomctl op = Prepare(Domctl.SchedulerOp, domain);
            DomctlSchedulerOp* request = (DomctlSchedulerOp*)op.U;
            request->SchedId = SchedulerId.Credit;
            request->Cmd = SchedulerOpCommand.PutInfo;
            request->Weight = weight;
            request->Cap = cap;
            return Hypercalls.Domctl(&op);
        }

        private static long Simple(uint command, ushort domain)
        {
            XenDomctl op = Prepare(command, domain);
            return Hypercalls.Domctl(&op);
        }
    }
}
