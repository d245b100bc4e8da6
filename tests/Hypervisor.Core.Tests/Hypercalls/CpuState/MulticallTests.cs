using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>multicall: a batch of hypercalls with a result per entry.</summary>
    public class MulticallTests
    {
        private const int EntrySize = 64;

        private static unsafe void WriteEntries(CpuStateGuest g, ulong at, params (ulong Op, ulong[] Args)[] calls)
        {
            for (int i = 0; i < calls.Length; i++)
            {
                var entry = new MulticallEntry { Op = calls[i].Op, Result = 0x5A5A_5A5A_5A5A_5A5AUL };
                for (int a = 0; a < calls[i].Args.Length; a++)
                    entry.Args[a] = calls[i].Args[a];
                g.T.WriteStruct(at + (ulong)(i * EntrySize), entry);
            }
        }

        private static long Result(CpuStateGuest g, ulong at, int index) =>
            (long)g.T.Read64(at + (ulong)(index * EntrySize) + 8);

        private static (ulong, ulong[]) C(int op, params ulong[] args) => ((ulong)op, args);

        [Fact]
        public void RunsEachEntryAndStoresEachResult()
        {
            var g = new CpuStateGuest();
            WriteEntries(g, g.Args,
                C(HypercallNumber.FpuTaskswitch, 1),
                C(HypercallNumber.VmAssist, VmAssistCommand.Enable, 6),          // bad type
                C(HypercallNumber.XenVersion, XenVersionCommand.Version),
                C(HypercallNumber.SetSegmentBase, SegmentBase.Fs, 0x7000));

            Assert.Equal(0, g.Call(HypercallNumber.Multicall, g.Args, 4));

            Assert.Equal(0, Result(g, g.Args, 0));
            Assert.Equal(-XenErrno.EINVAL, Result(g, g.Args, 1));
            Assert.Equal((4L << 16) | 17, Result(g, g.Args, 2));
            Assert.Equal(0, Result(g, g.Args, 3));
            Assert.True(g.Vcpu.TaskSwitched);
            Assert.Equal(0x7000UL, g.Vcpu.FsBase);
        }

        [Fact]
        public unsafe void OnlyTheResultFieldIsWritten()
        {
            var g = new CpuStateGuest();
            WriteEntries(g, g.Args, C(HypercallNumber.FpuTaskswitch, 0, 11, 22, 33, 44, 55));
            byte[] before = g.T.Read(g.Args, EntrySize);

            Assert.Equal(0, g.Call(HypercallNumber.Multicall, g.Args, 1));

            byte[] after = g.T.Read(g.Args, EntrySize);
            for (int i = 0; i < EntrySize; i++)
            {
                if (i < 8 || i >= 16)
                    Assert.Equal(before[i], after[i]);
            }
            Assert.Equal(0, Result(g, g.Args, 0));
        }

        [Fact]
        public void UnknownOrUnimplementedOpsGiveEnosysInTheirEntry()
        {
            var g = new CpuStateGuest();
            WriteEntries(g, g.Args, C(60), C(1000), C(HypercallNumber.XenoprofOp), C(HypercallNumber.FpuTaskswitch, 1));
            Assert.Equal(0, g.Call(HypercallNumber.Multicall, g.Args, 4));
            Assert.Equal(-XenErrno.ENOSYS, Result(g, g.Args, 0));
            Assert.Equal(-XenErrno.ENOSYS, Result(g, g.Args, 1));
            Assert.Equal(-XenErrno.ENOSYS, Result(g, g.Args, 2));
            Assert.Equal(0, Result(g, g.Args, 3));
        }

        [Fact]
        public void NestedMulticallFailsInItsEntryAndTheBatchGoesOn()
        {
            var g = new CpuStateGuest();
            WriteEntries(g, g.Data, C(HypercallNumber.FpuTaskswitch, 0));
            WriteEntries(g, g.Args, C(HypercallNumber.Multicall, g.Data, 1), C(HypercallNumber.FpuTaskswitch, 1));
            g.Vcpu.TaskSwitched = true;

            Assert.Equal(0, g.Call(HypercallNumber.Multicall, g.Args, 2));

            Assert.Equal(-XenErrno.EINVAL, Result(g, g.Args, 0));
            Assert.Equal(0x5A5A_5A5A_5A5A_5A5AL, Result(g, g.Data, 0));   // the inner batch never ran
            Assert.Equal(0, Result(g, g.Args, 1));
        }

        [Fact]
        public void IretIsRefusedAndEndsTheBatch()
        {
            var g = new CpuStateGuest();
            WriteEntries(g, g.Args, C(HypercallNumber.FpuTaskswitch, 1), C(HypercallNumber.Iret), C(HypercallNumber.FpuTaskswitch, 0));
            GuestRegisters before = g.Regs;

            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.Multicall, g.Args, 3));

            Assert.Equal(0, Result(g, g.Args, 0));
            Assert.Equal(-XenErrno.EINVAL, Result(g, g.Args, 1));
            Assert.Equal(0x5A5A_5A5A_5A5A_5A5AL, Result(g, g.Args, 2));
            Assert.True(g.Vcpu.TaskSwitched);
            Assert.Equal(before.Rip, g.Regs.Rip);
            Assert.Equal(before.Rsp, g.Regs.Rsp);
            Assert.True(g.Vcpu.InKernelMode);
        }

        [Fact]
        public void ABatchThatShutsTheDomainDownStopsThere()
        {
            var g = new CpuStateGuest();
            g.T.WriteStruct(g.Data, new SchedShutdown { Reason = ShutdownReason.Poweroff });
            WriteEntries(g, g.Args, C(HypercallNumber.SchedOp, SchedOp.Shutdown, g.Data), C(HypercallNumber.FpuTaskswitch, 1));

            Assert.Equal(0, g.Call(HypercallNumber.Multicall, g.Args, 2));

            Assert.Equal(0, Result(g, g.Args, 0));
            Assert.Equal(DomainState.ShutDown, g.Domain.State);
            Assert.Equal(0x5A5A_5A5A_5A5A_5A5AL, Result(g, g.Args, 1));
            Assert.False(g.Vcpu.TaskSwitched);
        }

        [Fact]
        public void EmptyBatchSucceeds()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.Multicall, TestDomain.UnmappedAddress, 0));
        }

        [Fact]
        public void TheCountIs32Bits()
        {
            var g = new CpuStateGuest();
            WriteEntries(g, g.Args, C(HypercallNumber.FpuTaskswitch, 1), C(HypercallNumber.FpuTaskswitch, 0));
            Assert.Equal(0, g.Call(HypercallNumber.Multicall, g.Args, (1UL << 32) | 1));
            Assert.True(g.Vcpu.TaskSwitched);   // only the first entry ran
            Assert.Equal(0x5A5A_5A5A_5A5A_5A5AL, Result(g, g.Args, 1));
        }

        [Fact]
        public void UnreadableEntryStopsTheBatchWithEfault()
        {
            var g = new CpuStateGuest();
            // Two entries in the last mapped page, the third would be past the mapping.
            ulong at = g.T.Layout.MappedEnd - 2 * EntrySize;
            WriteEntries(g, at, C(HypercallNumber.FpuTaskswitch, 1), C(HypercallNumber.FpuTaskswitch, 0));

            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.Multicall, at, 3));

            Assert.Equal(0, Result(g, at, 0));
            Assert.Equal(0, Result(g, at, 1));
            Assert.False(g.Vcpu.TaskSwitched);
        }

        [Fact]
        public void ListWhereNoResultCanBeWrittenIsEfault()
        {
            var g = new CpuStateGuest();
            // The bootstrap page tables are mapped read-only: entries can be read, results not written.
            ulong at = g.T.Layout.PageTablesStart;
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.Multicall, at, 1));
        }

        [Theory]
        [InlineData(0xFFFF_8000_0000_0000UL)]
        [InlineData(0x0000_8000_0000_0000UL)]
        public void ListOutsideGuestSpaceIsEfaultBeforeAnythingRuns(ulong at)
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.Multicall, at, 1));
        }

        [Fact]
        public void SyscallPathPutsTheBatchResultInRax()
        {
            var g = new CpuStateGuest();
            WriteEntries(g, g.Args, C(HypercallNumber.FpuTaskswitch, 1));
            Assert.Equal(0, g.T.SyscallHypercall(HypercallNumber.Multicall, g.Args, 1));
            Assert.True(g.Vcpu.TaskSwitched);
        }
    }
}
