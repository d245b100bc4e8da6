using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The kit's domain builder on the suite's own kernel (dom0's initrd): bad images refused with the
    /// reason, the peer built (layout, P2M, start_info, page tables, hypercall page, pinned L4, vCPU
    /// context), online and still paused, then started; it reports through its report page and an event
    /// on dom0's port within 10 s, and what it found is judged here: the start-of-day state the builder
    /// promised (start_info, entry registers), and its isolation as an unprivileged domain (domctl and
    /// sysctl -EPERM, dom0's frame unreachable through update_va_mapping_otherdomain, mmu_update,
    /// update_va_mapping, populate_physmap and grant copy, ports it does not have -EINVAL, console_io
    /// -EPERM).
    /// </summary>
    internal static unsafe class PeerTests
    {
        public static void Run(TestSuite suite, StartInfo* start)
        {
            ushort peer = Toolstack.Peer;
            DomainBuilder builder = Toolstack.Builder;
            if (peer == 0 || builder == null)
            {
                suite.Skip("build_peer", "no domain to build");
                return;
            }
            RefusedImages(suite, builder, (byte*)start->ModStart, start->ModLen);

            long rc = builder.LoadImage((byte*)start->ModStart, start->ModLen);
            ElfImage image = builder.Image;
            ConsoleLine line = suite.Result("builder_reads_own_image", rc == 0).Char(' ');
            if (rc == 0)
                line.Dec(start->ModLen).Text(" bytes, ").Dec((ulong)image.SegmentCount).Text(" PT_LOAD, entry ").Hex(image.Entry)
                    .Text(", virt_base ").Hex(image.VirtBase).Text(", kernel end ").Hex(image.KernelEnd)
                    .Text(", hypercall page ").Hex(image.HypercallPage).End();
            else
                builder.WriteFailure(line).End();
            if (rc != 0)
                return;

            Toolstack.Port = EventChannels.AllocUnbound(DomainId.Self, peer);
            suite.Result("alloc_unbound_for_peer", Toolstack.Port > 0).Text(" port ").Result(Toolstack.Port).End();
            if (Toolstack.Port <= 0)
                return;

            ulong* dom0Page = (ulong*)GuestMemory.AllocatePages(1);
            for (int i = 0; i < 512; i++)
                dom0Page[i] = Toolstack.Dom0Pattern;
            Toolstack.Dom0Page = dom0Page;
            // The report page's address follows from the layout, planned here as the builder will.
            DomainLayout.Plan(image.VirtBase, image.KernelEnd, builder.NrPages, out DomainLayout planned);
            CommandLineWriter command = new CommandLineWriter();
            command.Append("role=peer report=").Hex(planned.Report).Append(" evtchn=").Decimal((ulong)Toolstack.Port)
                   .Append(" frame=").Hex(MachineFrames.Of(dom0Page));

            rc = builder.Build(command.Text, command.Length);
            DomainLayout layout = builder.Layout;
            line = suite.Result("build_peer", rc == 0).Char(' ');
            if (rc == 0)
                line.Text("start_info ").Hex(layout.StartInfo).Text(", ").Dec(layout.PageTableFrames).Text(" page-table frames at ")
                    .Hex(layout.PageTables).Text(" (L4 mfn ").Hex(builder.L4Frame).Text("), stack end ").Hex(layout.StackEnd)
                    .Text(", region end ").Hex(layout.RegionEnd).Text(", shared_info mfn ").Hex(builder.SharedInfoFrame).End();
            else
                builder.WriteFailure(line).End();
            if (rc != 0)
                return;
            Toolstack.Built = true;

            rc = DomainControl.GetInfo(peer, out DomctlGetDomainInfo info);
            suite.Result("built_domain_online_and_paused", rc == 0 && info.NrOnlineVcpus == 1 && (info.Flags & DomainInfoFlags.Paused) != 0
                         && info.TotPages == builder.NrPages)
                .Text(" flags ").Hex(info.Flags).Text(", nr_online_vcpus ").Dec(info.NrOnlineVcpus).Text(", tot_pages ").Dec(info.TotPages).End();
            rc = DomainControl.GetVcpuInfo(peer, 0, out DomctlGetVcpuInfo vcpu);
            suite.Result("getvcpuinfo_built", rc == 0 && vcpu.Online == 1 && vcpu.Running == 0)
                .Text(" returned ").Result(rc).Text(", online ").Dec(vcpu.Online).Text(", blocked ").Dec(vcpu.Blocked)
                .Text(", running ").Dec(vcpu.Running).Text(", cpu_time ").Dec(vcpu.CpuTime).End();

            rc = builder.Start();
            suite.Returns("unpause_starts_peer", 0, rc);
            if (rc != 0)
                return;
            Toolstack.Started = true;

            int outcome = Toolstack.WaitForEvent((uint)Toolstack.Port, peer, Toolstack.EventTimeoutNs, out ulong waited, out uint flags);
            line = suite.Result("peer_reported", outcome == Toolstack.EventArrived).Char(' ');
            Toolstack.DescribeWait(line, outcome, waited, flags).End();
            if (outcome != Toolstack.EventArrived)
            {
                suite.Skip("peer_report", "the peer never reported");
                return;
            }
            rc = Toolstack.ReadReport();
            PeerReport* report = Toolstack.Report;
            bool magic = rc == 0 && report->Magic == PeerReport.MagicValue && report->Count == PeerCheck.Count;
            suite.Result("peer_report_magic", magic).Text(" read ").Result(rc).Text(", magic ").Hex(report->Magic)
                .Text(", count ").Dec(report->Count).End();
            if (!magic)
                return;
            Toolstack.Reported = true;
            Judge(suite, report->Values, builder);
        }

        private static void Judge(TestSuite suite, long* v, DomainBuilder builder)
        {
            DomainLayout layout = builder.Layout;
            suite.Result("peer_bind_interdomain", v[PeerCheck.LocalPort] > 0).Text(" local port ").Result(v[PeerCheck.LocalPort]).End();
            suite.Equal("peer_start_info_nr_pages", builder.NrPages, (ulong)v[PeerCheck.NrPages]);
            suite.EqualHex("peer_start_info_flags", 0, (ulong)v[PeerCheck.StartFlags]);
            suite.EqualHex("peer_entry_rsp_stack_end", layout.StackEnd, (ulong)v[PeerCheck.EntryRsp]);
            suite.EqualHex("peer_entry_rsi_start_info", layout.StartInfo, (ulong)v[PeerCheck.EntryRsi]);
            suite.Result("peer_entry_selectors", v[PeerCheck.EntryCs] == DomainBuilder.KernelCs && v[PeerCheck.EntrySs] == DomainBuilder.KernelDs)
                .Text(" cs ").Hex((ulong)v[PeerCheck.EntryCs]).Text(", ss ").Hex((ulong)v[PeerCheck.EntrySs]).End();
            suite.Returns("peer_current_reservation", (long)builder.NrPages, v[PeerCheck.CurrentReservation]);
            suite.Errno("peer_domctl_refused", XenErrno.EPERM, v[PeerCheck.DomctlGetInfo]);
            suite.Errno("peer_sysctl_refused", XenErrno.EPERM, v[PeerCheck.SysctlPhysinfo]);
            suite.Errno("peer_update_va_mapping_otherdomain_dom0", XenErrno.EPERM, v[PeerCheck.UpdateVaMappingOtherDomain]);
            bool walked = v[PeerCheck.L1EntryAddress] != 0;
            suite.Result("peer_mmu_update_foreign_dom0", walked && v[PeerCheck.MmuUpdateForeign] == -XenErrno.EPERM)
                .Text(" returned ").Result(v[PeerCheck.MmuUpdateForeign]).Text(" (L1 entry at ").Hex((ulong)v[PeerCheck.L1EntryAddress]).Text(")").End();
            suite.Errno("peer_map_dom0_frame_as_own", XenErrno.EBUSY, v[PeerCheck.MapFrameAsOwn]);
            suite.Equal("peer_scratch_page_intact", 1, (ulong)v[PeerCheck.ScratchIntact]);
            suite.Returns("peer_populate_physmap_for_dom0", 0, v[PeerCheck.PopulateForDom0]);
            suite.Errno("peer_send_port_not_its_own", XenErrno.EINVAL, v[PeerCheck.SendNotOwnPort]);
            suite.Errno("peer_close_port_not_its_own", XenErrno.EINVAL, v[PeerCheck.CloseNotOwnPort]);
            GrantCopy(suite, "peer_grant_copy_dom0_frame", GrantStatus.PermissionDenied, v[PeerCheck.GrantCopyByFrame], v[PeerCheck.GrantCopyByFrameStatus]);
            GrantCopy(suite, "peer_grant_copy_ungranted_ref", GrantStatus.GeneralError, v[PeerCheck.GrantCopyByRef], v[PeerCheck.GrantCopyByRefStatus]);
            suite.Errno("peer_console_write_refused", XenErrno.EPERM, v[PeerCheck.ConsoleWrite]);
            bool intact = true;
            for (int i = 0; i < 512; i++)
                intact &= Toolstack.Dom0Page[i] == Toolstack.Dom0Pattern;
            suite.Check("dom0_page_untouched_by_peer", intact, "dom0's page lost its pattern");
        }

        private static void GrantCopy(TestSuite suite, string test, short expected, long rc, long status)
        {
            suite.Result(test, rc == 0 && status == expected).Text(" returned ").Result(rc).Text(", status ").GrantStatus(status).End();
        }

        // Images the builder must refuse, each with its reason: not ELF, ELF32, headers or a segment
        // beyond the image's end.
        private static void RefusedImages(TestSuite suite, DomainBuilder builder, byte* own, ulong length)
        {
            byte* copy = GuestMemory.AllocatePages(1);
            Refused(suite, builder, "builder_refuses_not_elf", copy, 4096);
            ulong header = length < 4096 ? length : 4096;
            for (ulong i = 0; i < header; i++)
                copy[i] = own[i];
            copy[4] = 1;
            Refused(suite, builder, "builder_refuses_elf32", copy, header);
            Refused(suite, builder, "builder_refuses_truncated_headers", own, 100);
            Refused(suite, builder, "builder_refuses_truncated_segment", own, 0x2000);
        }

        private static void Refused(TestSuite suite, DomainBuilder builder, string test, byte* image, ulong length)
        {
            long rc = builder.LoadImage(image, length);
            ConsoleLine line = suite.Result(test, rc == -XenErrno.ENOEXEC).Char(' ');
            if (rc == 0)
                line.Text("accepted").End();
            else
                builder.WriteFailure(line).End();
        }
    }
}
