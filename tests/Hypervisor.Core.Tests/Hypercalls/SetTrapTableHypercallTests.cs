using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls.Handlers;
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

        private const ulong KernelRip = 0xFFFF_FFFF_8000_1010UL;

        /// <summary>Makes set_trap_table as the guest does (its own SYSCALL) and, while the hypervisor
        /// sends it back to the SYSCALL to continue, executes the SYSCALL again; returns RAX at the end
        /// and how many times the call was made.</summary>
        private static long DirectCall(TestDomain t, ulong list, out int calls)
        {
            t.SetKernelRegisters(KernelRip, t.Scratch - 8);
            t.SyscallHypercall(HypercallNumber.SetTrapTable, list);
            calls = 1;
            ref GuestRegisters r = ref t.Vcpu.Registers;
            while (r.Rip == KernelRip - 2)
            {
                Assert.Equal((ulong)HypercallNumber.SetTrapTable, r.Rax);
                r.Rip = KernelRip;   // what the SYSCALL at KernelRip - 2 leaves
                r.Vector = GuestRegisters.SyscallVector;
                GuestTrapHandler.Handle(t.Vcpu, 0);
                calls++;
            }
            Assert.Equal(KernelRip, r.Rip);
            return (long)r.Rax;
        }

        private static void WriteLongList(TestDomain t, ulong at, int count, bool terminated)
        {
            for (int i = 0; i < count; i++)
                t.WriteStruct(at + (ulong)i * 16, Trap((byte)i, 0xFFFF_FFFF_8000_0000UL + (ulong)i * 16));
            if (terminated)
                t.WriteStruct(at + (ulong)count * 16, Trap(0, 0));
        }

        [Fact]
        public void DirectCall_ListOfAnyLength_IsTakenInPieces()
        {
            // Xen takes a list of any length (preempting itself as it goes); later entries for a vector
            // replace earlier ones.
            var t = TestDomain.Create();
            WriteLongList(t, t.Scratch, 600, true);

            t.SetKernelRegisters(KernelRip, t.Scratch - 8);
            t.SyscallHypercall(HypercallNumber.SetTrapTable, t.Scratch);
            ref GuestRegisters r = ref t.Vcpu.Registers;
            Assert.Equal(KernelRip - 2, r.Rip);
            Assert.Equal(t.Scratch + SetTrapTableHypercall.EntriesPerPiece * 16UL, r.Rdi);

            Assert.Equal(0, DirectCall(t, t.Scratch, out int calls));
            Assert.Equal(3, calls);
            Assert.Equal(0xFFFF_FFFF_8000_0000UL + 599 * 16, t.Vcpu.TrapTable[599 - 512].Address);
            Assert.Equal(0xFFFF_FFFF_8000_0000UL + 356 * 16, t.Vcpu.TrapTable[356 - 256].Address);
            Assert.Equal(0xFFFF_FFFF_8000_0000UL + 511 * 16, t.Vcpu.TrapTable[255].Address);
        }

        [Fact]
        public void DirectCall_ShortList_IsNotContinued()
        {
            var t = TestDomain.Create();
            WriteLongList(t, t.Scratch, SetTrapTableHypercall.EntriesPerPiece - 1, true);
            Assert.Equal(0, DirectCall(t, t.Scratch, out int calls));
            Assert.Equal(1, calls);
        }

        [Fact]
        public void DirectCall_ListWithoutTerminator_EndsAtUnmappedMemory()
        {
            var t = TestDomain.Create();
            ulong at = t.Layout.MappedEnd - 700 * 16;
            WriteLongList(t, at, 700, false);
            Assert.Equal(-XenErrno.EFAULT, DirectCall(t, at, out int calls));
            Assert.Equal(3, calls);
        }

        [Fact]
        public void DirectCall_BadEntryInALaterPiece_Einval()
        {
            var t = TestDomain.Create();
            WriteLongList(t, t.Scratch, 400, true);
            t.WriteStruct(t.Scratch + 300 * 16, Trap(7, 0x0000_8000_0000_0000UL));
            Assert.Equal(-XenErrno.EINVAL, DirectCall(t, t.Scratch, out int calls));
            Assert.Equal(2, calls);
        }

        [Theory]
        [InlineData(SetTrapTableHypercall.MulticallLimit - 1, 0L)]
        [InlineData(SetTrapTableHypercall.MulticallLimit + 100, -XenErrno.EINVAL)]
        public unsafe void InsideAMulticall_TheListIsTakenWhole_UpToTheLimit(int count, long expected)
        {
            // A multicall entry cannot be continued part-way here: the list is taken in one go, and one
            // longer than the limit is refused.
            var t = TestDomain.Create();
            WriteLongList(t, t.Scratch, count, true);
            ulong entryAt = TestDomain.RoundUp(t.Scratch + (ulong)(count + 1) * 16, 64);
            var entry = new MulticallEntry { Op = HypercallNumber.SetTrapTable };
            entry.Args[0] = t.Scratch;
            t.WriteStruct(entryAt, entry);

            t.SetKernelRegisters(KernelRip, t.Scratch - 8);
            Assert.Equal(0, t.SyscallHypercall(HypercallNumber.Multicall, entryAt, 1));
            Assert.Equal(KernelRip, t.Vcpu.Registers.Rip);
            Assert.Equal(expected, (long)t.Read64(entryAt + 8));
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
