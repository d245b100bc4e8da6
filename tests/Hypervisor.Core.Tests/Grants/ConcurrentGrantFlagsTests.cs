using Hypervisor.Abi;
using Hypervisor.Core.Grants;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Grants
{
    /// <summary>
    /// The granter may revoke an entry (its own compare-exchange of the flags) on another CPU at the very
    /// moment the hypervisor takes it for a mapping or a copy: as in Xen, the flags and grantee are judged
    /// and GTF_reading/GTF_writing set in one compare-exchange, so either the granter's revocation wins
    /// (and the use is refused) or the granter sees the entry in use.
    /// </summary>
    public class ConcurrentGrantFlagsTests
    {
        private static (GrantKit K, Host H, ConcurrentGuestMemory M, GrantTable Table, ulong Frame) New()
        {
            var k = new GrantKit();
            var memory = new ConcurrentGuestMemory(k.Ram);
            var host = new Host(memory, k.Host.Frames, k.Host.Log, k.Host.Platform) { FrameTable = k.Host.FrameTable };
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 0, frame);
            return (k, host, memory, k.Dom0.Grants, frame);
        }

        [Fact]
        public void TheUseIsMarkedWithOneCompareExchangeOfFlagsAndGrantee()
        {
            var (k, h, m, table, frame) = New();
            ulong entry = table.EntryAddress(8);
            Assert.Equal(GrantStatus.Okay, table.Acquire(h, 0, 8, 0, false, true, out ulong got));
            Assert.Equal(frame, got);
            Assert.Contains(entry, m.IndivisibleOperations);
            Assert.DoesNotContain(entry, m.PlainWrites);
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Reading | GrantFlags.Writing, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void ARevocationThatGetsThereFirstWins()
        {
            var (k, h, m, table, _) = New();
            m.GuestGetsThereFirst = (ram, address) => ram.Write16(address, 0);   // the granter's end_access

            Assert.Equal(GrantStatus.GeneralError, table.Acquire(h, 0, 8, 0, true, true, out _));
            Assert.Equal(0, k.FlagsOf(k.Dom0, 8));                  // never marked in use behind its back
        }

        [Fact]
        public void AHarmlessChangeOfTheEntryIsRetried()
        {
            var (k, h, m, table, _) = New();
            m.GuestGetsThereFirst = (ram, address) => ram.Write16(address, (ushort)(ram.Read16(address) | GrantFlags.Reading));

            Assert.Equal(GrantStatus.Okay, table.Acquire(h, 0, 8, 0, true, true, out _));
            Assert.True(m.IndivisibleOperations.Count >= 2);
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Reading, k.FlagsOf(k.Dom0, 8));
        }

        [Fact]
        public void AFrameTheOwnerDoesNotOwnIsRefusedWithTheFlagsPutBack()
        {
            var (k, h, m, table, _) = New();
            k.Grant(k.Dom0, 11, 0, k.Host.MachineToPhys.BaseAddress >> 12);
            Assert.Equal(GrantStatus.BadPage, table.Acquire(h, 0, 11, 0, false, true, out _));
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 11));
            Assert.DoesNotContain(table.EntryAddress(11), m.PlainWrites);
        }
    }
}
