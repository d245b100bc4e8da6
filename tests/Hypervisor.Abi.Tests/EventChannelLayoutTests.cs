using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of event_channel.h.</summary>
    public class EventChannelLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "evtchn_alloc_unbound", typeof(EvtchnAllocUnbound), 8 },
            { "evtchn_bind_interdomain", typeof(EvtchnBindInterdomain), 12 },
            { "evtchn_bind_virq", typeof(EvtchnBindVirq), 12 },
            { "evtchn_bind_pirq", typeof(EvtchnBindPirq), 12 },
            { "evtchn_bind_ipi", typeof(EvtchnBindIpi), 8 },
            { "evtchn_close", typeof(EvtchnClose), 4 },
            { "evtchn_send", typeof(EvtchnSend), 4 },
            { "evtchn_status", typeof(EvtchnStatus), 24 },
            { "evtchn_bind_vcpu", typeof(EvtchnBindVcpu), 8 },
            { "evtchn_unmask", typeof(EvtchnUnmask), 4 },
            { "evtchn_reset", typeof(EvtchnReset), 2 },
            { "evtchn_init_control", typeof(EvtchnInitControl), 24 },
            { "evtchn_expand_array", typeof(EvtchnExpandArray), 8 },
            { "evtchn_set_priority", typeof(EvtchnSetPriority), 8 },
            { "evtchn_op", typeof(EvtchnOp), 28 },
            { "evtchn_fifo_control_block", typeof(EvtchnFifoControlBlock), 72 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "evtchn_alloc_unbound.dom", typeof(EvtchnAllocUnbound), nameof(EvtchnAllocUnbound.Dom), 0 },
            { "evtchn_alloc_unbound.remote_dom", typeof(EvtchnAllocUnbound), nameof(EvtchnAllocUnbound.RemoteDom), 2 },
            { "evtchn_alloc_unbound.port", typeof(EvtchnAllocUnbound), nameof(EvtchnAllocUnbound.Port), 4 },
            { "evtchn_bind_interdomain.remote_dom", typeof(EvtchnBindInterdomain), nameof(EvtchnBindInterdomain.RemoteDom), 0 },
            { "evtchn_bind_interdomain.remote_port", typeof(EvtchnBindInterdomain), nameof(EvtchnBindInterdomain.RemotePort), 4 },
            { "evtchn_bind_interdomain.local_port", typeof(EvtchnBindInterdomain), nameof(EvtchnBindInterdomain.LocalPort), 8 },
            { "evtchn_bind_virq.virq", typeof(EvtchnBindVirq), nameof(EvtchnBindVirq.VirqNumber), 0 },
            { "evtchn_bind_virq.vcpu", typeof(EvtchnBindVirq), nameof(EvtchnBindVirq.Vcpu), 4 },
            { "evtchn_bind_virq.port", typeof(EvtchnBindVirq), nameof(EvtchnBindVirq.Port), 8 },
            { "evtchn_bind_pirq.pirq", typeof(EvtchnBindPirq), nameof(EvtchnBindPirq.Pirq), 0 },
            { "evtchn_bind_pirq.flags", typeof(EvtchnBindPirq), nameof(EvtchnBindPirq.Flags), 4 },
            { "evtchn_bind_pirq.port", typeof(EvtchnBindPirq), nameof(EvtchnBindPirq.Port), 8 },
            { "evtchn_bind_ipi.vcpu", typeof(EvtchnBindIpi), nameof(EvtchnBindIpi.Vcpu), 0 },
            { "evtchn_bind_ipi.port", typeof(EvtchnBindIpi), nameof(EvtchnBindIpi.Port), 4 },
            { "evtchn_close.port", typeof(EvtchnClose), nameof(EvtchnClose.Port), 0 },
            { "evtchn_send.port", typeof(EvtchnSend), nameof(EvtchnSend.Port), 0 },
            { "evtchn_status.dom", typeof(EvtchnStatus), nameof(EvtchnStatus.Dom), 0 },
            { "evtchn_status.port", typeof(EvtchnStatus), nameof(EvtchnStatus.Port), 4 },
            { "evtchn_status.status", typeof(EvtchnStatus), nameof(EvtchnStatus.Status), 8 },
            { "evtchn_status.vcpu", typeof(EvtchnStatus), nameof(EvtchnStatus.Vcpu), 12 },
            { "evtchn_status.u.interdomain.dom", typeof(EvtchnStatus), nameof(EvtchnStatus.PeerDom), 16 },
            { "evtchn_status.u.interdomain.port", typeof(EvtchnStatus), nameof(EvtchnStatus.PeerPort), 20 },
            { "evtchn_status.u.pirq", typeof(EvtchnStatus), nameof(EvtchnStatus.Pirq), 16 },
            { "evtchn_status.u.virq", typeof(EvtchnStatus), nameof(EvtchnStatus.VirqNumber), 16 },
            { "evtchn_bind_vcpu.port", typeof(EvtchnBindVcpu), nameof(EvtchnBindVcpu.Port), 0 },
            { "evtchn_bind_vcpu.vcpu", typeof(EvtchnBindVcpu), nameof(EvtchnBindVcpu.Vcpu), 4 },
            { "evtchn_unmask.port", typeof(EvtchnUnmask), nameof(EvtchnUnmask.Port), 0 },
            { "evtchn_reset.dom", typeof(EvtchnReset), nameof(EvtchnReset.Dom), 0 },
            { "evtchn_init_control.control_gfn", typeof(EvtchnInitControl), nameof(EvtchnInitControl.ControlGfn), 0 },
            { "evtchn_init_control.offset", typeof(EvtchnInitControl), nameof(EvtchnInitControl.Offset), 8 },
            { "evtchn_init_control.vcpu", typeof(EvtchnInitControl), nameof(EvtchnInitControl.Vcpu), 12 },
            { "evtchn_init_control.link_bits", typeof(EvtchnInitControl), nameof(EvtchnInitControl.LinkBits), 16 },
            { "evtchn_init_control._pad", typeof(EvtchnInitControl), nameof(EvtchnInitControl.Pad), 17 },
            { "evtchn_expand_array.array_gfn", typeof(EvtchnExpandArray), nameof(EvtchnExpandArray.ArrayGfn), 0 },
            { "evtchn_set_priority.port", typeof(EvtchnSetPriority), nameof(EvtchnSetPriority.Port), 0 },
            { "evtchn_set_priority.priority", typeof(EvtchnSetPriority), nameof(EvtchnSetPriority.Priority), 4 },
            { "evtchn_op.cmd", typeof(EvtchnOp), nameof(EvtchnOp.Cmd), 0 },
            { "evtchn_op.u", typeof(EvtchnOp), nameof(EvtchnOp.Argument), 4 },
            { "evtchn_fifo_control_block.ready", typeof(EvtchnFifoControlBlock), nameof(EvtchnFifoControlBlock.Ready), 0 },
            { "evtchn_fifo_control_block._rsvd", typeof(EvtchnFifoControlBlock), nameof(EvtchnFifoControlBlock.Rsvd), 4 },
            { "evtchn_fifo_control_block.head", typeof(EvtchnFifoControlBlock), nameof(EvtchnFifoControlBlock.Head), 8 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
