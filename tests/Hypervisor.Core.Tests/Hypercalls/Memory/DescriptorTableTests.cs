using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Moq;
using Xunit;
using static Hypervisor.Core.Tests.Hypercalls.Memory.MmuKit;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    public class SegmentDescriptorRuleTests
    {
        private const ulong FlatCodeDpl0 = 0x00AF9A000000FFFFUL;   // 64-bit code, ring 0
        private const ulong FlatCodeDpl3 = 0x00AFFA000000FFFFUL;
        private const ulong FlatDataDpl0 = 0x00CF92000000FFFFUL;
        private const ulong FlatDataDpl3 = 0x00CFF2000000FFFFUL;

        private static ulong CallGate(ushort selector, int dpl, uint reserved = 0) =>
            ((ulong)(0x8000u | ((uint)dpl << 13) | 0x0C00u | reserved) << 32) | ((ulong)selector << 16) | 0x1234;

        [Theory]
        [InlineData(FlatCodeDpl0, FlatCodeDpl3)]
        [InlineData(FlatCodeDpl3, FlatCodeDpl3)]
        [InlineData(FlatDataDpl0, FlatDataDpl3)]
        [InlineData(0x00CFB2000000FFFFUL, FlatDataDpl3)]   // DPL 1
        public void CodeAndDataSegmentsGetDpl3(ulong descriptor, ulong expected)
        {
            Assert.True(SegmentDescriptors.Check(ref descriptor));
            Assert.Equal(expected, descriptor);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(0x00CF12000000FFFFUL)]                 // not present: left as it is, DPL 0 and all
        [InlineData(0x0000000000000000UL | (0x8000UL << 32))]   // present, type 0: a gate's upper half
        public void HarmlessDescriptorsAreKeptAsTheyAre(ulong descriptor)
        {
            ulong copy = descriptor;
            Assert.True(SegmentDescriptors.Check(ref copy));
            Assert.Equal(descriptor, copy);
        }

        [Theory]
        [InlineData((ushort)0xe033)]   // the flat kernel code selector
        [InlineData((ushort)0x0010)]   // the guest's own GDT
        [InlineData((ushort)0xe00c)]   // an LDT selector
        public void CallGatesToGuestCodeBecomeDpl0WithTheirDplInTheRpl(ushort selector)
        {
            ulong gate = CallGate(selector, 0);
            Assert.True(SegmentDescriptors.Check(ref gate));
            Assert.Equal(0u, (uint)(gate >> 45) & 3);                         // DPL 0: using it faults
            Assert.Equal((uint)((selector & ~3) | 3), (uint)(gate >> 16) & 0xFFFF);   // RPL: the DPL it got, 3
            Assert.Equal(0x1234UL, gate & 0xFFFF);
        }

        [Theory]
        [InlineData((ushort)0xe008)]   // the hypervisor's ring-0 code
        [InlineData((ushort)0xe023)]   // a reserved entry other than the flat kernel code
        public void CallGatesToTheHypervisorsSelectorsAreRefused(ushort selector)
        {
            ulong gate = CallGate(selector, 3);
            Assert.False(SegmentDescriptors.Check(ref gate));
        }

        [Fact]
        public void CallGatesWithReservedBitsAreRefused()
        {
            ulong gate = CallGate(0xe033, 3, reserved: 0x1F);
            Assert.False(SegmentDescriptors.Check(ref gate));
        }

        [Theory]
        [InlineData(0x2u)]   // LDT
        [InlineData(0x9u)]   // available 64-bit TSS
        [InlineData(0xBu)]   // busy TSS
        [InlineData(0xEu)]   // interrupt gate
        [InlineData(0xFu)]   // trap gate
        [InlineData(0x5u)]   // task gate (legacy)
        public void OtherSystemDescriptorsAreRefused(uint type)
        {
            ulong descriptor = ((ulong)(0x8000u | 0x6000u | (type << 8)) << 32) | 0xFFFF;
            ulong copy = descriptor;
            Assert.False(SegmentDescriptors.Check(ref copy));
            Assert.Equal(descriptor, copy);
        }
    }

    public class SetGdtTests
    {
        private const ulong FlatCodeDpl0 = 0x00AF9A000000FFFFUL;
        private const ulong FlatCodeDpl3 = 0x00AFFA000000FFFFUL;
        private const ulong TssDescriptor = 0x0000E90000000067UL;

        private static long SetGdt(MmuKit k, ulong entries, params ulong[] frames)
        {
            for (int i = 0; i < frames.Length; i++)
                k.T.Write64(k.Args(0) + (ulong)i * 8, frames[i]);
            return k.Call(HypercallNumber.SetGdt, k.Args(0), entries);
        }

        [Fact]
        public void InstallsCheckedFramesAndLoadsThemIntoTheCpu()
        {
            var k = new MmuKit();
            ulong f0 = k.FreeFrame(0), f1 = k.FreeFrame(1);
            k.SetEntry(f0, 2, FlatCodeDpl0);
            k.SetEntry(f1, 5, FlatCodeDpl3);
            var before = k.Snapshot();
            k.ClearPlatformCalls();

            Assert.Equal(0, SetGdt(k, 600, f0, f1));
            Assert.Equal(2, k.Vcpu.GdtFrameCount);
            Assert.Equal(600UL, k.Vcpu.GdtEntries);
            Assert.Equal(f0, k.Vcpu.GdtFrames[0]);
            Assert.Equal(f1, k.Vcpu.GdtFrames[1]);
            Assert.Equal(PageType.SegmentDescriptor, k.Frames.TypeOf(f0));
            Assert.Equal(1u, k.Frames.TypeCountOf(f1));
            Assert.Equal(FlatCodeDpl3, k.Entry(f0, 2));   // fixed up in place
            k.Platform.Verify(p => p.LoadGuestDescriptors(k.Vcpu, 0, DescriptorTables.FirstReservedGdtEntry), Times.Once());
            k.Platform.Verify(p => p.FlushTlb(), Times.Once());

            // A GDT page can no longer be mapped writable.
            Assert.Equal(-XenErrno.EBUSY, k.Call(HypercallNumber.UpdateVaMapping, k.SparePage(0), PageTableEntry.Make(f0, P | RW), 0));

            // An empty GDT releases the frames.
            Assert.Equal(0, SetGdt(k, 0));
            Assert.Equal(0, k.Vcpu.GdtFrameCount);
            k.AssertSameAs(before);
        }

        [Fact]
        public void ReplacingTheGdtReleasesTheOldFrames()
        {
            var k = new MmuKit();
            ulong f0 = k.FreeFrame(0), f1 = k.FreeFrame(1);
            Assert.Equal(0, SetGdt(k, 512, f0));
            Assert.Equal(0, SetGdt(k, 1, f1));
            Assert.Equal(0u, k.Frames.TypeCountOf(f0));
            Assert.Equal(0u, k.Frames.ReferencesOf(f0));
            Assert.Equal(1u, k.Frames.TypeCountOf(f1));
            Assert.Equal(1, k.Vcpu.GdtFrameCount);
        }

        [Fact]
        public void AFrameWithABadDescriptorIsRefusedAndNothingChanges()
        {
            var k = new MmuKit();
            ulong good = k.FreeFrame(0), bad = k.FreeFrame(1), old = k.FreeFrame(2);
            Assert.Equal(0, SetGdt(k, 10, old));
            k.SetEntry(bad, 511, TssDescriptor);
            var before = k.Snapshot();
            k.ClearPlatformCalls();

            Assert.Equal(-XenErrno.EINVAL, SetGdt(k, 1024, good, bad));
            k.AssertSameAs(before);
            Assert.Equal(old, k.Vcpu.GdtFrames[0]);
            Assert.Equal(1, k.Vcpu.GdtFrameCount);
            k.Platform.Verify(p => p.LoadGuestDescriptors(It.IsAny<Vcpu>(), It.IsAny<int>(), It.IsAny<int>()), Times.Never());
        }

        [Fact]
        public void FramesThatAreNotTheDomainsOrAreInUseAreRefused()
        {
            var k = new MmuKit();
            var before = k.Snapshot();
            Assert.Equal(-XenErrno.EINVAL, SetGdt(k, 1, 3));
            Assert.Equal(-XenErrno.EINVAL, SetGdt(k, 1, k.FrameMappedAt(k.SparePage(0))));   // mapped writable
            Assert.Equal(-XenErrno.EINVAL, SetGdt(k, 1, k.L1EntryAddress(k.SparePage(0)) >> 12));   // a page table
            k.AssertSameAs(before);
        }

        [Fact]
        public void TooManyEntriesOrAnUnreadableListAreRefused()
        {
            var k = new MmuKit();
            Assert.Equal(-XenErrno.EINVAL, k.Call(HypercallNumber.SetGdt, k.Args(0), DescriptorTables.FirstReservedGdtEntry + 1));
            Assert.Equal(-XenErrno.EFAULT, k.Call(HypercallNumber.SetGdt, Support.TestDomain.UnmappedAddress, 1));
            // Fourteen frames are the most, and all of them are read.
            ulong[] frames = new ulong[14];
            for (int i = 0; i < 14; i++)
                frames[i] = k.FreeFrame(i);
            Assert.Equal(0, SetGdt(k, DescriptorTables.FirstReservedGdtEntry, frames));
            Assert.Equal(14, k.Vcpu.GdtFrameCount);
        }
    }

    public class UpdateDescriptorTests
    {
        private const ulong FlatDataDpl0 = 0x00CF92000000FFFFUL;
        private const ulong FlatDataDpl3 = 0x00CFF2000000FFFFUL;

        [Fact]
        public void AnEntryOfTheCurrentGdtIsWrittenCheckedAndReloaded()
        {
            var k = new MmuKit();
            ulong f0 = k.FreeFrame(0), f1 = k.FreeFrame(1);
            for (int i = 0; i < 2; i++)
                k.T.Write64(k.Args(0) + (ulong)i * 8, i == 0 ? f0 : f1);
            Assert.Equal(0, k.Call(HypercallNumber.SetGdt, k.Args(0), 1024));
            var before = k.Snapshot();
            k.ClearPlatformCalls();

            Assert.Equal(0, k.Call(HypercallNumber.UpdateDescriptor, (f1 << 12) + 7 * 8, FlatDataDpl0));
            Assert.Equal(FlatDataDpl3, k.Entry(f1, 7));
            k.Platform.Verify(p => p.LoadGuestDescriptors(k.Vcpu, 512 + 7, 1), Times.Once());
            k.AssertSameAs(before);
        }

        [Fact]
        public void AnEntryOfAnotherVcpusGdtIsReloadedForThatVcpu()
        {
            // Another vCPU of the domain (maybe running on another CPU) has the frame in its GDT too, at
            // another place: each copy of the entry is reloaded, where its vCPU has it.
            var k = new MmuKit(vcpus: 2);
            ulong f0 = k.FreeFrame(0), f1 = k.FreeFrame(1);
            k.T.Write64(k.Args(0), f0);
            k.T.Write64(k.Args(0) + 8, f1);
            Assert.Equal(0, k.Call(HypercallNumber.SetGdt, k.Args(0), 1024));
            Vcpu sibling = k.Domain.Vcpus[1];
            sibling.GdtFrames[0] = f1;
            sibling.GdtFrameCount = 1;
            k.ClearPlatformCalls();

            Assert.Equal(0, k.Call(HypercallNumber.UpdateDescriptor, (f1 << 12) + 7 * 8, FlatDataDpl0));
            k.Platform.Verify(p => p.LoadGuestDescriptors(k.Vcpu, 512 + 7, 1), Times.Once());
            k.Platform.Verify(p => p.LoadGuestDescriptors(sibling, 7, 1), Times.Once());
            k.Platform.Verify(p => p.LoadGuestDescriptors(It.IsAny<Vcpu>(), It.IsAny<int>(), It.IsAny<int>()), Times.Exactly(2));
        }

        [Fact]
        public void AFrameInNoUseIsWrittenToo()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            var before = k.Snapshot();
            k.ClearPlatformCalls();
            Assert.Equal(0, k.Call(HypercallNumber.UpdateDescriptor, (frame << 12) + 8, FlatDataDpl0));
            Assert.Equal(FlatDataDpl3, k.Entry(frame, 1));
            k.Platform.Verify(p => p.LoadGuestDescriptors(It.IsAny<Vcpu>(), It.IsAny<int>(), It.IsAny<int>()), Times.Never());
            k.AssertSameAs(before);
        }

        [Fact]
        public void RefusalsAreEinval()
        {
            var k = new MmuKit();
            ulong frame = k.FreeFrame(0);
            ulong table = k.L1EntryAddress(k.SparePage(0)) >> 12;
            var before = k.Snapshot();
            Assert.Equal(-XenErrno.EINVAL, k.Call(HypercallNumber.UpdateDescriptor, (frame << 12) + 4, FlatDataDpl0));   // misaligned
            Assert.Equal(-XenErrno.EINVAL, k.Call(HypercallNumber.UpdateDescriptor, frame << 12, 0x0000E90000000067UL));   // a TSS
            Assert.Equal(-XenErrno.EINVAL, k.Call(HypercallNumber.UpdateDescriptor, table << 12, FlatDataDpl0));   // a page table
            Assert.Equal(-XenErrno.EINVAL, k.Call(HypercallNumber.UpdateDescriptor, 3UL << 12, FlatDataDpl0));    // not the domain's
            Assert.Equal(-XenErrno.EINVAL, k.Call(HypercallNumber.UpdateDescriptor, k.Frames.FrameCount << 12, FlatDataDpl0));   // beyond RAM
            Assert.Equal(0UL, k.Entry(frame, 0));
            k.AssertSameAs(before);
        }
    }
}
