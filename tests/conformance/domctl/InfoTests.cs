using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The new domain before it runs, step by step as a toolstack makes it: getdomaininfo right after
    /// createdomain (paused by its controller, not dying, no vCPU made yet, no pages, a shared-info frame),
    /// getvcpuinfo before max_vcpus (-ESRCH: the vCPU does not exist), max_vcpus with another count than
    /// createdomain's (-EINVAL) and with the same (the vCPU exists, offline), getvcpuinfo past max_vcpus
    /// (-EINVAL), max_mem and populate_physmap (tot_pages, max_pages); getdomaininfo of an id above every
    /// domain (-ESRCH), of DOMID_SELF (-EINVAL), of an id below the new one (the next domain up);
    /// getdomaininfolist; what dom0 may not do to itself (pause, unpause, destroy, max_vcpus,
    /// setvcpucontext: -EINVAL); controller pauses count.
    /// </summary>
    internal static unsafe class InfoTests
    {
        /// <summary>getdomaininfo's flags for a domain that never ran: XEN_DOMINF_paused, and Xen's
        /// shutdown_code -1 shifted left by 16 (sign bits up to bit 31).</summary>
        public const uint NewDomainFlags = 0xFFFF0000u | DomainInfoFlags.Paused;

        public static void Run(TestSuite suite)
        {
            ushort peer = Toolstack.Peer;
            if (peer == 0)
            {
                suite.Skip("new_domain", "createdomain failed");
                return;
            }
            long rc = DomainControl.GetInfo(peer, out DomctlGetDomainInfo info);
            bool found = rc == 0 && info.Domain == peer;
            suite.Result("getdomaininfo_new_domain", found).Text(" returned ").Result(rc).Text(", domain ").Dec(info.Domain)
                .Text(", flags ").Hex(info.Flags).Text(", cpupool ").Dec(info.Cpupool).End();
            if (found)
            {
                // Paused, and the shutdown code "none yet" (-1) shifted into bits 16-31 as Xen does it.
                suite.EqualHex("new_domain_flags", NewDomainFlags, info.Flags);
                suite.Result("new_domain_paused_not_dying", (info.Flags & DomainInfoFlags.Paused) != 0 && (info.Flags & DomainInfoFlags.Dying) == 0)
                    .Text(" flags ").Hex(info.Flags).End();
                suite.Result("new_domain_no_vcpu_yet", info.NrOnlineVcpus == 0 && info.MaxVcpuId == DomainInfoFlags.InvalidMaxVcpuId)
                    .Text(" nr_online_vcpus ").Dec(info.NrOnlineVcpus).Text(", max_vcpu_id ").Hex(info.MaxVcpuId).End();
                suite.Result("new_domain_no_pages", info.TotPages == 0)
                    .Text(" tot_pages ").Dec(info.TotPages).Text(", max_pages ").Dec(info.MaxPages).End();
                suite.Result("new_domain_shared_info_frame", info.SharedInfoFrame != 0).Text(" ").Hex(info.SharedInfoFrame).End();
            }

            suite.Errno("getvcpuinfo_before_max_vcpus", XenErrno.ESRCH, DomainControl.GetVcpuInfo(peer, 0, out _));
            suite.Errno("max_vcpus_other_count", XenErrno.EINVAL, DomainControl.MaxVcpus(peer, 2));
            suite.Returns("max_vcpus", 0, DomainControl.MaxVcpus(peer, 1));
            rc = DomainControl.GetInfo(peer, out info);
            suite.Result("max_vcpus_makes_offline_vcpu", rc == 0 && info.MaxVcpuId == 0 && info.NrOnlineVcpus == 0)
                .Text(" returned ").Result(rc).Text(", nr_online_vcpus ").Dec(info.NrOnlineVcpus).Text(", max_vcpu_id ").Hex(info.MaxVcpuId)
                .Text(", flags ").Hex(info.Flags).End();
            rc = DomainControl.GetVcpuInfo(peer, 0, out DomctlGetVcpuInfo vcpu);
            suite.Result("getvcpuinfo_offline", rc == 0 && vcpu.Online == 0 && vcpu.Running == 0)
                .Text(" returned ").Result(rc).Text(", online ").Dec(vcpu.Online).Text(", blocked ").Dec(vcpu.Blocked)
                .Text(", running ").Dec(vcpu.Running).Text(", cpu_time ").Dec(vcpu.CpuTime).End();
            suite.Errno("getvcpuinfo_beyond_max_vcpus", XenErrno.EINVAL, DomainControl.GetVcpuInfo(peer, 1, out _));

            suite.Returns("max_mem", 0, DomainControl.MaxMem(peer, Toolstack.PeerMemoryKib));
            rc = DomainControl.GetInfo(peer, out info);
            suite.Result("max_mem_sets_max_pages", rc == 0 && info.MaxPages == Toolstack.PeerMemoryKib / 4)
                .Text(" max_pages ").Dec(info.MaxPages).Text(", tot_pages ").Dec(info.TotPages).End();

            DomainBuilder builder = new DomainBuilder();
            Toolstack.Builder = builder;
            builder.Attach(peer, Toolstack.PeerMemoryKib);
            rc = builder.Populate();
            ConsoleLine line = suite.Result("populate_physmap", rc == 0).Char(' ');
            if (rc == 0)
                line.Dec(builder.NrPages).Text(" pages, pfn 0 at mfn ").Hex(builder.P2m[0]).End();
            else
                builder.WriteFailure(line).End();
            rc = DomainControl.GetInfo(peer, out info);
            suite.Result("populate_physmap_tot_pages", rc == 0 && info.TotPages == builder.NrPages)
                .Text(" tot_pages ").Dec(info.TotPages).Text(", max_pages ").Dec(info.MaxPages).End();
            suite.Returns("populate_physmap_beyond_max_mem", 0, PopulateOne(peer));
            suite.Returns("populate_physmap_absent_domain", 0, PopulateOne(Toolstack.AboveEveryDomain));

            suite.Errno("getdomaininfo_above_every_domain", XenErrno.ESRCH, DomainControl.GetInfo(Toolstack.AboveEveryDomain, out _));
            suite.Errno("getdomaininfo_domid_self", XenErrno.EINVAL, DomainControl.GetInfo(DomainId.Self, out _));
            rc = DomainControl.GetInfo(1, out info);
            suite.Result("getdomaininfo_next_domain_up", rc == 0 && info.Domain == peer)
                .Text(" id 1 gives ").Result(rc).Text(", domain ").Dec(info.Domain).End();
            List(suite, peer);

            suite.Errno("pause_self", XenErrno.EINVAL, DomainControl.Pause(0));
            suite.Errno("unpause_unpaused_domain", XenErrno.EINVAL, DomainControl.Unpause(0));
            suite.Errno("destroy_self", XenErrno.EINVAL, DomainControl.Destroy(0));
            suite.Errno("max_vcpus_self", XenErrno.EINVAL, DomainControl.MaxVcpus(0, 1));
            VcpuGuestContext* context = (VcpuGuestContext*)GuestMemory.AllocatePages(2);
            suite.Errno("setvcpucontext_self", XenErrno.EINVAL, DomainControl.SetVcpuContext(0, 0, context));

            // The new domain is paused once by its creation; a pause and an unpause leave it paused.
            long paused = DomainControl.Pause(peer);
            long unpaused = DomainControl.Unpause(peer);
            rc = DomainControl.GetInfo(peer, out info);
            suite.Result("controller_pauses_count", paused == 0 && unpaused == 0 && rc == 0 && (info.Flags & DomainInfoFlags.Paused) != 0)
                .Text(" pause ").Result(paused).Text(", unpause ").Result(unpaused).Text(", flags ").Hex(info.Flags).End();
        }

        // populate_physmap of one more page than max_mem allows, or for a domain that does not exist:
        // both do no extent (the count of extents done, not an errno).
        private static long PopulateOne(ushort domain)
        {
            ulong* extent = (ulong*)GuestMemory.Allocate(8);
            extent[0] = Toolstack.PeerMemoryKib / 4;
            XenMemoryReservation reservation = default;
            reservation.ExtentStart = (ulong)extent;
            reservation.NrExtents = 1;
            reservation.DomId = domain;
            return Hypercalls.MemoryOp(MemoryOp.PopulatePhysmap, &reservation);
        }

        private static void List(TestSuite suite, ushort peer)
        {
            DomctlGetDomainInfo* list = (DomctlGetDomainInfo*)GuestMemory.AllocatePages(1);
            long rc = SystemControl.GetDomainInfoList(0, 8, list, out uint count);
            bool dom0 = false, found = false;
            ConsoleLine line;
            for (uint i = 0; rc == 0 && i < count && i < 8; i++)
            {
                dom0 |= list[i].Domain == 0;
                found |= list[i].Domain == peer;
            }
            line = suite.Result("getdomaininfolist", rc == 0 && count == 2 && dom0 && found)
                .Text(" returned ").Result(rc).Text(", ").Dec(count).Text(" domains:");
            for (uint i = 0; rc == 0 && i < count && i < 8; i++)
                line.Char(' ').Dec(list[i].Domain);
            line.End();
            rc = SystemControl.GetDomainInfoList((ushort)(peer + 1), 8, list, out count);
            suite.Result("getdomaininfolist_past_last", rc == 0 && count == 0)
                .Text(" returned ").Result(rc).Text(", ").Dec(count).Text(" domains").End();
        }
    }
}
