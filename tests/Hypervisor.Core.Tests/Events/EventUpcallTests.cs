using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Events
{
    /// <summary>
    /// The last step before a vCPU resumes: an upcall pending and unmasked sends the guest to its
    /// event callback, with events masked and the interrupted context in a bounce frame; otherwise
    /// nothing changes.
    /// </summary>
    public class EventUpcallTests
    {
        private const ulong Callback = PvKernelElfBuilder.VirtBase + 0x900;
        private const ulong Rip = PvKernelElfBuilder.VirtBase + 0x123;

        /// <summary>Kernel code running on a stack in the scratch area, the event callback registered,
        /// events unmasked and nothing pending.</summary>
        private static (TestDomain T, EventGuest G) Running()
        {
            var t = TestDomain.Create();
            t.SetKernelRegisters(Rip, t.Scratch + 0x8000);
            t.Vcpu.Registers.Rcx = 0xC0C0;
            t.Vcpu.Registers.R11 = 0x1111;
            t.Vcpu.Callbacks[CallbackKind.Event] = Callback;
            t.SetUpcallMask(0);
            return (t, EventGuest.Of(t));
        }

        [Fact]
        public void PendingAndUnmasked_BouncesToTheCallbackWithEventsMasked()
        {
            var (t, g) = Running();
            ulong rsp = t.Vcpu.Registers.Rsp;
            g.SetUpcallPending(1);

            EventUpcall.DeliverIfDue(t.Vcpu);

            ref GuestRegisters r = ref t.Vcpu.Registers;
            Assert.Equal(Callback, r.Rip);
            Assert.Equal(1, t.UpcallMask);
            Assert.Equal((rsp & ~15UL) - 56, r.Rsp);              // { RCX, R11, RIP, CS, RFLAGS, RSP, SS }
            byte[] frame = t.Read(r.Rsp, 56);
            Assert.Equal(0xC0C0UL, BitConverter.ToUInt64(frame, 0));
            Assert.Equal(0x1111UL, BitConverter.ToUInt64(frame, 8));
            Assert.Equal(Rip, BitConverter.ToUInt64(frame, 16));  // where the guest was interrupted
            Assert.Equal(0UL, BitConverter.ToUInt64(frame, 24) >> 32 & 0xFF);   // the mask before: 0
            Assert.Equal(rsp, BitConverter.ToUInt64(frame, 40));
            Assert.Equal(1, g.UpcallPending());                   // the guest's handler clears it
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void AnEventSentToTheGuest_IsDeliveredAtTheNextResume()
        {
            var (t, g) = Running();
            Assert.Equal(1, g.BindIpi());
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(Rip, t.Vcpu.Registers.Rip);              // nothing yet

            Assert.Equal(0, g.Send(1));
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(Callback, t.Vcpu.Registers.Rip);
            Assert.Equal(1, t.UpcallMask);

            // Now masked: a second resume does not bounce again.
            ulong rsp = t.Vcpu.Registers.Rsp;
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(Callback, t.Vcpu.Registers.Rip);
            Assert.Equal(rsp, t.Vcpu.Registers.Rsp);
        }

        [Fact]
        public void Masked_Nothing()
        {
            var (t, g) = Running();
            g.SetUpcallPending(1);
            t.SetUpcallMask(1);
            GuestRegisters before = t.Vcpu.Registers;
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(before, t.Vcpu.Registers);
            Assert.Equal(1, g.UpcallPending());
        }

        [Fact]
        public void AnyNonZeroMaskByte_Masks()
        {
            var (t, g) = Running();
            g.SetUpcallPending(1);
            t.SetUpcallMask(0x80);
            GuestRegisters before = t.Vcpu.Registers;
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(before, t.Vcpu.Registers);
        }

        [Fact]
        public void NotPending_Nothing()
        {
            var (t, g) = Running();
            g.SetSelector(1);                                      // a selector bit alone is not an upcall
            GuestRegisters before = t.Vcpu.Registers;
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(before, t.Vcpu.Registers);
            Assert.Equal(0, t.UpcallMask);
        }

        [Fact]
        public void NoCallbackRegistered_NothingAndTheUpcallStaysPending()
        {
            var (t, g) = Running();
            t.Vcpu.Callbacks[CallbackKind.Event] = 0;
            g.SetUpcallPending(1);
            GuestRegisters before = t.Vcpu.Registers;
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(before, t.Vcpu.Registers);
            Assert.Equal(0, t.UpcallMask);
            Assert.Equal(1, g.UpcallPending());
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void OtherCallbacksDoNotCount()
        {
            var (t, g) = Running();
            t.Vcpu.Callbacks[CallbackKind.Event] = 0;
            t.Vcpu.Callbacks[CallbackKind.Failsafe] = Callback;
            t.Vcpu.Callbacks[CallbackKind.Syscall] = Callback;
            g.SetUpcallPending(1);
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(Rip, t.Vcpu.Registers.Rip);
        }

        [Fact]
        public void UnwritableStack_CrashesTheDomain()
        {
            var (t, g) = Running();
            t.Vcpu.Registers.Rsp = t.Layout.PageTablesStart + 0x100;   // read-only
            g.SetUpcallPending(1);
            EventUpcall.DeliverIfDue(t.Vcpu);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.False(t.Domain.IsAlive);
        }
    }
}
