using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The upcall, with the event callback registered and events unmasked (vcpu_info's upcall mask 0)
    /// only around each test:
    /// - a send on an IPI port calls the handler before the hypercall returns; the handler sees the
    ///   selector bit of the port's word and the port's pending bit, runs with the upcall mask 1, and its
    ///   frame saved mask 0 (CS bits 32-39) with RFLAGS.IF set, it starts with RCX = the callback's
    ///   address and R11 = its RFLAGS (Xen returns with SYSRET); the return restores the mask to 0;
    /// - an event raised while events were masked is delivered once they are unmasked (at the next
    ///   hypercall, as a guest forces it);
    /// - a port with its mask bit set raises no upcall, and EVTCHNOP_unmask delivers it;
    /// - a port raised while the handler runs (events masked inside) is not lost: a second upcall
    ///   follows the return from the first;
    /// - past the first 64 ports the table grows (port 64 is handed out next) and the selector names the
    ///   word: bit 1 for a port of word 1, alone.
    /// </summary>
    internal static unsafe class UpcallTests
    {
        public static void Run(TestSuite suite)
        {
            if (!GuestCallbacks.Registered)
            {
                suite.Skip("upcalls", "callbacks not registered");
                return;
            }
            Ports.Quiesce();
            long first = EventChannels.BindIpi(0);
            long second = EventChannels.BindIpi(0);
            if (!Ports.Got(suite, "bind_ipi_for_upcall", first) || !Ports.Got(suite, "bind_second_ipi_for_upcall", second))
            {
                Ports.Release(first);
                Ports.Release(second);
                return;
            }
            UpcallRecorder.Start();
            OnSend(suite, (uint)first);
            AfterUnmaskingEvents(suite, (uint)first);
            MaskedPort(suite, (uint)first);
            NoLostEdge(suite, (uint)first, (uint)second);
            Ports.Release(first);
            Ports.Release(second);
            SecondWord(suite);
            UpcallRecorder.Stop();
            Ports.Quiesce();
        }

        private static void OnSend(TestSuite suite, uint port)
        {
            VcpuInfo* vcpu = Ports.Vcpu0;
            UpcallRecorder.Reset();
            vcpu->EvtchnUpcallMask = 0;
            long rc = EventChannels.Send(port);
            byte maskAfter = vcpu->EvtchnUpcallMask;
            byte pendingAfter = vcpu->EvtchnUpcallPending;
            vcpu->EvtchnUpcallMask = 1;
            ulong count = UpcallRecorder.Count;
            suite.Result("send_delivers_upcall", rc == 0 && count == 1).Text(" returned ").Result(rc)
                .Text(", upcalls ").Dec(count).Text(" (expected 1)").End();
            if (count == 0)
            {
                suite.Skip("upcall_handler_sees_port", "no upcall");
                return;
            }
            ulong wordBit = 1UL << (int)(port / 64);
            suite.Result("upcall_handler_sees_selector", (UpcallRecorder.Selector(0) & wordBit) != 0)
                .Text(" selector ").Hex(UpcallRecorder.Selector(0)).Text(" (expected bit ").Dec(port / 64).Text(")").End();
            suite.Result("upcall_handler_sees_pending_port", UpcallRecorder.SawPending(0, port))
                .Text(" pending word 0 ").Hex(UpcallRecorder.PendingWord0(0)).Text(" (expected port ").Dec(port).Text(")").End();
            suite.Equal("upcall_mask_inside_handler", 1, UpcallRecorder.MaskInside(0));
            suite.Equal("upcall_frame_saved_mask", 0, UpcallRecorder.SavedMask(0));
            suite.Result("upcall_frame_rflags_if", (UpcallRecorder.Rflags(0) & 0x200) != 0)
                .Text(" RFLAGS ").Hex(UpcallRecorder.Rflags(0)).End();
            ulong entry = GuestCallbacks.Entry(CallbackType.Event);
            HandlerEntry e = UpcallRecorder.Entry(0);
            suite.Result("upcall_entered_as_by_sysret", e.IsAsBySysret(entry))
                .Text(" RCX ").Hex(e.Rcx).Text(" (the entry ").Hex(entry).Text("), R11 ").Hex(e.R11).Text(", RFLAGS ").Hex(e.Rflags).End();
            suite.Equal("upcall_mask_restored_after_return", 0, maskAfter);
            suite.Equal("upcall_pending_clear_after_handling", 0, pendingAfter);
        }

        private static void AfterUnmaskingEvents(TestSuite suite, uint port)
        {
            VcpuInfo* vcpu = Ports.Vcpu0;
            Ports.Quiesce();
            UpcallRecorder.Reset();
            long rc = EventChannels.Send(port);
            ulong whileMasked = UpcallRecorder.Count;
            byte flag = vcpu->EvtchnUpcallPending;
            suite.Result("masked_events_no_upcall", rc == 0 && whileMasked == 0 && flag == 1).Text(" returned ").Result(rc)
                .Text(", upcalls ").Dec(whileMasked).Text(", upcall_pending ").Dec(flag).Text(" (expected 0 upcalls, pending 1)").End();
            // What a guest does after clearing the mask: any hypercall lets the pending upcall in.
            vcpu->EvtchnUpcallMask = 0;
            Hypercalls.XenVersion(XenVersionCommand.Version, null);
            vcpu->EvtchnUpcallMask = 1;
            ulong count = UpcallRecorder.Count;
            suite.Result("upcall_after_unmasking_events", count == 1 && UpcallRecorder.SawPending(0, port))
                .Text(" upcalls ").Dec(count).Text(", port seen ").Dec(count > 0 && UpcallRecorder.SawPending(0, port) ? 1UL : 0UL).End();
        }

        private static void MaskedPort(TestSuite suite, uint port)
        {
            VcpuInfo* vcpu = Ports.Vcpu0;
            Ports.Quiesce();
            EventChannels.ClearPending(port);
            EventChannels.Mask(port);
            UpcallRecorder.Reset();
            vcpu->EvtchnUpcallMask = 0;
            long rc = EventChannels.Send(port);
            ulong afterSend = UpcallRecorder.Count;
            bool pending = EventChannels.IsPending(port);
            long unmask = EventChannels.Unmask(port);
            ulong afterUnmask = UpcallRecorder.Count;
            vcpu->EvtchnUpcallMask = 1;
            suite.Result("masked_port_no_upcall", rc == 0 && afterSend == 0 && pending).Text(" returned ").Result(rc)
                .Text(", upcalls ").Dec(afterSend).Text(", pending ").Dec(pending ? 1UL : 0UL).Text(" (expected 0 upcalls, pending 1)").End();
            suite.Result("unmask_delivers_upcall", unmask == 0 && afterUnmask == 1 && UpcallRecorder.SawPending(0, port))
                .Text(" returned ").Result(unmask).Text(", upcalls ").Dec(afterUnmask)
                .Text(", port seen ").Dec(afterUnmask > 0 && UpcallRecorder.SawPending(0, port) ? 1UL : 0UL).End();
        }

        private static void NoLostEdge(TestSuite suite, uint first, uint second)
        {
            VcpuInfo* vcpu = Ports.Vcpu0;
            Ports.Quiesce();
            EventChannels.ClearPending(first);
            EventChannels.ClearPending(second);
            UpcallRecorder.Reset();
            UpcallRecorder.RaiseOnFirst = second;
            vcpu->EvtchnUpcallMask = 0;
            long rc = EventChannels.Send(first);
            vcpu->EvtchnUpcallMask = 1;
            ulong count = UpcallRecorder.Count;
            suite.Returns("send_raised_inside_handler", 0, UpcallRecorder.RaiseResult);
            suite.Result("raise_inside_handler_marks_upcall_pending", UpcallRecorder.UpcallPendingAfterRaise == 1
                    && (UpcallRecorder.SelectorAfterRaise & (1UL << (int)(second / 64))) != 0)
                .Text(" upcall_pending ").Dec(UpcallRecorder.UpcallPendingAfterRaise).Text(", selector ").Hex(UpcallRecorder.SelectorAfterRaise).End();
            bool firstSeen = count >= 1 && UpcallRecorder.SawPending(0, first) && !UpcallRecorder.SawPending(0, second);
            bool secondSeen = count >= 2 && UpcallRecorder.SawPending(1, second);
            suite.Result("no_lost_edge", rc == 0 && count == 2 && firstSeen && secondSeen).Text(" returned ").Result(rc)
                .Text(", upcalls ").Dec(count).Text(" (expected 2), first saw ").Hex(UpcallRecorder.PendingWord0(0))
                .Text(", second saw ").Hex(UpcallRecorder.PendingWord0(1)).End();
            UpcallRecorder.RaiseOnFirst = 0;
        }

        private static void SecondWord(TestSuite suite)
        {
            // Ports 1-63 fill the first bucket; the 64th bind must grow the table.
            const int Count = 64;
            long* ports = stackalloc long[Count];
            int bound = 0;
            long last = 0;
            for (; bound < Count; bound++)
            {
                last = EventChannels.BindIpi(0);
                ports[bound] = last;
                if (last <= 0)
                    break;
            }
            suite.Returns("port_64_after_first_bucket", 64, last);
            if (last == 64)
            {
                VcpuInfo* vcpu = Ports.Vcpu0;
                Ports.Quiesce();
                UpcallRecorder.Reset();
                long rc = EventChannels.Send(64);
                SendTests.Flags(suite, "selector_names_word_1", vcpu, 1UL << 1, 1);
                vcpu->EvtchnUpcallMask = 0;
                Hypercalls.XenVersion(XenVersionCommand.Version, null);
                vcpu->EvtchnUpcallMask = 1;
                suite.Result("upcall_for_word_1", rc == 0 && UpcallRecorder.Count == 1 && UpcallRecorder.Selector(0) == (1UL << 1)
                        && UpcallRecorder.PendingWord1(0) == 1 && UpcallRecorder.PendingWord0(0) == 0)
                    .Text(" upcalls ").Dec(UpcallRecorder.Count).Text(", selector ").Hex(UpcallRecorder.Selector(0))
                    .Text(", word 0 ").Hex(UpcallRecorder.PendingWord0(0)).Text(", word 1 ").Hex(UpcallRecorder.PendingWord1(0)).End();
                Ports.ExpectStatus(suite, "status_port_64", 64, EvtchnStatusKind.Ipi, 0, 0, 0);
            }
            for (int i = 0; i < bound && i < Count; i++)
                Ports.Release(ports[i]);
        }
    }
}
