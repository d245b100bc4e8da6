using System;
using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    /// <summary>
    /// A built PV domain (<see cref="TestDomain"/>) with what the memory hypercall tests need: argument
    /// space, spare pages of the domain (in its P2M, not mapped), spare mapped pages (the padding before
    /// <see cref="Hypervisor.Core.DomainBuilding.PvLayout.MappedEnd"/>), entry addresses, and a snapshot of
    /// every frame's counts to prove that an operation and its undoing leave nothing behind.
    /// </summary>
    internal sealed class MmuKit
    {
        public const ulong P = PageTableEntry.Present;
        public const ulong RW = PageTableEntry.Writable;
        public const ulong US = PageTableEntry.User;
        public const ulong A = PageTableEntry.Accessed;
        public const ulong D = PageTableEntry.Dirty;
        public const ulong PageSize = 4096;

        public MmuKit(bool privileged = true, int vcpus = 1)
        {
            T = TestDomain.Create(o => { o.Privileged = privileged; o.Vcpus = vcpus; });
        }

        public TestDomain T { get; }
        public Vcpu Vcpu => T.Vcpu;
        public Domain Domain => T.Domain;
        public Host Host => T.Host;
        public FrameTable Frames => T.Host.FrameTable;
        public FakeMemory Ram => T.Memory;
        public Moq.Mock<HostPlatform> Platform => T.Platform;

        /// <summary>Argument space: page <paramref name="page"/> of the scratch area (0..63).</summary>
        public ulong Args(int page = 0) => T.Scratch + (ulong)page * PageSize;

        /// <summary>A mapped, writable, unused page near the end of the bootstrap region (0..15).</summary>
        public ulong SparePage(int index) => T.Layout.MappedEnd - (ulong)(index + 1) * PageSize;

        /// <summary>A page of the domain that nothing maps or uses (0..).</summary>
        public ulong FreeFrame(int index) => Domain.PhysToMachine[(int)T.Layout.MappedPages + index];

        public ulong L1EntryAddress(ulong va)
        {
            Assert.True(Host.PageWalk.TryFindL1Entry(Vcpu.KernelTableFrame, va, out ulong entry), $"no L1 for 0x{va:x}");
            return entry;
        }

        public ulong FrameMappedAt(ulong va) => PageTableEntry.FrameOf(Ram.Read64(L1EntryAddress(va)));

        public ulong Entry(ulong tableMfn, int index) => Ram.Read64(tableMfn * PageSize + (ulong)index * 8);

        public void SetEntry(ulong tableMfn, int index, ulong value) => Ram.Write64(tableMfn * PageSize + (ulong)index * 8, value);

        public long Call(int number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
            T.Hypercall((ulong)number, a1, a2, a3, a4, a5);

        // ---- mmu_update ----

        public void WriteRequests(ulong va, params (ulong Ptr, ulong Val)[] requests)
        {
            for (int i = 0; i < requests.Length; i++)
            {
                T.Write64(va + (ulong)i * 16, requests[i].Ptr);
                T.Write64(va + (ulong)i * 16 + 8, requests[i].Val);
            }
        }

        /// <summary>mmu_update of <paramref name="requests"/> (at Args(1)), done count at Args(0).</summary>
        public long MmuUpdate(ushort foreignDomain, params (ulong Ptr, ulong Val)[] requests)
        {
            WriteRequests(Args(1), requests);
            T.Write64(Args(0), 0xDEAD);
            return Call(HypercallNumber.MmuUpdate, Args(1), (ulong)requests.Length, Args(0), foreignDomain);
        }

        public uint Done => (uint)T.Read64(Args(0));

        // ---- mmuext_op ----

        public void WriteOps(ulong va, params (uint Cmd, ulong Arg1, ulong Arg2)[] ops)
        {
            for (int i = 0; i < ops.Length; i++)
            {
                ulong at = va + (ulong)i * 24;
                T.Write64(at, ops[i].Cmd);
                T.Write64(at + 8, ops[i].Arg1);
                T.Write64(at + 16, ops[i].Arg2);
            }
        }

        /// <summary>mmuext_op of <paramref name="ops"/> (at Args(1)), done count at Args(0).</summary>
        public long Mmuext(ushort foreignDomain, params (uint Cmd, ulong Arg1, ulong Arg2)[] ops)
        {
            WriteOps(Args(1), ops);
            T.Write64(Args(0), 0xDEAD);
            return Call(HypercallNumber.MmuextOp, Args(1), (ulong)ops.Length, Args(0), foreignDomain);
        }

        public long Mmuext(params (uint Cmd, ulong Arg1, ulong Arg2)[] ops) => Mmuext(DomainId.Self, ops);

        // ---- State ----

        /// <summary>References, type, type count and pin of every frame.</summary>
        public Dictionary<ulong, (uint Refs, PageType Type, uint TypeCount, bool Pinned)> Snapshot()
        {
            var all = new Dictionary<ulong, (uint, PageType, uint, bool)>();
            for (ulong mfn = 0; mfn < Frames.FrameCount; mfn++)
            {
                uint refs = Frames.ReferencesOf(mfn), count = Frames.TypeCountOf(mfn);
                bool pinned = Frames.IsPinned(mfn);
                if (refs != 0 || count != 0 || pinned)
                    all[mfn] = (refs, count == 0 ? PageType.None : Frames.TypeOf(mfn), count, pinned);
            }
            return all;
        }

        public void AssertSameAs(Dictionary<ulong, (uint Refs, PageType Type, uint TypeCount, bool Pinned)> before)
        {
            var after = Snapshot();
            foreach (var pair in before)
            {
                Assert.True(after.TryGetValue(pair.Key, out var now), $"frame {pair.Key} lost everything it held: {pair.Value}");
                Assert.True(pair.Value.Equals(now), $"frame {pair.Key}: before {pair.Value}, after {now}");
            }
            foreach (var pair in after)
                Assert.True(before.ContainsKey(pair.Key), $"frame {pair.Key} still holds {pair.Value}");
            Assert.Equal(0UL, Frames.AccountingErrors);
        }

        /// <summary>A copy of the vCPU's kernel L4 in <paramref name="mfn"/> (guest half and hypervisor
        /// slots), a valid top-level table for NEW_BASEPTR.</summary>
        public void CopyKernelL4To(ulong mfn)
        {
            for (int i = 0; i < 512; i++)
                SetEntry(mfn, i, Entry(Vcpu.KernelTableFrame, i));
        }

        public void ClearPlatformCalls() => Platform.Invocations.Clear();
    }
}
