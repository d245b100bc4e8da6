using Hypervisor.Abi;
using Hypervisor.Core.Grants;
using Xunit;

namespace Hypervisor.Core.Tests.Grants
{
    /// <summary>grant_table_op as a whole and its table commands: setup_table, query_size, versions,
    /// get_status_frames, swap_grant_ref, cache_flush, and the errors of the call itself.</summary>
    public class GrantTableOpTests
    {
        private static long SetupTable(GrantKit k, uint frames, ulong list, out short status, ushort dom = DomainId.Self)
        {
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabSetupTable { Dom = dom, NrFrames = frames, FrameList = list, Status = short.MinValue });
            long rc = k.Op(k.Dom0, GrantTableOp.SetupTable, k.Args(k.Dom0), 1);
            status = k.Read<GnttabSetupTable>(k.Dom0, k.Args(k.Dom0)).Status;
            return rc;
        }

        private static long QuerySize(GrantKit k, ushort dom, out GnttabQuerySize result)
        {
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabQuerySize { Dom = dom, Status = short.MinValue });
            long rc = k.Op(k.Dom0, GrantTableOp.QuerySize, k.Args(k.Dom0), 1);
            result = k.Read<GnttabQuerySize>(k.Dom0, k.Args(k.Dom0));
            return rc;
        }

        [Fact]
        public void ATableGrowsToItsOwnLimitAndNoFurther()
        {
            var k = new GrantKit();
            k.Dom0.Grants.SetLimits(2, GrantTable.MaxMaptrackFrames);
            Assert.Equal(0, QuerySize(k, DomainId.Self, out GnttabQuerySize q));
            Assert.Equal(1u, q.NrFrames);
            Assert.Equal(2u, q.MaxNrFrames);
            ulong list = k.Args(k.Dom0, 1);
            Assert.Equal(0, SetupTable(k, 2, list, out short status));
            Assert.Equal(GrantStatus.Okay, status);
            Assert.Equal(0, SetupTable(k, 3, list, out status));
            Assert.Equal(GrantStatus.GeneralError, status);
            Assert.Equal(2u, k.Dom0.Grants.FrameCount);
        }

        [Fact]
        public void QuerySizeOfAFreshTableIsOneFrameOf64()
        {
            var k = new GrantKit();
            Assert.Equal(0, QuerySize(k, DomainId.Self, out GnttabQuerySize q));
            Assert.Equal(GrantStatus.Okay, q.Status);
            Assert.Equal(1u, q.NrFrames);
            Assert.Equal(64u, q.MaxNrFrames);
            Assert.Equal(0, QuerySize(k, 0, out q));
            Assert.Equal(GrantStatus.Okay, q.Status);
            Assert.Equal(0, QuerySize(k, 7, out q));
            Assert.Equal(GrantStatus.BadDomain, q.Status);
            Assert.Equal(0, QuerySize(k, DomainId.Xen, out q));
            Assert.Equal(GrantStatus.BadDomain, q.Status);
        }

        [Theory]
        [InlineData(GrantTableOp.QuerySize, 0u)]
        [InlineData(GrantTableOp.QuerySize, 2u)]
        [InlineData(GrantTableOp.SetupTable, 0u)]
        [InlineData(GrantTableOp.SetupTable, 2u)]
        [InlineData(GrantTableOp.GetStatusFrames, 2u)]
        [InlineData(GrantTableOp.MapGrantRef, 0x80000000u)]
        [InlineData(13, 0xFFFFFFFFu)]
        public void CountsOtherThanOneOrNegativeAreEinval(int command, uint count)
        {
            var k = new GrantKit();
            Assert.Equal(-XenErrno.EINVAL, k.Op(k.Dom0, command, k.Args(k.Dom0), count));
        }

        [Theory]
        [InlineData(13)]
        [InlineData(0xFFF)]
        [InlineData(GrantTableOp.DumpTable)]
        [InlineData(GrantTableOp.Transfer)]
        public void UnknownAndUnsupportedCommandsAreEnosys(int command)
        {
            var k = new GrantKit();
            Assert.Equal(-XenErrno.ENOSYS, k.Op(k.Dom0, command, k.Args(k.Dom0), 1));
        }

        [Fact]
        public void CommandBitsAbove12AreEinvalExceptForCacheFlush()
        {
            var k = new GrantKit();
            Assert.Equal(-XenErrno.EINVAL, k.Op(k.Dom0, GrantTableOp.QuerySize | (1 << 12), k.Args(k.Dom0), 1));
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.CacheFlush | (5 << 12), k.Args(k.Dom0), 0));
        }

        [Theory]
        [InlineData(GrantTableOp.MapGrantRef)]
        [InlineData(GrantTableOp.UnmapGrantRef)]
        [InlineData(GrantTableOp.UnmapAndReplace)]
        [InlineData(GrantTableOp.Copy)]
        [InlineData(GrantTableOp.SwapGrantRef)]
        [InlineData(GrantTableOp.CacheFlush)]
        public void BatchedCommandsJudgeTheArrayFirst(int command)
        {
            var k = new GrantKit();
            Assert.Equal(0, k.Op(k.Dom0, command, GrantKit.UnmappedAddress, 0));
            Assert.Equal(-XenErrno.EFAULT, k.Op(k.Dom0, command, GrantKit.UnmappedAddress, 1));
            Assert.Equal(-XenErrno.EFAULT, k.Op(k.Dom0, command, 0x0000800000000000UL, 0));
            Assert.Equal(-XenErrno.EFAULT, k.Op(k.Dom0, command, AddressSpaceLayout.MachToPhysVirtStart, 0));
        }

        [Theory]
        [InlineData(GrantTableOp.SetupTable)]
        [InlineData(GrantTableOp.QuerySize)]
        [InlineData(GrantTableOp.GetVersion)]
        [InlineData(GrantTableOp.SetVersion)]
        [InlineData(GrantTableOp.GetStatusFrames)]
        public void UnreadableSingleOperationsAreEfault(int command)
        {
            var k = new GrantKit();
            Assert.Equal(-XenErrno.EFAULT, k.Op(k.Dom0, command, GrantKit.UnmappedAddress, 1));
        }

        [Fact]
        public void VersionIsOneAndOnlyOne()
        {
            var k = new GrantKit();
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabGetVersion { Dom = DomainId.Self, Version = 77 });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.GetVersion, k.Args(k.Dom0), 0));
            Assert.Equal(1u, k.Read<GnttabGetVersion>(k.Dom0, k.Args(k.Dom0)).Version);
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabGetVersion { Dom = 7 });
            Assert.Equal(-XenErrno.ESRCH, k.Op(k.Dom0, GrantTableOp.GetVersion, k.Args(k.Dom0), 1));

            foreach (uint version in new uint[] { 0, 2, 3 })
            {
                k.Write(k.Dom0, k.Args(k.Dom0), new GnttabSetVersion { Version = version });
                Assert.Equal(-XenErrno.EINVAL, k.Op(k.Dom0, GrantTableOp.SetVersion, k.Args(k.Dom0), 1));
                Assert.Equal(1u, k.Read<GnttabSetVersion>(k.Dom0, k.Args(k.Dom0)).Version);
            }
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabSetVersion { Version = 1 });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.SetVersion, k.Args(k.Dom0), 3));
        }

        [Fact]
        public void SetupTableGrowsTheTableAndListsItsFrames()
        {
            var k = new GrantKit();
            ulong list = k.Args(k.Dom0, 1);
            k.Write(k.Dom0, list + 16, ulong.MaxValue);
            Assert.Equal(0, SetupTable(k, 2, list, out short status));
            Assert.Equal(GrantStatus.Okay, status);
            Assert.Equal(2u, k.Dom0.Grants.FrameCount);
            Assert.Equal(k.Dom0.Grants.FrameAt(0), k.Read<ulong>(k.Dom0, list));
            Assert.Equal(k.Dom0.Grants.FrameAt(1), k.Read<ulong>(k.Dom0, list + 8));
            Assert.Equal(ulong.MaxValue, k.Read<ulong>(k.Dom0, list + 16));
            // Smaller asks leave it as it is; only the status is written back.
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabSetupTable { Dom = DomainId.Self, NrFrames = 1, FrameList = list, Status = 55 });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.SetupTable, k.Args(k.Dom0), 1));
            var op = k.Read<GnttabSetupTable>(k.Dom0, k.Args(k.Dom0));
            Assert.Equal(GrantStatus.Okay, op.Status);
            Assert.Equal(1u, op.NrFrames);
            Assert.Equal(2u, k.Dom0.Grants.FrameCount);
        }

        [Fact]
        public void SetupTableErrorsInXensOrder()
        {
            var k = new GrantKit();
            ulong list = k.Args(k.Dom0, 1);
            Assert.Equal(0, SetupTable(k, 65, list, out short status));
            Assert.Equal(GrantStatus.GeneralError, status);
            Assert.Equal(0, SetupTable(k, 65, list, out status, 7));
            Assert.Equal(GrantStatus.BadDomain, status);
            Assert.Equal(0, SetupTable(k, 1, GrantKit.UnmappedAddress, out status));
            Assert.Equal(GrantStatus.BadVirtAddr, status);
            Assert.Equal(0, SetupTable(k, 0, GrantKit.UnmappedAddress, out status));
            Assert.Equal(GrantStatus.Okay, status);
            Assert.Equal(-XenErrno.EFAULT, SetupTable(k, 0, AddressSpaceLayout.MachToPhysVirtStart, out _));
            Assert.Equal(-XenErrno.EFAULT, SetupTable(k, 65, 0x0000800000000000UL, out _));
        }

        [Fact]
        public void GetStatusFramesHasNoneInVersion1()
        {
            var k = new GrantKit();
            ulong at = k.Args(k.Dom0);
            k.Write(k.Dom0, at, new GnttabGetStatusFrames { NrFrames = 1, Dom = DomainId.Self, FrameList = k.Args(k.Dom0, 1), Status = short.MinValue });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.GetStatusFrames, at, 1));
            Assert.Equal(GrantStatus.GeneralError, k.Read<GnttabGetStatusFrames>(k.Dom0, at).Status);
            k.Write(k.Dom0, at, new GnttabGetStatusFrames { NrFrames = 0, Dom = DomainId.Self, FrameList = GrantKit.UnmappedAddress, Status = short.MinValue });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.GetStatusFrames, at, 1));
            Assert.Equal(GrantStatus.Okay, k.Read<GnttabGetStatusFrames>(k.Dom0, at).Status);
            k.Write(k.Dom0, at, new GnttabGetStatusFrames { NrFrames = 0, Dom = 7, Status = short.MinValue });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.GetStatusFrames, at, 1));
            Assert.Equal(GrantStatus.BadDomain, k.Read<GnttabGetStatusFrames>(k.Dom0, at).Status);
        }

        private static short Swap(GrantKit k, uint a, uint b)
        {
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabSwapGrantRef { RefA = a, RefB = b, Status = short.MinValue });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.SwapGrantRef, k.Args(k.Dom0), 1));
            return k.Read<GnttabSwapGrantRef>(k.Dom0, k.Args(k.Dom0)).Status;
        }

        [Fact]
        public void SwapExchangesEntriesNotInUse()
        {
            var k = new GrantKit();
            ulong p = k.FreeFrame(k.Dom0, 0), q = k.FreeFrame(k.Dom0, 1);
            k.Grant(k.Dom0, 8, 0, p);
            k.Grant(k.Dom0, 9, 1, q, GrantFlags.PermitAccess | GrantFlags.ReadOnly);
            Assert.Equal(GrantStatus.Okay, Swap(k, 8, 9));
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.ReadOnly, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(1, k.Ram.Read16(k.EntryAddress(k.Dom0, 8) + 2));
            Assert.Equal((uint)q, k.Ram.Read32(k.EntryAddress(k.Dom0, 8) + 4));
            Assert.Equal((uint)p, k.Ram.Read32(k.EntryAddress(k.Dom0, 9) + 4));

            Assert.Equal(GrantStatus.Okay, Swap(k, 9, 9));
            Assert.Equal(GrantStatus.BadGntref, Swap(k, 9, 512));
            Assert.Equal(GrantStatus.BadGntref, Swap(k, 512, 512));
            k.Dom0.Grants.AddPin(9, ActiveGrant.HostRead, 0, p);
            Assert.Equal(GrantStatus.Eagain, Swap(k, 8, 9));
            Assert.Equal(GrantStatus.Eagain, Swap(k, 9, 8));
            Assert.Equal(GrantStatus.Okay, Swap(k, 9, 9));
        }

        private static long Flush(GrantKit k, ulong address, ushort offset, ushort length, uint op, Hypervisor.Core.Domains.Domain d = null)
        {
            d = d ?? k.Dom0;
            k.Write(d, k.Args(d), new GnttabCacheFlush { DevBusAddr = address, Offset = offset, Length = length, Op = op });
            return k.Op(d, GrantTableOp.CacheFlush, k.Args(d), 1);
        }

        [Fact]
        public void CacheFlushChecksWhatXenChecks()
        {
            var k = new GrantKit();
            const uint Clean = GnttabCacheFlush.OpClean, Inval = GnttabCacheFlush.OpInvalidate;
            ulong p = k.FreeFrame(k.Dom0, 0) << 12;
            Assert.Equal(0, Flush(k, p, 0, 8, Clean));
            Assert.Equal(0, Flush(k, p, 0, 8, Clean | Inval));
            Assert.Equal(-XenErrno.EOPNOTSUPP, Flush(k, p, 0, 8, Inval));
            Assert.Equal(0, Flush(k, p, 4095, 1, Clean));
            Assert.Equal(0, Flush(k, p, 0, 0, Clean));
            Assert.Equal(0, Flush(k, p, 0, 8, 0));
            Assert.Equal(-XenErrno.EINVAL, Flush(k, p, 0, 0, 4));
            Assert.Equal(-XenErrno.EINVAL, Flush(k, p, 0, 8, Clean | GnttabCacheFlush.OpSourceGref));
            Assert.Equal(-XenErrno.EINVAL, Flush(k, p, 4096, 0, Clean));
            Assert.Equal(-XenErrno.EINVAL, Flush(k, p, 4000, 100, Clean));
            Assert.Equal(-XenErrno.EINVAL, Flush(k, p, 0, 4097, Clean));
            Assert.Equal(-XenErrno.EINVAL, Flush(k, 0xFFFFFFFUL << 12, 0, 8, Clean));
            Assert.Equal(-XenErrno.EPERM, Flush(k, k.Host.MachineToPhys.BaseAddress, 0, 8, Inval));
        }

        [Fact]
        public void CacheFlushOfAnotherDomainsFrameNeedsAGrantOfIt()
        {
            var k = new GrantKit();
            var d1 = k.AddDomain(1);
            ulong frame = k.FreeFrame(d1, 0);
            Assert.Equal(-XenErrno.EINVAL, Flush(k, frame << 12, 0, 8, GnttabCacheFlush.OpClean));
            k.Grant(d1, 8, 0, frame);
            uint handle = k.MapOk(k.Dom0, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 1, 8);
            Assert.Equal(0, Flush(k, frame << 12, 0, 8, GnttabCacheFlush.OpClean));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, 0, frame << 12, handle));
            Assert.Equal(-XenErrno.EINVAL, Flush(k, frame << 12, 0, 8, GnttabCacheFlush.OpClean));
        }
    }
}
