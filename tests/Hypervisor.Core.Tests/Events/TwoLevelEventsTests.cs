using System;
using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Events
{
    /// <summary>
    /// The 2-level protocol in guest memory: a port's pending bit in shared_info, then (unmasked) its
    /// word's bit in the vCPU's evtchn_pending_sel (vcpu_info offset 8), then evtchn_upcall_pending
    /// (offset 0); no new edge for a port already pending; only the pending bit for a masked port.
    /// </summary>
    public class TwoLevelEventsTests
    {
        private const ulong PendingArray = SharedInfo.EvtchnPendingOffset;

        [Fact]
        public void SetPending_Unmasked_SetsPendingBitSelectorBitAndUpcallFlag()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.AssertNothingRaised();

            TwoLevelEvents.SetPending(t.Domain, 0, 70);           // word 1, bit 6

            Assert.Equal(1UL << 6, g.PendingWord(1));
            Assert.Equal(0UL, g.PendingWord(0));
            Assert.Equal(1UL << 1, g.Selector());
            Assert.Equal(1, g.UpcallPending());
            Assert.True(TwoLevelEvents.IsPending(t.Domain, 70));
            Assert.False(TwoLevelEvents.IsPending(t.Domain, 71));
            Assert.Equal(1, t.UpcallMask);                        // the vCPU's own mask is not touched
        }

        [Fact]
        public void SetPending_LastPort_UsesTheLastWordAndSelectorBit()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            TwoLevelEvents.SetPending(t.Domain, 0, 4095);
            Assert.Equal(1UL << 63, g.PendingWord(63));
            Assert.Equal(1UL << 63, g.Selector());
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void SetPending_SecondPortInTheSameWord_AddsOnlyItsPendingBit()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            TwoLevelEvents.SetPending(t.Domain, 0, 3);
            TwoLevelEvents.SetPending(t.Domain, 0, 5);
            Assert.Equal((1UL << 3) | (1UL << 5), g.PendingWord(0));
            Assert.Equal(1UL, g.Selector());
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void SetPending_KeepsOtherBitsTheGuestHasInTheWords()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetPendingBit(9, true);
            g.SetSelector(1UL << 40);
            TwoLevelEvents.SetPending(t.Domain, 0, 130);          // word 2
            Assert.Equal(1UL << 9, g.PendingWord(0));
            Assert.Equal(1UL << 2, g.PendingWord(2));
            Assert.Equal((1UL << 40) | (1UL << 2), g.Selector());
        }

        [Fact]
        public void SetPending_AlreadyPending_IsNotANewEdge()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetPendingBit(7, true);                              // pending, but the guest consumed the selector and upcall
            t.Vcpu.IsBlocked = true;

            TwoLevelEvents.SetPending(t.Domain, 0, 7);

            Assert.True(g.IsPending(7));
            Assert.Equal(0UL, g.Selector());
            Assert.Equal(0, g.UpcallPending());
            Assert.True(t.Vcpu.IsBlocked);                        // nothing woke it
        }

        [Fact]
        public void SetPending_Masked_SetsOnlyThePendingBit()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetMasked(7, true);
            t.Vcpu.IsBlocked = true;

            TwoLevelEvents.SetPending(t.Domain, 0, 7);

            Assert.True(g.IsPending(7));
            Assert.Equal(0UL, g.Selector());
            Assert.Equal(0, g.UpcallPending());
            Assert.True(t.Vcpu.IsBlocked);
            Assert.True(g.IsMasked(7));
        }

        [Fact]
        public void SetPending_SelectorBitAlreadySet_NoNewUpcall()
        {
            // Xen's rule: only the 0 -> 1 transition of the selector bit marks the upcall.
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetSelector(1UL);
            TwoLevelEvents.SetPending(t.Domain, 0, 4);
            Assert.True(g.IsPending(4));
            Assert.Equal(1UL, g.Selector());
            Assert.Equal(0, g.UpcallPending());
        }

        [Fact]
        public void SetPending_UpcallFlagClear_KicksABlockedVcpu()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            t.Vcpu.IsBlocked = true;
            Assert.False(t.Vcpu.IsRunnable);
            TwoLevelEvents.SetPending(t.Domain, 0, 4);
            Assert.Equal(1, g.UpcallPending());
            Assert.False(t.Vcpu.IsBlocked);
            Assert.True(t.Vcpu.IsRunnable);
        }

        [Fact]
        public void SetPending_UpcallFlagAlreadySet_DoesNotKickAgain()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetUpcallPending(1);
            t.Vcpu.IsBlocked = true;

            TwoLevelEvents.SetPending(t.Domain, 0, 4);

            Assert.True(g.IsPending(4));
            Assert.Equal(1UL, g.Selector());                      // the new word is still announced
            Assert.Equal(1, g.UpcallPending());
            Assert.True(t.Vcpu.IsBlocked);                        // but no second kick
        }

        [Fact]
        public void MarkUpcallPending_SetsTheFlagAndWakesOnce()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            t.Vcpu.IsBlocked = true;
            TwoLevelEvents.MarkUpcallPending(t.Vcpu);
            Assert.Equal(1, g.UpcallPending());
            Assert.False(t.Vcpu.IsBlocked);

            t.Vcpu.IsBlocked = true;
            TwoLevelEvents.MarkUpcallPending(t.Vcpu);             // already set
            Assert.True(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void SetPending_NotifiesTheNamedVcpuOnly()
        {
            var t = TestDomain.Create();
            var d = EventGuest.HandBuilt(t, 5, false, 3);
            TwoLevelEvents.SetPending(d.Domain, 2, 65);
            Assert.True(d.IsPending(65));
            Assert.Equal(1UL << 1, d.Selector(2));
            Assert.Equal(1, d.UpcallPending(2));
            Assert.Equal(0UL, d.Selector(0));
            Assert.Equal(0, d.UpcallPending(0));
            Assert.Equal(0UL, d.Selector(1));
            Assert.Equal(0, d.UpcallPending(1));
        }

        [Fact]
        public void SetPending_ForAVcpuTheDomainLacks_OnlyThePendingBit()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            TwoLevelEvents.SetPending(t.Domain, 1, 9);
            TwoLevelEvents.SetPending(t.Domain, -1, 10);
            Assert.True(g.IsPending(9));
            Assert.True(g.IsPending(10));
            Assert.Equal(0UL, g.Selector());
            Assert.Equal(0, g.UpcallPending());
        }

        [Fact]
        public void SetPending_TheStepsAreWrittenInProtocolOrder()
        {
            var memory = new RecordingMemory(new FakeMemory().Map(0, 0x10000));
            var host = new Host(memory, null, CapturingSink.NewLog().Log, new Mock<HostPlatform>().Object);
            var domain = new Domain(host, 3, false, 1) { SharedInfoAddress = 0x4000 };
            domain.Vcpus[0].VcpuInfoAddress = 0x4000;

            TwoLevelEvents.SetPending(domain, 0, 200);            // word 3

            ulong pendingWord = 0x4000 + PendingArray + 3 * 8;
            ulong selector = 0x4000 + 8;
            ulong upcall = 0x4000;
            Assert.Equal(new[] { pendingWord, selector, upcall }, memory.Writes.ToArray());
            Assert.Equal(1UL << 8, memory.Read64(pendingWord));
            Assert.Equal(1UL << 3, memory.Read64(selector));
            Assert.Equal(1, memory.Read8(upcall));

            memory.Writes.Clear();
            TwoLevelEvents.SetPending(domain, 0, 200);            // already pending: nothing written
            Assert.Empty(memory.Writes);
        }

        // ---- Unmask ----

        [Fact]
        public void Unmask_MaskedAndPending_RaisesSelectorAndUpcallNow()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetMasked(100, true);
            TwoLevelEvents.SetPending(t.Domain, 0, 100);
            Assert.Equal(0UL, g.Selector());
            Assert.Equal(0, g.UpcallPending());
            t.Vcpu.IsBlocked = true;

            TwoLevelEvents.Unmask(t.Domain, 0, 100);

            Assert.False(g.IsMasked(100));
            Assert.True(g.IsPending(100));
            Assert.Equal(1UL << 1, g.Selector());
            Assert.Equal(1, g.UpcallPending());
            Assert.False(t.Vcpu.IsBlocked);
        }

        [Fact]
        public void Unmask_MaskedNotPending_OnlyClearsTheMask()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetMasked(100, true);
            g.SetMasked(101, true);
            TwoLevelEvents.Unmask(t.Domain, 0, 100);
            Assert.False(g.IsMasked(100));
            Assert.True(g.IsMasked(101));
            g.AssertNothingRaised();
        }

        [Fact]
        public void Unmask_NotMasked_DoesNotReRaiseAPendingPort()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetPendingBit(100, true);
            TwoLevelEvents.Unmask(t.Domain, 0, 100);
            Assert.Equal(0UL, g.Selector());
            Assert.Equal(0, g.UpcallPending());
        }

        [Fact]
        public void ClearPending_ClearsOnlyThatPort()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            g.SetPendingBit(64, true);
            g.SetPendingBit(65, true);
            TwoLevelEvents.ClearPending(t.Domain, 64);
            Assert.False(TwoLevelEvents.IsPending(t.Domain, 64));
            Assert.True(TwoLevelEvents.IsPending(t.Domain, 65));
        }

        [Fact]
        public void IsMasked_ReadsTheGuestsMaskBit()
        {
            var t = TestDomain.Create();
            var g = EventGuest.Of(t);
            Assert.False(TwoLevelEvents.IsMasked(t.Domain, 4000));
            g.SetMasked(4000, true);
            Assert.True(TwoLevelEvents.IsMasked(t.Domain, 4000));
            Assert.False(TwoLevelEvents.IsMasked(t.Domain, 4001));
        }

        /// <summary>Memory that records the address of every write, each multi-byte write once.</summary>
        private sealed class RecordingMemory : PhysicalMemory
        {
            private readonly FakeMemory inner;

            public RecordingMemory(FakeMemory inner) => this.inner = inner;

            public readonly List<ulong> Writes = new List<ulong>();

            public override bool IsReadable(ulong address, ulong length) => inner.IsReadable(address, length);
            public override byte Read8(ulong address) => inner.Read8(address);
            public override ushort Read16(ulong address) => inner.Read16(address);
            public override uint Read32(ulong address) => inner.Read32(address);
            public override ulong Read64(ulong address) => inner.Read64(address);

            public override void Write8(ulong address, byte value) { Writes.Add(address); inner.Write8(address, value); }
            public override void Write16(ulong address, ushort value) { Writes.Add(address); inner.Write16(address, value); }
            public override void Write32(ulong address, uint value) { Writes.Add(address); inner.Write32(address, value); }
            public override void Write64(ulong address, ulong value) { Writes.Add(address); inner.Write64(address, value); }

            public override void WriteBytes(ulong address, ReadOnlySpan<byte> source) { Writes.Add(address); inner.WriteBytes(address, source); }
        }
    }
}
