using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of domctl.h and sysctl.h, Xen 4.17 (interface versions 0x15), x86-64.</summary>
    public class ControlLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "xen_domctl", typeof(XenDomctl), 144 },
            { "xen_domctl_createdomain", typeof(DomctlCreateDomain), 64 },
            { "xen_domctl_getdomaininfo", typeof(DomctlGetDomainInfo), 112 },
            { "xen_domctl_max_mem", typeof(DomctlMaxMem), 8 },
            { "xen_domctl_vcpucontext", typeof(DomctlVcpuContext), 16 },
            { "xen_domctl_getvcpuinfo", typeof(DomctlGetVcpuInfo), 24 },
            { "xen_domctl_max_vcpus", typeof(DomctlMaxVcpus), 4 },
            { "xen_domctl_hypercall_init", typeof(DomctlHypercallInit), 8 },
            { "xen_domctl_scheduler_op", typeof(DomctlSchedulerOp), 24 },
            { "xen_sysctl", typeof(XenSysctl), 136 },
            { "xen_sysctl_physinfo", typeof(SysctlPhysinfo), 112 },
            { "xen_sysctl_getdomaininfolist", typeof(SysctlGetDomainInfoList), 24 },
            { "xen_sysctl_scheduler_op", typeof(SysctlSchedulerOp), 32 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "xen_domctl.cmd", typeof(XenDomctl), nameof(XenDomctl.Cmd), 0 },
            { "xen_domctl.interface_version", typeof(XenDomctl), nameof(XenDomctl.InterfaceVersion), 4 },
            { "xen_domctl.domain", typeof(XenDomctl), nameof(XenDomctl.Domain), 8 },
            { "xen_domctl._pad", typeof(XenDomctl), nameof(XenDomctl.Pad), 10 },
            { "xen_domctl.u", typeof(XenDomctl), nameof(XenDomctl.U), 16 },

            { "xen_domctl_createdomain.ssidref", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.SsidRef), 0 },
            { "xen_domctl_createdomain.handle", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.Handle), 4 },
            { "xen_domctl_createdomain.flags", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.Flags), 20 },
            { "xen_domctl_createdomain.iommu_opts", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.IommuOpts), 24 },
            { "xen_domctl_createdomain.max_vcpus", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.MaxVcpus), 28 },
            { "xen_domctl_createdomain.max_evtchn_port", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.MaxEvtchnPort), 32 },
            { "xen_domctl_createdomain.max_grant_frames", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.MaxGrantFrames), 36 },
            { "xen_domctl_createdomain.max_maptrack_frames", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.MaxMaptrackFrames), 40 },
            { "xen_domctl_createdomain.grant_opts", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.GrantOpts), 44 },
            { "xen_domctl_createdomain.vmtrace_size", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.VmtraceSize), 48 },
            { "xen_domctl_createdomain.cpupool_id", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.CpupoolId), 52 },
            { "xen_domctl_createdomain.arch.emulation_flags", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.EmulationFlags), 56 },
            { "xen_domctl_createdomain.arch.misc_flags", typeof(DomctlCreateDomain), nameof(DomctlCreateDomain.MiscFlags), 60 },

            { "xen_domctl_getdomaininfo.domain", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.Domain), 0 },
            { "xen_domctl_getdomaininfo.pad1", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.Pad1), 2 },
            { "xen_domctl_getdomaininfo.flags", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.Flags), 4 },
            { "xen_domctl_getdomaininfo.tot_pages", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.TotPages), 8 },
            { "xen_domctl_getdomaininfo.max_pages", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.MaxPages), 16 },
            { "xen_domctl_getdomaininfo.outstanding_pages", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.OutstandingPages), 24 },
            { "xen_domctl_getdomaininfo.shr_pages", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.ShrPages), 32 },
            { "xen_domctl_getdomaininfo.paged_pages", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.PagedPages), 40 },
            { "xen_domctl_getdomaininfo.shared_info_frame", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.SharedInfoFrame), 48 },
            { "xen_domctl_getdomaininfo.cpu_time", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.CpuTime), 56 },
            { "xen_domctl_getdomaininfo.nr_online_vcpus", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.NrOnlineVcpus), 64 },
            { "xen_domctl_getdomaininfo.max_vcpu_id", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.MaxVcpuId), 68 },
            { "xen_domctl_getdomaininfo.ssidref", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.SsidRef), 72 },
            { "xen_domctl_getdomaininfo.handle", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.Handle), 76 },
            { "xen_domctl_getdomaininfo.cpupool", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.Cpupool), 92 },
            { "xen_domctl_getdomaininfo.gpaddr_bits", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.GpaddrBits), 96 },
            { "xen_domctl_getdomaininfo.pad2", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.Pad2), 97 },
            { "xen_domctl_getdomaininfo.arch_config.emulation_flags", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.EmulationFlags), 104 },
            { "xen_domctl_getdomaininfo.arch_config.misc_flags", typeof(DomctlGetDomainInfo), nameof(DomctlGetDomainInfo.MiscFlags), 108 },

            { "xen_domctl_max_mem.max_memkb", typeof(DomctlMaxMem), nameof(DomctlMaxMem.MaxMemKb), 0 },
            { "xen_domctl_vcpucontext.vcpu", typeof(DomctlVcpuContext), nameof(DomctlVcpuContext.Vcpu), 0 },
            { "xen_domctl_vcpucontext.ctxt", typeof(DomctlVcpuContext), nameof(DomctlVcpuContext.Ctxt), 8 },
            { "xen_domctl_getvcpuinfo.vcpu", typeof(DomctlGetVcpuInfo), nameof(DomctlGetVcpuInfo.Vcpu), 0 },
            { "xen_domctl_getvcpuinfo.online", typeof(DomctlGetVcpuInfo), nameof(DomctlGetVcpuInfo.Online), 4 },
            { "xen_domctl_getvcpuinfo.blocked", typeof(DomctlGetVcpuInfo), nameof(DomctlGetVcpuInfo.Blocked), 5 },
            { "xen_domctl_getvcpuinfo.running", typeof(DomctlGetVcpuInfo), nameof(DomctlGetVcpuInfo.Running), 6 },
            { "xen_domctl_getvcpuinfo.cpu_time", typeof(DomctlGetVcpuInfo), nameof(DomctlGetVcpuInfo.CpuTime), 8 },
            { "xen_domctl_getvcpuinfo.cpu", typeof(DomctlGetVcpuInfo), nameof(DomctlGetVcpuInfo.Cpu), 16 },
            { "xen_domctl_max_vcpus.max", typeof(DomctlMaxVcpus), nameof(DomctlMaxVcpus.Max), 0 },
            { "xen_domctl_hypercall_init.gmfn", typeof(DomctlHypercallInit), nameof(DomctlHypercallInit.Gmfn), 0 },
            { "xen_domctl_scheduler_op.sched_id", typeof(DomctlSchedulerOp), nameof(DomctlSchedulerOp.SchedId), 0 },
            { "xen_domctl_scheduler_op.cmd", typeof(DomctlSchedulerOp), nameof(DomctlSchedulerOp.Cmd), 4 },
            { "xen_domctl_scheduler_op.u.credit.weight", typeof(DomctlSchedulerOp), nameof(DomctlSchedulerOp.Weight), 8 },
            { "xen_domctl_scheduler_op.u.credit.cap", typeof(DomctlSchedulerOp), nameof(DomctlSchedulerOp.Cap), 10 },
            { "xen_domctl_scheduler_op.u.v.nr_vcpus", typeof(DomctlSchedulerOp), nameof(DomctlSchedulerOp.NrVcpus), 16 },
            { "xen_domctl_scheduler_op.u.v.padding", typeof(DomctlSchedulerOp), nameof(DomctlSchedulerOp.Padding), 20 },

            { "xen_sysctl.cmd", typeof(XenSysctl), nameof(XenSysctl.Cmd), 0 },
            { "xen_sysctl.interface_version", typeof(XenSysctl), nameof(XenSysctl.InterfaceVersion), 4 },
            { "xen_sysctl.u", typeof(XenSysctl), nameof(XenSysctl.U), 8 },
            { "xen_sysctl_physinfo.threads_per_core", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.ThreadsPerCore), 0 },
            { "xen_sysctl_physinfo.cores_per_socket", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.CoresPerSocket), 4 },
            { "xen_sysctl_physinfo.nr_cpus", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.NrCpus), 8 },
            { "xen_sysctl_physinfo.max_cpu_id", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.MaxCpuId), 12 },
            { "xen_sysctl_physinfo.nr_nodes", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.NrNodes), 16 },
            { "xen_sysctl_physinfo.max_node_id", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.MaxNodeId), 20 },
            { "xen_sysctl_physinfo.cpu_khz", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.CpuKhz), 24 },
            { "xen_sysctl_physinfo.capabilities", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.Capabilities), 28 },
            { "xen_sysctl_physinfo.arch_capabilities", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.ArchCapabilities), 32 },
            { "xen_sysctl_physinfo.pad", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.Pad), 36 },
            { "xen_sysctl_physinfo.total_pages", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.TotalPages), 40 },
            { "xen_sysctl_physinfo.free_pages", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.FreePages), 48 },
            { "xen_sysctl_physinfo.scrub_pages", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.ScrubPages), 56 },
            { "xen_sysctl_physinfo.outstanding_pages", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.OutstandingPages), 64 },
            { "xen_sysctl_physinfo.max_mfn", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.MaxMfn), 72 },
            { "xen_sysctl_physinfo.hw_cap", typeof(SysctlPhysinfo), nameof(SysctlPhysinfo.HwCap), 80 },
            { "xen_sysctl_getdomaininfolist.first_domain", typeof(SysctlGetDomainInfoList), nameof(SysctlGetDomainInfoList.FirstDomain), 0 },
            { "xen_sysctl_getdomaininfolist.max_domains", typeof(SysctlGetDomainInfoList), nameof(SysctlGetDomainInfoList.MaxDomains), 4 },
            { "xen_sysctl_getdomaininfolist.buffer", typeof(SysctlGetDomainInfoList), nameof(SysctlGetDomainInfoList.Buffer), 8 },
            { "xen_sysctl_getdomaininfolist.num_domains", typeof(SysctlGetDomainInfoList), nameof(SysctlGetDomainInfoList.NumDomains), 16 },
            { "xen_sysctl_scheduler_op.cpupool_id", typeof(SysctlSchedulerOp), nameof(SysctlSchedulerOp.CpupoolId), 0 },
            { "xen_sysctl_scheduler_op.sched_id", typeof(SysctlSchedulerOp), nameof(SysctlSchedulerOp.SchedId), 4 },
            { "xen_sysctl_scheduler_op.cmd", typeof(SysctlSchedulerOp), nameof(SysctlSchedulerOp.Cmd), 8 },
            { "xen_sysctl_scheduler_op.u.sched_credit.tslice_ms", typeof(SysctlSchedulerOp), nameof(SysctlSchedulerOp.TsliceMs), 16 },
            { "xen_sysctl_scheduler_op.u.sched_credit.ratelimit_us", typeof(SysctlSchedulerOp), nameof(SysctlSchedulerOp.RatelimitUs), 20 },
            { "xen_sysctl_scheduler_op.u.sched_credit.vcpu_migr_delay_us", typeof(SysctlSchedulerOp), nameof(SysctlSchedulerOp.VcpuMigrDelayUs), 24 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
