using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Grants
{
    /// <summary>
    /// Dom0 built by <see cref="TestDomain"/> (privileged), and on request more domains built on the same
    /// host with the same kernel, with what the grant tests need: grant_table_op calls as any vCPU,
    /// entries written straight into a granter's table, free addresses for mappings (spare pages of the
    /// bootstrap region whose L1 entry was cleared), frames nothing maps (for grants), and snapshots of
    /// every frame's counts to prove an operation and its undoing leave nothing behind.
    /// </summary>
    internal sealed class GrantKit
    {
        public const ulong PageSize = 4096;
        public const ulong UnmappedAddress = TestDomain.UnmappedAddress;

        public GrantKit(ulong pages = 2048)
        {
            T = TestDomain.Create(o => o.Pages = pages);
        }

        public TestDomain T { get; }
        public Domain Dom0 => T.Domain;
        public Vcpu V0 => T.Vcpu;
        public Host Host => T.Host;
        public FrameTable Frames => T.Host.FrameTable;
        public FakeMemory Ram => T.Memory;
        public Moq.Mock<HostPlatform> Platform => T.Platform;

        private readonly Dictionary<Domain, PvLayout> layouts = new Dictionary<Domain, PvLayout>();

        /// <summary>Another domain on the same host (built like dom0, from the same kernel module).</summary>
        public Domain AddDomain(ushort id, bool privileged = false, ulong pages = 2048)
        {
            PvDomainBuilder b = PvDomainBuilder.Build(Host, id, privileged, T.KernelAddress, (ulong)T.KernelBytes.Length, 0, 0,
                                                      System.Text.Encoding.ASCII.GetBytes("second"), pages);
            Assert.True(b.Succeeded, $"second domain: {b.Problem} ({b.ProblemValue})");
            layouts[b.Domain] = b.Layout;
            return b.Domain;
        }

        public PvLayout LayoutOf(Domain d) => d == Dom0 ? T.Layout : layouts[d];

        // ---- Guest memory of any domain (through its vCPU 0's current tables) ----

        /// <summary>Argument space: page <paramref name="page"/> (0..63) of the padding after the stack.</summary>
        public ulong Args(Domain d, int page = 0) => LayoutOf(d).StackEnd + (ulong)page * PageSize;

        public void Write<T>(Domain d, ulong va, T value) where T : unmanaged =>
            Assert.True(GuestMemory.TryWrite(d.Vcpus[0], va, in value), $"write at 0x{va:x}");

        public T Read<T>(Domain d, ulong va) where T : unmanaged
        {
            Assert.True(GuestMemory.TryRead(d.Vcpus[0], va, out T value), $"read at 0x{va:x}");
            return value;
        }

        /// <summary>A page of the domain that nothing maps or uses (0..).</summary>
        public ulong FreeFrame(Domain d, int index) => d.PhysToMachine[(int)LayoutOf(d).MappedPages + index];

        /// <summary>A mapped, unused page near the end of the bootstrap region (0..15).</summary>
        public ulong SparePage(Domain d, int index) => LayoutOf(d).MappedEnd - (ulong)(index + 1) * PageSize;

        public ulong L1EntryAddress(Domain d, ulong va)
        {
            Assert.True(Host.PageWalk.TryFindL1Entry(d.Vcpus[0].KernelTableFrame, va, out ulong entry), $"no L1 for 0x{va:x}");
            return entry;
        }

        public ulong Pte(Domain d, ulong va) => Ram.Read64(L1EntryAddress(d, va));

        /// <summary>A free address whose L1 entry exists: spare page <paramref name="index"/>, unmapped.</summary>
        public ulong Window(Domain d, int index)
        {
            ulong va = SparePage(d, index);
            Assert.Equal(0, Frames.UpdateL1Entry(d.Id, L1EntryAddress(d, va), 0));
            return va;
        }

        // ---- Grant entries, written as the granter would ----

        public ulong EntryAddress(Domain granter, uint reference)
        {
            Assert.True(granter.Grants.EnsureFrames(granter, 1));
            return granter.Grants.EntryAddress(reference);
        }

        public void Grant(Domain granter, uint reference, ushort grantee, ulong frame, ushort flags = GrantFlags.PermitAccess)
        {
            ulong at = EntryAddress(granter, reference);
            Ram.Write16(at + 2, grantee);
            Ram.Write32(at + 4, (uint)frame);
            Ram.Write16(at, flags);
        }

        public ushort FlagsOf(Domain granter, uint reference) => Ram.Read16(EntryAddress(granter, reference));

        // ---- grant_table_op ----

        public long Op(Domain d, int command, ulong ops, uint count)
        {
            var args = new HypercallArguments((uint)command, ops, count, 0, 0);
            return HypercallDispatcher.Invoke(d.Vcpus[0], HypercallNumber.GrantTableOp, in args);
        }

        public long Map(Domain d, ulong hostAddress, uint flags, ushort granter, uint reference, out GnttabMapGrantRef result)
        {
            var op = new GnttabMapGrantRef { HostAddr = hostAddress, Flags = flags, Ref = reference, Dom = granter, Status = short.MinValue };
            Write(d, Args(d), op);
            long rc = Op(d, GrantTableOp.MapGrantRef, Args(d), 1);
            result = Read<GnttabMapGrantRef>(d, Args(d));
            return rc;
        }

        /// <summary>A map that must succeed; its handle.</summary>
        public uint MapOk(Domain d, ulong hostAddress, uint flags, ushort granter, uint reference)
        {
            Assert.Equal(0, Map(d, hostAddress, flags, granter, reference, out GnttabMapGrantRef op));
            Assert.Equal(GrantStatus.Okay, op.Status);
            return op.Handle;
        }

        public short Unmap(Domain d, ulong hostAddress, ulong devBusAddress, uint handle)
        {
            Write(d, Args(d), new GnttabUnmapGrantRef { HostAddr = hostAddress, DevBusAddr = devBusAddress, Handle = handle, Status = short.MinValue });
            Assert.Equal(0, Op(d, GrantTableOp.UnmapGrantRef, Args(d), 1));
            return Read<GnttabUnmapGrantRef>(d, Args(d)).Status;
        }

        public short UnmapAndReplace(Domain d, ulong hostAddress, ulong newAddress, uint handle)
        {
            Write(d, Args(d), new GnttabUnmapAndReplace { HostAddr = hostAddress, NewAddr = newAddress, Handle = handle, Status = short.MinValue });
            Assert.Equal(0, Op(d, GrantTableOp.UnmapAndReplace, Args(d), 1));
            return Read<GnttabUnmapAndReplace>(d, Args(d)).Status;
        }

        public short Copy(Domain d, GnttabCopy op)
        {
            op.Status = short.MinValue;
            Write(d, Args(d), op);
            Assert.Equal(0, Op(d, GrantTableOp.Copy, Args(d), 1));
            return Read<GnttabCopy>(d, Args(d)).Status;
        }

        public static GnttabCopy Frames2Frames(ulong source, ulong dest, ushort length, ushort sourceOffset = 0, ushort destOffset = 0) => new GnttabCopy
        {
            Source = new GnttabCopyPtr { Gmfn = source, DomId = DomainId.Self, Offset = sourceOffset },
            Dest = new GnttabCopyPtr { Gmfn = dest, DomId = DomainId.Self, Offset = destOffset },
            Len = length,
        };

        // ---- Frame counts ----

        public Dictionary<ulong, (uint Refs, PageType Type, uint TypeCount)> Snapshot()
        {
            var all = new Dictionary<ulong, (uint, PageType, uint)>();
            for (ulong mfn = 0; mfn < Frames.FrameCount; mfn++)
            {
                uint refs = Frames.ReferencesOf(mfn), count = Frames.TypeCountOf(mfn);
                if (refs != 0 || count != 0)
                    all[mfn] = (refs, count == 0 ? PageType.None : Frames.TypeOf(mfn), count);
            }
            return all;
        }

        public void AssertSameAs(Dictionary<ulong, (uint Refs, PageType Type, uint TypeCount)> before)
        {
            var after = Snapshot();
            foreach (var pair in before)
            {
                Assert.True(after.TryGetValue(pair.Key, out var now), $"frame {pair.Key:x} lost everything it held: {pair.Value}");
                Assert.True(pair.Value.Equals(now), $"frame {pair.Key:x}: before {pair.Value}, after {now}");
            }
            foreach (var pair in after)
                Assert.True(before.ContainsKey(pair.Key), $"frame {pair.Key:x} still holds {pair.Value}");
            Assert.Equal(0UL, Frames.AccountingErrors);
        }
    }
}
