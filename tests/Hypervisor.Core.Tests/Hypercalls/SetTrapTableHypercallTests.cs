using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    public class SetTrapTableHypercallTests
    {
        private static TrapInfo Trap(byte vector, ulong address, ushort cs = 0xE033, byte flags = 0) =>
            new TrapInfo { Vector = vector, Flags = flags, Cs = cs, Address = address };

        private static long SetTable(TestDomain t, params TrapInfo[] entries)
        {
            ulong at = t.Scratch;
            foreach (TrapInfo e in entries)
            {
                t.WriteStruct(at, e);
                at += 16;
            }

            return t.Hypercall(HypercallNumber.SetTrapTable, t.Scratch);
        }

        [Fact]
        public void EntriesAreStored_UpToTheZeroAddress()
        {
            var t = TestDomain.Create();
            long rc = SetTable(t,
                Trap(14, 0xFFFF_FFFF_8000_0100, 0xE033, 0),
                Trap(0x80, 0xFFFF_FFFF_8000_0200, 0xE033, 3 | TrapInfoFlags.DisableEvents),
                Trap(3, 0xFFFF_FFFF_8000_0300, 0xE033, 3),
                Trap(0, 0),
                Trap(6, 0xFFFF_FFFF_8000_0400));                 // after the terminator: ignored
            Assert.Equal(0, rc);

            TrapTableEntry pf = t.Vcpu.TrapTable[14];
            Assert.True(pf.IsSet);
            Assert.Equal(0xFFFF_FFFF_8000_0100UL, pf.Address);
            Assert.Equal(0xE033, pf.CodeSelector);
            Assert.Equal(0, pf.Flags);

            TrapTableEntry syscall80 = t.Vcpu.TrapTable[0x80];
            Assert.Equal(0xFFFF_FFFF_8000_0200UL, syscall80.Address);
            Assert.Equal(3 | TrapInfoFlags.DisableEvents, syscall80.Flags);
            Assert.Equal(0xFFFF_FFFF_8000_0300UL, t.Vcpu.TrapTable[3].Address);
            Assert.False(t.Vcpu.TrapTable[6].IsSet);
            Assert.False(t.Vcpu.TrapTable[0].IsSet);
        }

        [Fact]
        public void LaterCallsAddToTheTable()
        {
            var t = TestDomain.Create();
            Assert.Equal(0, SetTable(t, Trap(14, 0x1000), Trap(0, 0)));
            Assert.Equal(0, SetTable(t, Trap(13, 0x2000), Trap(0, 0)));
            Assert.Equal(0x1000UL, t.Vcpu.TrapTable[14].Address);
            Assert.Equal(0x2000UL, t.Vcpu.TrapTable[13].Address);
        }

        [Theory]
        [InlineData((ushort)0xE030, (ushort)0xE033)]   // ring 0 asked for: the guest kernel runs in ring 3
        [InlineData((ushort)0x0010, (ushort)0xE033)]
        [InlineData((ushort)0x0000, (ushort)0xE033)]
        [InlineData((ushort)0xE033, (ushort)0xE033)]
        [InlineData((ushort)0xE023, (ushort)0xE023)]   // ring 3 selectors are kept
        public void RingZeroCodeSelectors_BecomeTheFlatKernelSelector(ushort cs, ushort stored)
        {
            var t = TestDomain.Create();
            Assert.Equal(0, SetTable(t, Trap(13, 0x5000, cs), Trap(0, 0)));
            Assert.Equal(stored, t.Vcpu.TrapTable[13].CodeSelector);
        }

        [Fact]
        public void NullClearsTheWholeTable()
        {
            var t = TestDomain.Create();
            Assert.Equal(0, SetTable(t, Trap(14, 0x1000), Trap(255, 0x2000), Trap(0, 0)));
            Assert.Equal(0, t.Hypercall(HypercallNumber.SetTrapTable, 0));
            foreach (TrapTableEntry e in t.Vcpu.TrapTable)
            {
                Assert.False(e.IsSet);
                Assert.Equal(0, e.Flags);
            }
        }

        [Theory]
        [InlineData(0x0000_8000_0000_0000UL)]
        [InlineData(0x1234_5678_9ABC_DEF0UL)]
        public void NonCanonicalHandler_Einval(ulong address)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EINVAL, SetTable(t, Trap(14, address), Trap(0, 0)));
            Assert.False(t.Vcpu.TrapTable[14].IsSet);
        }

        [Fact]
        public void MissingTerminator_Einval()
        {
            var t = TestDomain.Create();
            var entries = new List<TrapInfo>();
            for (int i = 0; i < 2048; i++)
            {
                entries.Add(Trap((byte)i, 0xFFFF_FFFF_8000_0000UL + (ulong)i * 16));
            }

            Assert.Equal(-XenErrno.EINVAL, SetTable(t, entries.ToArray()));
        }

        [Fact]
        public void ListRunningIntoUnmappedMemory_Efault()
        {
            var t = TestDomain.Create();
            ulong at = t.Layout.MappedEnd - 32;
            t.WriteStruct(at, Trap(14, 0x1000));
            t.WriteStruct(at + 16, Trap(13, 0x2000));
            Assert.Equal(-XenErrno.EFAULT, t.Hypercall(HypercallNumber.SetTrapTable, at));
        }

        [Theory]
        [InlineData(TestDomain.UnmappedAddress)]
        [InlineData(0xFFFF_8000_0000_0000UL)]
        public void BadPointer_Efault(ulong pointer)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EFAULT, t.Hypercall(HypercallNumber.SetTrapTable, pointer));
            Assert.True(t.Domain.IsAlive);
        }
    }
}
