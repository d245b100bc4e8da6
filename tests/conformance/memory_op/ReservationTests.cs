using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The reservation changes (ballooning) as a PV kernel makes them, with machine frames in the extent
    /// lists: give a page back (decrease_reservation: the extents done, the reservation one less; a frame
    /// no longer ours is not given back again), take one (increase_reservation: a frame of ours to enter
    /// into the M2P and map), and populate a pseudo-physical frame (populate_physmap: the new frame is
    /// written back, its M2P entry already set; Xen does not scrub pages given back, so nothing is promised
    /// about its contents). Requests that do nothing (0 extents done, no errno): an unknown domain, an
    /// unreadable extent list, an order above the limit.
    /// </summary>
    internal static unsafe class ReservationTests
    {
        private const ulong Pattern = 0x5EED5EED5EED5EEDUL;

        public static void Run(TestSuite suite, StartInfo* start)
        {
            ulong* p2m = (ulong*)start->MfnList;
            ulong page = (ulong)GuestMemory.AllocatePages(1);
            ulong pfn = (page - 0xFFFFFFFF80000000UL) >> 12;
            ulong mfn = p2m[pfn];
            Fill(page, Pattern);
            long before = Current();

            // A frame is given back once nothing maps it any more.
            long rc = Hypercalls.UpdateVaMapping(page, 0, UpdateVaMappingFlags.Invlpg);
            suite.Returns("unmap_page_to_give_back", 0, rc);
            ulong* extents = stackalloc ulong[2];
            extents[0] = mfn;
            rc = Change(MemoryOp.DecreaseReservation, extents, 1, 0, DomainId.Self);
            suite.Returns("decrease_reservation", 1, rc);
            p2m[pfn] = ~0UL;
            suite.Equal("current_reservation_after_decrease", (ulong)(before - 1), (ulong)Current());
            rc = Change(MemoryOp.DecreaseReservation, extents, 1, 0, DomainId.Self);
            suite.Returns("decrease_reservation_frame_not_ours", 0, rc);

            extents[0] = 0;
            rc = Change(MemoryOp.IncreaseReservation, extents, 1, 0, DomainId.Self);
            ulong increased = extents[0];
            suite.Result("increase_reservation", rc == 1 && increased != 0).Text(" returned ").Result(rc).Text(", frame ").Hex(increased).End();
            suite.Equal("current_reservation_after_increase", (ulong)before, (ulong)Current());

            MmuUpdate m2p = default;
            m2p.Ptr = (increased << 12) | MmuUpdateCommand.MachphysUpdate;
            m2p.Val = pfn;
            long m2pRc = Hypercalls.Raw(HypercallNumber.MmuUpdate, (ulong)&m2p, 1, 0, DomainId.Self, 0);
            long mapRc = Hypercalls.UpdateVaMapping(page, (increased << 12) | PageFlags.Present | PageFlags.Writable
                | PageFlags.Accessed | PageFlags.Dirty, UpdateVaMappingFlags.Invlpg);
            bool usable = m2pRc == 0 && mapRc == 0 && Fill(page, Pattern) && Holds(page, Pattern);
            suite.Result("increased_frame_usable", usable).Text(" M2P update ").Result(m2pRc).Text(", mapped ").Result(mapRc).End();

            Hypercalls.UpdateVaMapping(page, 0, UpdateVaMappingFlags.Invlpg);
            extents[0] = increased;
            rc = Change(MemoryOp.DecreaseReservation, extents, 1, 0, DomainId.Self);
            suite.Returns("decrease_increased_frame", 1, rc);

            extents[0] = pfn;
            rc = Change(MemoryOp.PopulatePhysmap, extents, 1, 0, DomainId.Self);
            ulong populated = extents[0];
            suite.Result("populate_physmap", rc == 1 && populated != pfn).Text(" returned ").Result(rc).Text(", frame ").Hex(populated).End();
            ulong back = Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + populated * 8, out ulong v) ? v : ulong.MaxValue;
            suite.EqualHex("populated_frame_in_m2p", pfn, back);
            suite.Equal("current_reservation_after_populate", (ulong)before, (ulong)Current());
            p2m[pfn] = populated;
            mapRc = Hypercalls.UpdateVaMapping(page, (populated << 12) | PageFlags.Present | PageFlags.Writable
                | PageFlags.Accessed | PageFlags.Dirty, UpdateVaMappingFlags.Invlpg);
            // Xen does not scrub a page a domain gave back (scrub_domheap is off): no promise about its contents.
            suite.Result("populated_frame_usable", mapRc == 0 && Fill(page, Pattern) && Holds(page, Pattern))
                .Text(" mapped ").Result(mapRc).End();

            // An unknown domain is not an error here: no extent is done.
            long current = Current();
            rc = Change(MemoryOp.IncreaseReservation, extents, 1, 0, 0x1234);
            suite.Result("increase_reservation_unknown_domain_does_nothing", rc == 0 && Current() == current)
                .Text(" returned ").Result(rc).Text(", reservation ").Dec((ulong)Current()).End();
            rc = Change(MemoryOp.DecreaseReservation, (ulong*)0x1000, 1, 0, DomainId.Self);
            suite.Returns("decrease_reservation_unreadable_list", 0, rc);
            extents[0] = pfn;
            rc = Change(MemoryOp.PopulatePhysmap, extents, 1, 30, DomainId.Self);
            suite.Returns("populate_physmap_order_too_large", 0, rc);
        }

        private static long Current()
        {
            XenMemoryDomain d = default;
            d.DomId = DomainId.Self;
            return Hypercalls.Raw(HypercallNumber.MemoryOp, MemoryOp.CurrentReservation, (ulong)&d, 0);
        }

        private static long Change(int command, ulong* extents, ulong count, uint order, ushort domain)
        {
            XenMemoryReservation r = default;
            r.ExtentStart = (ulong)extents;
            r.NrExtents = count;
            r.ExtentOrder = order;
            r.MemFlags = 0;
            r.DomId = domain;
            return Hypercalls.Raw(HypercallNumber.MemoryOp, (ulong)command, (ulong)&r, 0);
        }

        private static bool Fill(ulong va, ulong value)
        {
            for (ulong i = 0; i < 512; i++)
            {
                if (!Probe.TryWrite(va + i * 8, value))
                    return false;
            }
            return true;
        }

        private static bool Holds(ulong va, ulong value)
        {
            for (ulong i = 0; i < 512; i++)
            {
                if (!Probe.TryRead(va + i * 8, out ulong v) || v != value)
                    return false;
            }
            return true;
        }
    }
}
