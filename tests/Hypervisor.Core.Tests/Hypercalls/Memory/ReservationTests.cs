using Hypervisor.Abi;
using Hypervisor.Core.Memory;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    /// <summary>
    /// XENMEM_decrease_reservation, increase_reservation and populate_physmap on the caller's own memory:
    /// the result counts the extents done; a frame goes back only when nothing uses it; frames given are
    /// zeroed, the domain's and counted; populate_physmap records the pseudo-physical frame in the M2P;
    /// requests that cannot be done do nothing and are no errno.
    /// </summary>
    public class ReservationTests
    {
        private const ulong Pattern = 0x5EED5EED5EED5EEDUL;

        private static long Change(MmuKit k, int command, ulong[] extents, uint order = 0, ushort domain = DomainId.Self, ulong startExtent = 0)
        {
            ulong list = k.Args(1);
            for (int i = 0; i < extents.Length; i++)
                k.T.Write64(list + (ulong)i * 8, extents[i]);
            k.T.WriteStruct(k.Args(0), new XenMemoryReservation
            {
                ExtentStart = list, NrExtents = (ulong)extents.Length, ExtentOrder = order, DomId = domain,
            });
            return k.Call(HypercallNumber.MemoryOp, MemoryOp.EncodeContinuation(command, startExtent), k.Args(0));
        }

        private static ulong Extent(MmuKit k, int index) => k.T.Read64(k.Args(1) + (ulong)index * 8);

        [Fact]
        public void Decrease_GivesBackAnUnusedFrame_Once()
        {
            var k = new MmuKit();
            ulong mfn = k.FreeFrame(0);
            ulong before = k.Domain.TotalPages;
            ulong free = k.Host.Frames.FreeFrames;
            Assert.Equal(1, Change(k, MemoryOp.DecreaseReservation, new[] { mfn }));
            Assert.Equal(before - 1, k.Domain.TotalPages);
            Assert.Equal(free + 1, k.Host.Frames.FreeFrames);
            Assert.Equal(FrameOwner.Free, k.Frames.OwnerOf(mfn));
            Assert.Equal(MachineToPhys.Invalid, k.Host.MachineToPhys.Get(mfn));
            Assert.Equal(0, Change(k, MemoryOp.DecreaseReservation, new[] { mfn }));   // no longer ours
            Assert.Equal(before - 1, k.Domain.TotalPages);
        }

        [Fact]
        public void Decrease_AFrameInUse_IsRefused()
        {
            var k = new MmuKit();
            ulong table = k.Vcpu.KernelTableFrame;
            ulong before = k.Domain.TotalPages;
            Assert.Equal(0, Change(k, MemoryOp.DecreaseReservation, new[] { table }));
            Assert.Equal(before, k.Domain.TotalPages);
            Assert.Equal(k.Domain.Id, k.Frames.OwnerOf(table));
        }

        [Fact]
        public void Decrease_StopsAtTheFirstExtentItCannotDo()
        {
            var k = new MmuKit();
            Assert.Equal(1, Change(k, MemoryOp.DecreaseReservation, new[] { k.FreeFrame(0), k.Vcpu.KernelTableFrame, k.FreeFrame(1) }));
            Assert.Equal(k.Domain.Id, k.Frames.OwnerOf(k.FreeFrame(1)));
        }

        [Fact]
        public void Increase_GivesAZeroedFrame_UpToMaxPages()
        {
            var k = new MmuKit();
            ulong mfn = k.FreeFrame(0);
            k.Ram.Fill(mfn * MmuKit.PageSize, MmuKit.PageSize, 0xA5);
            Assert.Equal(0, Change(k, MemoryOp.IncreaseReservation, new ulong[] { 0 }));   // at max_pages
            Assert.Equal(1, Change(k, MemoryOp.DecreaseReservation, new[] { mfn }));
            ulong before = k.Domain.TotalPages;

            Assert.Equal(1, Change(k, MemoryOp.IncreaseReservation, new ulong[] { 0 }));
            ulong given = Extent(k, 0);
            Assert.NotEqual(0UL, given);
            Assert.Equal(before + 1, k.Domain.TotalPages);
            Assert.Equal(k.Domain.Id, k.Frames.OwnerOf(given));
            for (ulong offset = 0; offset < MmuKit.PageSize; offset += 8)
                Assert.Equal(0UL, k.Ram.Read64(given * MmuKit.PageSize + offset));
            Assert.Equal(0, Change(k, MemoryOp.IncreaseReservation, new ulong[] { 0 }));   // at max_pages again
        }

        [Fact]
        public void Populate_RecordsThePseudoPhysicalFrameInTheM2p()
        {
            var k = new MmuKit();
            Assert.Equal(1, Change(k, MemoryOp.DecreaseReservation, new[] { k.FreeFrame(0) }));
            Assert.Equal(1, Change(k, MemoryOp.PopulatePhysmap, new ulong[] { 0x56 }));
            ulong given = Extent(k, 0);
            Assert.NotEqual(0x56UL, given);
            Assert.Equal(0x56UL, k.Host.MachineToPhys.Get(given));
        }

        [Fact]
        public void AResumedCallStartsAtItsStartExtent_AndCountsFromThere()
        {
            var k = new MmuKit();
            ulong first = k.FreeFrame(0), second = k.FreeFrame(1);
            Assert.Equal(2, Change(k, MemoryOp.DecreaseReservation, new[] { first, second }, startExtent: 1));
            Assert.Equal(k.Domain.Id, k.Frames.OwnerOf(first));
            Assert.Equal(FrameOwner.Free, k.Frames.OwnerOf(second));
            Assert.Equal(5, Change(k, MemoryOp.DecreaseReservation, new[] { first }, startExtent: 5));   // past the end
        }

        [Fact]
        public void RequestsThatCannotBeDone_DoNothing()
        {
            var k = new MmuKit();
            ulong before = k.Domain.TotalPages;
            Assert.Equal(0, Change(k, MemoryOp.DecreaseReservation, new[] { k.FreeFrame(0) }, domain: 0x1234));   // no such domain
            Assert.Equal(0, Change(k, MemoryOp.DecreaseReservation, new[] { k.FreeFrame(0) }, order: 13));        // above the limit
            k.T.WriteStruct(k.Args(0), new XenMemoryReservation { ExtentStart = 0x1000, NrExtents = 1, DomId = DomainId.Self });
            Assert.Equal(0, k.Call(HypercallNumber.MemoryOp, MemoryOp.DecreaseReservation, k.Args(0)));               // unreadable list
            Assert.Equal(before, k.Domain.TotalPages);
            Assert.Equal(-XenErrno.EFAULT, k.Call(HypercallNumber.MemoryOp, MemoryOp.DecreaseReservation, 0x1000));  // unreadable request
        }
    }
}
