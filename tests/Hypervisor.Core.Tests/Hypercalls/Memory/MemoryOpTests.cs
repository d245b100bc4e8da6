using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    public class MemoryOpTests
    {
        private static long Op(MmuKit k, ulong cmd, ulong arg = 0) => k.Call(HypercallNumber.MemoryOp, cmd, arg);

        private static ulong WithExtent(int command, ulong extent) => MemoryOp.EncodeContinuation(command, extent);

        [Fact]
        public void MaximumRamPageIsXensMaxPage()
        {
            var k = new MmuKit();
            Assert.Equal((long)k.Frames.FrameCount, Op(k, MemoryOp.MaximumRamPage));
            Assert.Equal((long)(k.T.Options.MachineBytes / 4096), Op(k, MemoryOp.MaximumRamPage));
            Assert.Equal(-XenErrno.EINVAL, Op(k, WithExtent(MemoryOp.MaximumRamPage, 1)));
        }

        [Theory]
        [InlineData(MemoryOp.CurrentReservation)]
        [InlineData(MemoryOp.MaximumReservation)]
        public void ReservationsOfTheCallerByDomidSelfOrItsOwnId(int command)
        {
            var k = new MmuKit(privileged: false);
            k.Domain.MaxPages = k.Domain.TotalPages + 100;
            long expected = (long)(command == MemoryOp.CurrentReservation ? k.Domain.TotalPages : k.Domain.MaxPages);
            k.T.WriteStruct(k.Args(0), new XenMemoryDomain { DomId = DomainId.Self });
            Assert.Equal(expected, Op(k, (ulong)command, k.Args(0)));
            k.T.WriteStruct(k.Args(0), new XenMemoryDomain { DomId = k.Domain.Id });
            Assert.Equal(expected, Op(k, (ulong)command, k.Args(0)));

            k.T.WriteStruct(k.Args(0), new XenMemoryDomain { DomId = 5 });
            Assert.Equal(-XenErrno.ESRCH, Op(k, (ulong)command, k.Args(0)));
            Assert.Equal(-XenErrno.EFAULT, Op(k, (ulong)command, Support.TestDomain.UnmappedAddress));
            Assert.Equal(-XenErrno.EINVAL, Op(k, WithExtent(command, 3), k.Args(0)));
        }

        [Fact]
        public void MemoryMapIsNotAvailableToAPvDomainWithoutOne()
        {
            var k = new MmuKit();
            k.T.WriteStruct(k.Args(0), new XenMemoryMap { NrEntries = 8, Buffer = k.Args(1) });
            Assert.Equal(-XenErrno.ENOSYS, Op(k, MemoryOp.MemoryMap, k.Args(0)));
            Assert.Equal(8u, k.T.ReadStruct<XenMemoryMap>(k.Args(0)).NrEntries);
        }

        [Fact]
        public void MachineMemoryMapIsTheBootMapForThePrivilegedDomain()
        {
            var k = new MmuKit();
            k.Host.BootMemoryMap = BootMap(out MemoryRegion[] regions);
            ulong buffer = k.Args(1);

            // A null buffer asks for the count.
            k.T.WriteStruct(k.Args(0), new XenMemoryMap { NrEntries = 0, Buffer = 0 });
            Assert.Equal(0, Op(k, MemoryOp.MachineMemoryMap, k.Args(0)));
            Assert.Equal((uint)regions.Length, k.T.ReadStruct<XenMemoryMap>(k.Args(0)).NrEntries);

            // Xen wants room for one entry more than the map has.
            k.T.WriteStruct(k.Args(0), new XenMemoryMap { NrEntries = (uint)regions.Length, Buffer = buffer });
            Assert.Equal(-XenErrno.EINVAL, Op(k, MemoryOp.MachineMemoryMap, k.Args(0)));

            k.T.WriteStruct(k.Args(0), new XenMemoryMap { NrEntries = (uint)regions.Length + 1, Buffer = buffer });
            Assert.Equal(0, Op(k, MemoryOp.MachineMemoryMap, k.Args(0)));
            Assert.Equal((uint)regions.Length, k.T.ReadStruct<XenMemoryMap>(k.Args(0)).NrEntries);
            for (int i = 0; i < regions.Length; i++)
            {
                E820Entry e = k.T.ReadStruct<E820Entry>(buffer + (ulong)i * 20);
                Assert.Equal(regions[i].Base, e.Addr);
                Assert.Equal(regions[i].Length, e.Size);
                Assert.Equal((uint)regions[i].Kind, e.Type);
            }

            k.T.WriteStruct(k.Args(0), new XenMemoryMap { NrEntries = 64, Buffer = AddressSpaceLayout.HypervisorVirtStart });
            Assert.Equal(-XenErrno.EFAULT, Op(k, MemoryOp.MachineMemoryMap, k.Args(0)));
            k.T.WriteStruct(k.Args(0), new XenMemoryMap { NrEntries = 64, Buffer = Support.TestDomain.UnmappedAddress });
            Assert.Equal(-XenErrno.EFAULT, Op(k, MemoryOp.MachineMemoryMap, k.Args(0)));
        }

        [Fact]
        public void MachineMemoryMapNeedsPrivilegeAndAMap()
        {
            var guest = new MmuKit(privileged: false);
            guest.Host.BootMemoryMap = BootMap(out _);
            guest.T.WriteStruct(guest.Args(0), new XenMemoryMap { NrEntries = 8, Buffer = guest.Args(1) });
            Assert.Equal(-XenErrno.EPERM, Op(guest, MemoryOp.MachineMemoryMap, guest.Args(0)));

            var k = new MmuKit();
            k.T.WriteStruct(k.Args(0), new XenMemoryMap { NrEntries = 8, Buffer = k.Args(1) });
            Assert.Equal(-XenErrno.ENOSYS, Op(k, MemoryOp.MachineMemoryMap, k.Args(0)));   // the arch layer gave none
        }

        [Fact]
        public void MachphysMappingDescribesTheM2pWindow()
        {
            var k = new MmuKit();
            Assert.Equal(0, Op(k, MemoryOp.MachphysMapping, k.Args(0)));
            XenMachphysMapping mapping = k.T.ReadStruct<XenMachphysMapping>(k.Args(0));
            Assert.Equal(0xFFFF_8000_0000_0000UL, mapping.VStart);
            Assert.Equal(AddressSpaceLayout.MachToPhysVirtEnd, mapping.VEnd);
            Assert.Equal(k.Frames.FrameCount - 1, mapping.MaxMfn);

            var guest = new MmuKit(privileged: false);
            Assert.Equal(0, Op(guest, MemoryOp.MachphysMapping, guest.Args(0)));
            Assert.Equal(AddressSpaceLayout.MachToPhysNrEntries - 1, guest.T.ReadStruct<XenMachphysMapping>(guest.Args(0)).MaxMfn);
            Assert.Equal(-XenErrno.EFAULT, Op(guest, MemoryOp.MachphysMapping, Support.TestDomain.UnmappedAddress));
        }

        [Fact]
        public void MachphysMfnListGivesTheFirstFrameOfEach2MibExtent()
        {
            var k = new MmuKit();
            MachineToPhys m2p = k.Host.MachineToPhys;
            ulong extents = (m2p.EntryCount * 8 + (2UL << 20) - 1) >> 21;
            ulong list = k.Args(1);

            k.T.WriteStruct(k.Args(0), new XenMachphysMfnList { MaxExtents = 100, ExtentStart = list });
            Assert.Equal(0, Op(k, MemoryOp.MachphysMfnList, k.Args(0)));
            XenMachphysMfnList result = k.T.ReadStruct<XenMachphysMfnList>(k.Args(0));
            Assert.Equal((uint)extents, result.NrExtents);
            for (ulong i = 0; i < extents; i++)
                Assert.Equal((m2p.BaseAddress >> 12) + i * 512, k.T.Read64(list + i * 8));

            k.T.WriteStruct(k.Args(0), new XenMachphysMfnList { MaxExtents = 0, ExtentStart = Support.TestDomain.UnmappedAddress });
            Assert.Equal(0, Op(k, MemoryOp.MachphysMfnList, k.Args(0)));
            Assert.Equal(0u, k.T.ReadStruct<XenMachphysMfnList>(k.Args(0)).NrExtents);

            k.T.WriteStruct(k.Args(0), new XenMachphysMfnList { MaxExtents = 1, ExtentStart = Support.TestDomain.UnmappedAddress });
            Assert.Equal(-XenErrno.EFAULT, Op(k, MemoryOp.MachphysMfnList, k.Args(0)));
        }

        [Fact]
        public void MachphysMfnListCoversTheWholeTableUpToMaxExtents()
        {
            var k = new MmuKit();
            // A bigger machine's table (only its place and size matter here): three extents and a bit.
            const ulong entries = 3 * 262144 + 5, tableBase = 0x40_0000_0000UL;
            k.Host.MachineToPhys = new MachineToPhys(k.Ram, tableBase, entries);
            ulong list = k.Args(1);

            k.T.WriteStruct(k.Args(0), new XenMachphysMfnList { MaxExtents = 2, ExtentStart = list });
            Assert.Equal(0, Op(k, MemoryOp.MachphysMfnList, k.Args(0)));
            Assert.Equal(2u, k.T.ReadStruct<XenMachphysMfnList>(k.Args(0)).NrExtents);

            k.T.WriteStruct(k.Args(0), new XenMachphysMfnList { MaxExtents = 10, ExtentStart = list });
            Assert.Equal(0, Op(k, MemoryOp.MachphysMfnList, k.Args(0)));
            Assert.Equal(4u, k.T.ReadStruct<XenMachphysMfnList>(k.Args(0)).NrExtents);
            for (ulong i = 0; i < 4; i++)
                Assert.Equal((tableBase >> 12) + i * 512, k.T.Read64(list + i * 8));
        }

        [Theory]
        [InlineData(MemoryOp.Exchange, -XenErrno.ENOSYS)]
        [InlineData(MemoryOp.AddToPhysmap, -XenErrno.ENOSYS)]
        [InlineData(MemoryOp.MachphysCompatMfnList, -XenErrno.EOPNOTSUPP)]
        [InlineData(63, -XenErrno.ENOSYS)]
        public void CommandsNotServed(int command, int errno)
        {
            var k = new MmuKit();
            Assert.Equal(errno, Op(k, (ulong)command, k.Args(0)));
        }

        private static MemoryMap BootMap(out MemoryRegion[] regions)
        {
            regions = new[]
            {
                new MemoryRegion(0, 0x9F000, MemoryKind.Usable),
                new MemoryRegion(0x9F000, 0x1000, MemoryKind.Reserved),
                new MemoryRegion(0xF0000, 0x10000, MemoryKind.Reserved),
                new MemoryRegion(0x100000, 0x3FF0000, MemoryKind.Usable),
                new MemoryRegion(0x40F0000, 0x10000, MemoryKind.AcpiReclaimable),
            };
            Assert.Equal(MemoryMapStatus.Ok, MemoryMap.Build(regions, null, out MemoryMap map));
            Assert.Equal(regions.Length, map.Count);
            return map;
        }
    }
}
