using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the initial mappings allow: the P2M list readable and consistent with the hypervisor's
    /// read-only M2P table, the bootstrap page tables readable but not writable, the hypervisor's area
    /// closed, the hypercall page filled with the documented stubs, and shared info mappable with
    /// update_va_mapping, holding sane vCPU 0 information.
    /// </summary>
    internal static unsafe class MappingTests
    {
        private const ulong VirtBase = 0xFFFFFFFF80000000UL;

        public static void Run(TestSuite suite, StartInfo* start)
        {
            P2m(suite, start);
            PageTables(suite, start);
            Writable(suite, start);
            HypervisorArea(suite);
            HypercallPage(suite);
            SharedInfoMapping(suite, start);
        }

        private static void P2m(TestSuite suite, StartInfo* start)
        {
            ulong* p2m = (ulong*)start->MfnList;
            ulong pages = start->NrPages;
            bool readable = Probe.TryRead((ulong)p2m, out _) && Probe.TryRead((ulong)(p2m + pages - 1), out _);
            suite.Check("p2m_readable", readable, "the P2M list is not mapped");
            if (!readable)
                return;

            // Every pfn's machine frame maps back to it in the M2P table (read-only, at HYPERVISOR_VIRT_START).
            ulong disagree = 0, unreadable = 0, firstBad = ulong.MaxValue, firstMfn = 0, firstBack = 0;
            for (ulong pfn = 0; pfn < pages; pfn++)
            {
                ulong mfn = p2m[pfn];
                if (!Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + mfn * 8, out ulong back))
                {
                    unreadable++;
                    back = ulong.MaxValue;
                }
                if (back != pfn)
                {
                    disagree++;
                    if (firstBad == ulong.MaxValue)
                    {
                        firstBad = pfn;
                        firstMfn = mfn;
                        firstBack = back;
                    }
                }
            }
            ConsoleLine line = suite.Result("p2m_m2p_agree", disagree == 0).Char(' ').Dec(pages).Text(" pages");
            if (disagree != 0)
                line.Text(", ").Dec(disagree).Text(" disagree (").Dec(unreadable).Text(" M2P entries unreadable); first: pfn ")
                    .Hex(firstBad).Text(" -> mfn ").Hex(firstMfn).Text(" -> pfn ").Hex(firstBack);
            line.End();

            suite.Check("m2p_read_only", Probe.WriteFaultVector(AddressSpaceLayout.MachToPhysVirtStart + p2m[0] * 8, 0) == TrapNames.PageFault,
                "writing the M2P table did not fault with #PF");
        }

        private static void PageTables(TestSuite suite, StartInfo* start)
        {
            // pt_base is the top-level table; the slot of the kernel's address is present.
            ulong slot = start->PtBase + ((VirtBase >> 39) & 511) * 8;
            bool readable = Probe.TryRead(slot, out ulong entry);
            suite.Result("page_tables_readable", readable && (entry & PageFlags.Present) != 0)
                .Text(" L4[").Dec((VirtBase >> 39) & 511).Text("] = ").Hex(entry).End();

            int vector = Probe.WriteFaultVector(slot, entry);   // the same value: harmless if it went through
            // Error code 0x03: protection violation, write, supervisor (the guest kernel's view).
            bool ok = vector == TrapNames.PageFault && TrapTable.LastErrorCode == 3;
            ConsoleLine line = suite.Result("page_tables_read_only", ok);
            if (vector == TrapNames.PageFault)
                line.Text(" #PF, error code ").Hex(TrapTable.LastErrorCode, 2).Text(" (expected 0x03)");
            else
                line.Text(vector < 0 ? " the write went through" : " unexpected vector ").Dec(vector < 0 ? 0 : (ulong)vector);
            line.End();
        }

        /// <summary>Every bootstrap element but the page tables is mapped writable (xen.h, rule 6): a write
        /// of the value already there works for the kernel, initrd, P2M, start_info and stack.</summary>
        private static void Writable(TestSuite suite, StartInfo* start)
        {
            ulong stackEnd = start->PtBase + start->NrPtFrames * 4096 + 4096;
            ulong* places = stackalloc ulong[5];
            places[0] = StartOfDay.Image.KernelStart;
            places[1] = start->ModLen != 0 ? start->ModStart : StartOfDay.Image.KernelStart;
            places[2] = start->MfnList;
            places[3] = (ulong)start;
            places[4] = stackEnd - 8;
            int failed = -1;
            for (int i = 0; i < 5 && failed < 0; i++)
            {
                if (!Probe.TryRead(places[i], out ulong value) || !Probe.TryWrite(places[i], value))
                    failed = i;
            }
            if (failed < 0)
                suite.Pass("bootstrap_elements_writable");
            else
                suite.Fail("bootstrap_elements_writable").Text("cannot write ").Hex(places[failed]).End();

            PageTableWalk(suite, start);
        }

        /// <summary>
        /// The tables that map the kernel (L4 at pt_base, then L3, L2 and the L1s of the region) all lie
        /// in [pt_base, pt_base + nr_pt_frames pages). Writes to the L4, L3 and L2 fault with #PF; a write
        /// to an L1 is emulated by Xen as a checked page-table update (so rewriting an entry with its own
        /// value goes through).
        /// </summary>
        private static void PageTableWalk(TestSuite suite, StartInfo* start)
        {
            ulong tablesEnd = start->PtBase + start->NrPtFrames * 4096;
            ulong l4 = start->PtBase;
            ulong l3 = TableOf(start, Entry(l4 + ((VirtBase >> 39) & 511) * 8));
            ulong l2 = l3 == 0 ? 0 : TableOf(start, Entry(l3 + ((VirtBase >> 30) & 511) * 8));
            ulong l1 = l2 == 0 ? 0 : TableOf(start, Entry(l2 + ((VirtBase >> 21) & 511) * 8));
            bool inside = l3 != 0 && l2 != 0 && l1 != 0
                && l3 >= start->PtBase && l3 < tablesEnd && l2 >= start->PtBase && l2 < tablesEnd && l1 >= start->PtBase && l1 < tablesEnd;
            suite.Result("page_table_walk_inside_bootstrap_tables", inside).Text(" L4 ").Hex(l4).Text(" L3 ").Hex(l3)
                .Text(" L2 ").Hex(l2).Text(" L1 ").Hex(l1).End();
            if (!inside)
            {
                suite.Skip("upper_page_tables_read_only", "the walk failed");
                suite.Skip("l1_write_emulated", "the walk failed");
                return;
            }

            int v3 = RewriteVector(l3 + ((VirtBase >> 30) & 511) * 8);
            int v2 = RewriteVector(l2 + ((VirtBase >> 21) & 511) * 8);
            suite.Result("upper_page_tables_read_only", v3 == TrapNames.PageFault && v2 == TrapNames.PageFault)
                .Text(" L3 write: ").Text(Describe(v3)).Text(", L2 write: ").Text(Describe(v2)).End();

            ulong entry = Entry(l1);
            int v1 = RewriteVector(l1);
            suite.Result("l1_write_emulated", v1 < 0 && Entry(l1) == entry).Text(" L1[0] write: ").Text(Describe(v1)).End();
        }

        /// <summary>The virtual address of the table an entry points to, through the M2P table and the
        /// 1:1 mapping of the bootstrap region; 0 when it is not there.</summary>
        private static ulong TableOf(StartInfo* start, ulong entry)
        {
            if ((entry & PageFlags.Present) == 0)
                return 0;
            ulong mfn = (entry & PageFlags.FrameMask) >> 12;
            if (!Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + mfn * 8, out ulong pfn) || pfn >= start->NrPages)
                return 0;
            ulong va = VirtBase + pfn * 4096;
            return va < StartOfDay.Layout.RegionEnd ? va : 0;
        }

        /// <summary>A page-table entry, or 0 when it cannot be read.</summary>
        private static ulong Entry(ulong address) => Probe.TryRead(address, out ulong entry) ? entry : 0;

        /// <summary>What rewriting an entry with its own value raised: -1 nothing, a vector, or <see cref="Unreadable"/>.</summary>
        private static int RewriteVector(ulong address)
            => Probe.TryRead(address, out ulong value) ? Probe.WriteFaultVector(address, value) : Unreadable;

        private const int Unreadable = 1000;

        private static string Describe(int vector)
            => vector < 0 ? "went through" : vector == TrapNames.PageFault ? "#PF" : vector == Unreadable ? "unreadable" : "another fault";

        private static void HypervisorArea(TestSuite suite)
        {
            // Past the read-only M2P table the hypervisor's area is closed to the guest.
            ulong address = AddressSpaceLayout.MachToPhysVirtEnd + 0x10000;
            int vector = Probe.ReadFaultVector(address);
            suite.Result("hypervisor_area_closed", vector >= 0).Char(' ').Hex(address)
                .Text(vector >= 0 ? " faults with " : " is readable").Text(vector >= 0 ? TrapNames.Mnemonic((ulong)vector) : "").End();
        }

        /// <summary>Each stub: push %rcx; push %r11; mov $nr,%eax; syscall; pop %r11; pop %rcx; ret. The
        /// iret stub pushes %rax as well and does not return.</summary>
        private static void HypercallPage(TestSuite suite)
        {
            byte* page = (byte*)StartOfDay.Image.HypercallPage;
            int bad = -1;
            for (int nr = 0; nr < HypercallNumber.PageSlots && bad < 0; nr++)
            {
                byte* stub = page + nr * HypercallNumber.StubSize;
                int i = 0;
                bool ok = stub[i++] == 0x51 && stub[i++] == 0x41 && stub[i++] == 0x53;
                if (nr == HypercallNumber.Iret)
                    ok = ok && stub[i++] == 0x50;
                ok = ok && stub[i++] == 0xB8 && *(uint*)(stub + i) == (uint)nr;
                i += 4;
                ok = ok && stub[i++] == 0x0F && stub[i++] == 0x05;
                if (nr != HypercallNumber.Iret)
                    ok = ok && stub[i++] == 0x41 && stub[i++] == 0x5B && stub[i++] == 0x59 && stub[i++] == 0xC3;
                if (!ok)
                    bad = nr;
            }
            if (bad < 0)
            {
                suite.Result("hypercall_page_stubs", true).Text(" ").Dec(HypercallNumber.PageSlots).Text(" stubs").End();
                return;
            }
            ConsoleLine line = suite.Fail("hypercall_page_stubs").Text("stub ").Dec((ulong)bad).Text(":");
            byte* s = page + bad * HypercallNumber.StubSize;
            for (int i = 0; i < 16; i++)
                line.Char(' ').HexDigits(s[i], 2);
            line.End();
        }

        private static void SharedInfoMapping(TestSuite suite, StartInfo* start)
        {
            long rc = SharedInfoPage.Map();
            suite.Returns("shared_info_update_va_mapping", 0, rc);
            SharedInfo* shared = SharedInfoPage.Get();
            if (shared == null)
            {
                suite.Skip("shared_info_events_masked", "shared info not mapped");
                suite.Skip("shared_info_time", "shared info not mapped");
                return;
            }
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(shared, 0);
            suite.Result("shared_info_events_masked", vcpu->EvtchnUpcallMask == 1)
                .Text(" upcall mask ").Dec(vcpu->EvtchnUpcallMask).Text(", pending ").Dec(vcpu->EvtchnUpcallPending).End();
            ulong masked = 0;
            for (int i = 0; i < SharedInfo.LegacyMaxVcpus; i++)
                masked += SharedInfo.VcpuInfoOf(shared, i)->EvtchnUpcallMask;
            suite.Equal("shared_info_all_vcpus_masked", SharedInfo.LegacyMaxVcpus, masked);

            ulong pending = 0;
            for (int i = 0; i < SharedInfo.EventWords; i++)
                pending |= shared->EvtchnPending[i];
            suite.Check("shared_info_no_event_pending", pending == 0, "an event channel is pending before any was bound");

            // dom0's wall clock comes from the machine's RTC: some time after 2000, version even.
            suite.Result("shared_info_wallclock", (shared->WcVersion & 1) == 0 && shared->WcSec > 946684800u)
                .Text(" version ").Dec(shared->WcVersion).Text(", ").Dec(shared->WcSec).Text(" s since 1970").End();

            uint version = vcpu->Time.Version;
            suite.Result("shared_info_time", (version & 1) == 0 && vcpu->Time.TscToSystemMul != 0)
                .Text(" version ").Dec(version).Text(", tsc_to_system_mul ").Hex(vcpu->Time.TscToSystemMul)
                .Text(", tsc_shift ").Signed(vcpu->Time.TscShift).Text(", system time ").Dec(vcpu->Time.SystemTime).Text(" ns").End();
        }
    }
}
