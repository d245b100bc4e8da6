using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The memory_op queries as dom0 sees them:
    /// <list type="bullet">
    /// <item>XENMEM_maximum_ram_page: the machine frames below the top of RAM (max_page), the same count as
    /// machphys_mapping's max_mfn + 1 and the end of the machine memory map's last RAM region;</item>
    /// <item>XENMEM_current_reservation and maximum_reservation for DOMID_SELF and for dom0's own id: the
    /// pages start_info announced (the harness's dom0_mem), a maximum at least that; an unknown domain
    /// (-ESRCH), an unreadable argument (-EFAULT);</item>
    /// <item>XENMEM_memory_map (the pseudo-physical E820 of a domain): a PV dom0 has none on Xen 4.17
    /// (-ENOSYS) and uses the machine map instead, as Linux does;</item>
    /// <item>XENMEM_machine_memory_map (privileged): the count with a null buffer, the entries (sorted,
    /// disjoint, RAM among them) with a buffer of one entry more than the map, -EINVAL with less;</item>
    /// <item>XENMEM_machphys_mapping: v_start 0xffff800000000000, v_end MACH2PHYS_VIRT_END, max_mfn
    /// max_page - 1 for the hardware domain;</item>
    /// <item>XENMEM_machphys_mfn_list: one frame per 2 MiB of M2P table up to max_page entries, bounded by
    /// max_extents;</item>
    /// <item>an unknown command (-ENOSYS); continuation bits (cmd above bit 6) on maximum_ram_page and
    /// current_reservation (-EINVAL).</item>
    /// </list>
    /// </summary>
    internal static unsafe class MemoryQueryTests
    {
        private const ulong Page = 4096;

        private static long Op(ulong cmd, void* arg) => Hypercalls.Raw(HypercallNumber.MemoryOp, cmd, (ulong)arg, 0);

        public static void Run(TestSuite suite, StartInfo* start)
        {
            long maxPage = Op(MemoryOp.MaximumRamPage, null);
            suite.Result("maximum_ram_page", maxPage > 0x100).Text(" returned ").Hex((ulong)maxPage).Text(" (")
                .Dec((ulong)maxPage * Page >> 20).Text(" MiB)").End();
            ulong highest = HighestOwnFrame(start);
            suite.Result("maximum_ram_page_above_own_frames", maxPage > 0 && (ulong)maxPage > highest)
                .Text(" highest own frame ").Hex(highest).End();
            suite.Errno("maximum_ram_page_with_start_extent", XenErrno.EINVAL,
                Op(MemoryOp.EncodeContinuation(MemoryOp.MaximumRamPage, 1), null));

            Reservations(suite, start);
            MemoryMap(suite);
            MachineMemoryMap(suite, maxPage);
            MachphysMapping(suite, maxPage);
            MachphysMfnList(suite, maxPage);
            suite.Errno("unknown_command", XenErrno.ENOSYS, Op(60, null));
        }

        private static ulong HighestOwnFrame(StartInfo* start)
        {
            ulong* p2m = (ulong*)start->MfnList;
            ulong highest = 0;
            for (ulong pfn = 0; pfn < start->NrPages; pfn++)
            {
                if (p2m[pfn] > highest)
                    highest = p2m[pfn];
            }
            return highest;
        }

        private static long Reservation(int command, ushort domain)
        {
            XenMemoryDomain d = default;
            d.DomId = domain;
            return Op((ulong)command, &d);
        }

        private static void Reservations(TestSuite suite, StartInfo* start)
        {
            long current = Reservation(MemoryOp.CurrentReservation, DomainId.Self);
            suite.Equal("current_reservation_self", start->NrPages, (ulong)current);
            if (SuiteArguments.TryGetExpectedMemory(out ulong bytes))
                suite.Equal("current_reservation_is_dom0_mem", bytes / Page, (ulong)current);
            else
                suite.Skip("current_reservation_is_dom0_mem", "no expect_mem= on the command line");
            suite.Equal("current_reservation_own_id", (ulong)current, (ulong)Reservation(MemoryOp.CurrentReservation, 0));

            long maximum = Reservation(MemoryOp.MaximumReservation, DomainId.Self);
            suite.Result("maximum_reservation_self", maximum >= current).Text(" returned ").Hex((ulong)maximum)
                .Text(", current ").Hex((ulong)current).End();
            suite.Equal("maximum_reservation_own_id", (ulong)maximum, (ulong)Reservation(MemoryOp.MaximumReservation, 0));

            suite.Errno("current_reservation_unknown_domain", XenErrno.ESRCH, Reservation(MemoryOp.CurrentReservation, 0x1234));
            suite.Errno("maximum_reservation_unknown_domain", XenErrno.ESRCH, Reservation(MemoryOp.MaximumReservation, 0x1234));
            suite.Errno("current_reservation_unreadable", XenErrno.EFAULT, Op(MemoryOp.CurrentReservation, (void*)0x1000));
            suite.Errno("current_reservation_with_start_extent", XenErrno.EINVAL,
                Op(MemoryOp.EncodeContinuation(MemoryOp.CurrentReservation, 1), null));
        }

        private static void MemoryMap(TestSuite suite)
        {
            E820Entry* entries = stackalloc E820Entry[8];
            XenMemoryMap map = default;
            map.NrEntries = 8;
            map.Buffer = (ulong)entries;
            long rc = Op(MemoryOp.MemoryMap, &map);
            suite.Result("memory_map_pv_dom0", rc == -XenErrno.ENOSYS).Text(" returned ").Result(rc)
                .Text(", nr_entries ").Dec(map.NrEntries).Text(" (expected -38 (ENOSYS): a PV dom0 has no pseudo-physical map)").End();
            suite.Errno("memory_map_unreadable", XenErrno.EFAULT, Op(MemoryOp.MemoryMap, (void*)0x1000));
        }

        private static void MachineMemoryMap(TestSuite suite, long maxPage)
        {
            XenMemoryMap map = default;
            map.NrEntries = 0;
            map.Buffer = 0;
            long rc = Op(MemoryOp.MachineMemoryMap, &map);
            uint count = map.NrEntries;
            suite.Result("machine_memory_map_count", rc == 0 && count > 0 && count < 128).Text(" returned ").Result(rc)
                .Text(", ").Dec(count).Text(" entries").End();
            if (rc != 0 || count == 0 || count >= 128)
            {
                suite.Skip("machine_memory_map_entries", "no count");
                suite.Skip("machine_memory_map_ram_ends_at_max_page", "no count");
                suite.Skip("machine_memory_map_buffer_too_small", "no count");
                return;
            }

            E820Entry* entries = stackalloc E820Entry[130];
            map.NrEntries = count + 1;
            map.Buffer = (ulong)entries;
            rc = Op(MemoryOp.MachineMemoryMap, &map);
            bool sorted = true;
            ulong ram = 0, ramEnd = 0;
            for (uint i = 0; i < map.NrEntries && i < 130; i++)
            {
                if (i > 0 && entries[i].Addr < entries[i - 1].Addr + entries[i - 1].Size)
                    sorted = false;
                if (entries[i].Type == E820Entry.TypeRam)
                {
                    ram += entries[i].Size;
                    ramEnd = entries[i].Addr + entries[i].Size;
                }
            }
            ConsoleLine line = suite.Result("machine_memory_map_entries", rc == 0 && map.NrEntries == count && sorted && ram > 0)
                .Text(" returned ").Result(rc).Text(", ").Dec(map.NrEntries).Text(" entries, RAM ").Dec(ram >> 20).Text(" MiB")
                .Text(sorted ? "" : ", not sorted or overlapping").Text(":");
            for (uint i = 0; i < map.NrEntries && i < 16; i++)
                line.Text(" [").Hex(entries[i].Addr).Char('+').Hex(entries[i].Size).Char(' ').Dec(entries[i].Type).Char(']');
            line.End();
            suite.EqualHex("machine_memory_map_ram_ends_at_max_page", (ulong)maxPage * Page, ramEnd);

            map.NrEntries = count;
            rc = Op(MemoryOp.MachineMemoryMap, &map);
            suite.Errno("machine_memory_map_buffer_too_small", XenErrno.EINVAL, rc);
        }

        private static void MachphysMapping(TestSuite suite, long maxPage)
        {
            XenMachphysMapping m = default;
            long rc = Op(MemoryOp.MachphysMapping, &m);
            suite.Returns("machphys_mapping", 0, rc);
            suite.EqualHex("machphys_mapping_v_start", AddressSpaceLayout.MachToPhysVirtStart, m.VStart);
            suite.EqualHex("machphys_mapping_v_end", AddressSpaceLayout.MachToPhysVirtEnd, m.VEnd);
            suite.EqualHex("machphys_mapping_max_mfn", (ulong)maxPage - 1, m.MaxMfn);
            suite.Errno("machphys_mapping_unwritable", XenErrno.EFAULT, Op(MemoryOp.MachphysMapping, (void*)0x1000));
        }

        private static void MachphysMfnList(TestSuite suite, long maxPage)
        {
            ulong expected = ((ulong)maxPage * 8 + (2UL << 20) - 1) / (2UL << 20);
            ulong* frames = stackalloc ulong[64];
            for (int i = 0; i < 64; i++)
                frames[i] = 0;
            XenMachphysMfnList list = default;
            list.MaxExtents = 64;
            list.ExtentStart = (ulong)frames;
            long rc = Op(MemoryOp.MachphysMfnList, &list);
            bool nonZero = true;
            for (uint i = 0; i < list.NrExtents && i < 64; i++)
                nonZero &= frames[i] != 0;
            suite.Result("machphys_mfn_list", rc == 0 && list.NrExtents == expected && nonZero).Text(" returned ").Result(rc)
                .Text(", ").Dec(list.NrExtents).Text(" extent(s) (expected ").Dec(expected).Text(" for max_page ").Hex((ulong)maxPage)
                .Text("), first frame ").Hex(frames[0]).End();

            // The first M2P frame holds the entries of frames 0..262143: the table's first bytes are in it.
            ulong owner = frames[0] == 0 ? 0 : ReadM2p(frames[0]);
            suite.Result("machphys_mfn_list_frame_not_ours", frames[0] != 0 && (owner >= StartOfDay.StartInfo->NrPages
                    || ((ulong*)StartOfDay.StartInfo->MfnList)[owner] != frames[0]))
                .Text(" M2P entry of ").Hex(frames[0]).Text(" is ").Hex(owner).End();

            XenMachphysMfnList none = default;
            none.MaxExtents = 0;
            none.ExtentStart = (ulong)frames;
            rc = Op(MemoryOp.MachphysMfnList, &none);
            suite.Result("machphys_mfn_list_no_room", rc == 0 && none.NrExtents == 0).Text(" returned ").Result(rc)
                .Text(", ").Dec(none.NrExtents).Text(" extent(s)").End();
            suite.Errno("machphys_mfn_list_unreadable", XenErrno.EFAULT, Op(MemoryOp.MachphysMfnList, (void*)0x1000));
        }

        private static ulong ReadM2p(ulong mfn)
            => Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + mfn * 8, out ulong pfn) ? pfn : ulong.MaxValue;
    }
}
