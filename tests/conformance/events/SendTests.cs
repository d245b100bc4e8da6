using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_send and unmask, watched through the bits while events stay masked (vcpu_info's upcall
    /// mask 1): a send on an IPI port sets its own pending bit, the selector bit of its word and
    /// upcall_pending; a port already pending is no new edge (selector and flag stay clear); a port
    /// with its mask bit set gets the pending bit only, and unmask clears the mask bit and raises the
    /// selector and flag then. A send on an unbound port returns 0 and raises nothing; on a VIRQ port,
    /// port 0, a free port or a port beyond the table it is -EINVAL. Unmask of a port beyond the table
    /// is -EINVAL.
    /// </summary>
    internal static unsafe class SendTests
    {
        public static void Run(TestSuite suite)
        {
            Ports.Quiesce();
            VcpuInfo* vcpu = Ports.Vcpu0;
            long ipi = EventChannels.BindIpi(0);
            if (!Ports.Got(suite, "bind_ipi_for_send", ipi))
                return;
            uint port = (uint)ipi;
            ulong wordBit = 1UL << (int)(port / 64);

            suite.Returns("send_ipi", 0, EventChannels.Send(port));
            Ports.ExpectPending(suite, "send_ipi_raises_own_pending", port, true);
            Flags(suite, "send_ipi_sets_selector_and_upcall_pending", vcpu, wordBit, 1);

            // Still pending: a second send is not a new edge.
            Ports.Quiesce();
            suite.Returns("send_pending_port", 0, EventChannels.Send(port));
            Flags(suite, "send_pending_port_no_new_edge", vcpu, 0, 0);
            EventChannels.ClearPending(port);

            EventChannels.Mask(port);
            suite.Returns("send_masked_port", 0, EventChannels.Send(port));
            Ports.ExpectPending(suite, "send_masked_port_raises_pending", port, true);
            Flags(suite, "send_masked_port_no_selector_no_upcall", vcpu, 0, 0);
            suite.Returns("unmask_pending_port", 0, EventChannels.Unmask(port));
            suite.Result("unmask_clears_mask_bit", !EventChannels.IsMasked(port)).Text(" masked ")
                .Dec(EventChannels.IsMasked(port) ? 1UL : 0UL).End();
            Flags(suite, "unmask_pending_port_raises_selector_and_upcall", vcpu, wordBit, 1);
            Ports.Quiesce();
            suite.Returns("unmask_unmasked_port", 0, EventChannels.Unmask(port));
            Flags(suite, "unmask_unmasked_port_no_new_edge", vcpu, 0, 0);
            EventChannels.ClearPending(port);
            EventChannels.Mask(port);
            suite.Returns("unmask_idle_port", 0, EventChannels.Unmask(port));
            Flags(suite, "unmask_idle_port_raises_nothing", vcpu, 0, 0);
            suite.Errno("unmask_beyond_table", XenErrno.EINVAL, EventChannels.Unmask(Ports.BeyondTable));
            suite.Errno("unmask_beyond_limit", XenErrno.EINVAL, EventChannels.Unmask(Ports.BeyondLimit));

            long unbound = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            if (Ports.Got(suite, "alloc_unbound_for_send", unbound))
            {
                suite.Returns("send_unbound", 0, EventChannels.Send((uint)unbound));
                Ports.ExpectPending(suite, "send_unbound_raises_nothing", unbound, false);
                Flags(suite, "send_unbound_no_upcall", vcpu, 0, 0);
            }

            // VIRQ_DEBUG: a per-vCPU VIRQ nothing raises during the run.
            long virq = EventChannels.BindVirq(Virq.Debug, 0);
            if (Ports.Got(suite, "bind_virq_debug", virq))
                suite.Errno("send_virq_port", XenErrno.EINVAL, EventChannels.Send((uint)virq));
            suite.Errno("send_port_0", XenErrno.EINVAL, EventChannels.Send(0));
            suite.Errno("send_free_port", XenErrno.EINVAL, EventChannels.Send(63));
            suite.Errno("send_beyond_table", XenErrno.EINVAL, EventChannels.Send(Ports.BeyondTable));
            suite.Errno("send_beyond_limit", XenErrno.EINVAL, EventChannels.Send(Ports.BeyondLimit));
            Flags(suite, "refused_sends_raise_nothing", vcpu, 0, 0);

            Ports.Release(virq);
            Ports.Release(unbound);
            Ports.Release(ipi);
            Ports.Quiesce();
        }

        /// <summary>Checks vcpu_info's selector and upcall-pending flag.</summary>
        public static bool Flags(TestSuite suite, string test, VcpuInfo* vcpu, ulong selector, byte upcallPending)
        {
            ulong sel = vcpu->EvtchnPendingSel;
            byte flag = vcpu->EvtchnUpcallPending;
            bool ok = sel == selector && flag == upcallPending;
            suite.Result(test, ok).Text(" selector ").Hex(sel).Text(" upcall_pending ").Dec(flag)
                .Text(" (expected ").Hex(selector).Text(", ").Dec(upcallPending).Text(")").End();
            return ok;
        }
    }
}
