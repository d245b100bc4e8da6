using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Commands of event_channel_op(cmd, arg) (event_channel.h EVTCHNOP_*). Ports are 32-bit
    /// (<c>evtchn_port_t</c>).</summary>
    public static class EventChannelOp
    {
        /// <summary><c>EVTCHNOP_bind_interdomain</c>: arg <see cref="EvtchnBindInterdomain"/>.</summary>
        public const int BindInterdomain = 0;

        /// <summary><c>EVTCHNOP_bind_virq</c>: arg <see cref="EvtchnBindVirq"/>.</summary>
        public const int BindVirq = 1;

        /// <summary><c>EVTCHNOP_bind_pirq</c>: arg <see cref="EvtchnBindPirq"/>.</summary>
        public const int BindPirq = 2;

        /// <summary><c>EVTCHNOP_close</c>: arg <see cref="EvtchnClose"/>.</summary>
        public const int Close = 3;

        /// <summary><c>EVTCHNOP_send</c>: arg <see cref="EvtchnSend"/>.</summary>
        public const int Send = 4;

        /// <summary><c>EVTCHNOP_status</c>: arg <see cref="EvtchnStatus"/>.</summary>
        public const int Status = 5;

        /// <summary><c>EVTCHNOP_alloc_unbound</c>: arg <see cref="EvtchnAllocUnbound"/>.</summary>
        public const int AllocUnbound = 6;

        /// <summary><c>EVTCHNOP_bind_ipi</c>: arg <see cref="EvtchnBindIpi"/>.</summary>
        public const int BindIpi = 7;

        /// <summary><c>EVTCHNOP_bind_vcpu</c>: arg <see cref="EvtchnBindVcpu"/>.</summary>
        public const int BindVcpu = 8;

        /// <summary><c>EVTCHNOP_unmask</c>: arg <see cref="EvtchnUnmask"/>; re-raises the upcall if pending.</summary>
        public const int Unmask = 9;

        /// <summary><c>EVTCHNOP_reset</c>: arg <see cref="EvtchnReset"/>; closes all of a domain's ports.</summary>
        public const int Reset = 10;

        /// <summary><c>EVTCHNOP_reset_cont</c> (Xen-internal, but a guest can issue it): the continuation of a
        /// preempted reset, arg <see cref="EvtchnReset"/>; -EBUSY when no reset of that domain is under way.</summary>
        public const int ResetCont = 14;

        /// <summary><c>EVTCHNOP_init_control</c>: switch to the FIFO ABI; arg <see cref="EvtchnInitControl"/>.</summary>
        public const int InitControl = 11;

        /// <summary><c>EVTCHNOP_expand_array</c>: arg <see cref="EvtchnExpandArray"/>.</summary>
        public const int ExpandArray = 12;

        /// <summary><c>EVTCHNOP_set_priority</c>: arg <see cref="EvtchnSetPriority"/>.</summary>
        public const int SetPriority = 13;

        /// <summary>Ports of the 2-level ABI on 64-bit (<c>EVTCHN_2L_NR_CHANNELS</c>, also the old
        /// <c>NR_EVENT_CHANNELS</c>): 64 selector bits times 64 bits per pending word.</summary>
        public const int NrChannels2Level = 4096;
    }

    /// <summary>States reported by <see cref="EventChannelOp.Status"/> (event_channel.h EVTCHNSTAT_*).</summary>
    public static class EvtchnStatusKind
    {
        /// <summary><c>EVTCHNSTAT_closed</c>: not in use.</summary>
        public const uint Closed = 0;

        /// <summary><c>EVTCHNSTAT_unbound</c>: waiting for a remote domain to bind.</summary>
        public const uint Unbound = 1;

        /// <summary><c>EVTCHNSTAT_interdomain</c>: connected to another domain's port.</summary>
        public const uint Interdomain = 2;

        /// <summary><c>EVTCHNSTAT_pirq</c>: bound to a physical IRQ.</summary>
        public const uint Pirq = 3;

        /// <summary><c>EVTCHNSTAT_virq</c>: bound to a <see cref="Virq"/>.</summary>
        public const uint Virq = 4;

        /// <summary><c>EVTCHNSTAT_ipi</c>: bound for IPIs between the domain's vCPUs.</summary>
        public const uint Ipi = 5;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_alloc_unbound</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnAllocUnbound
    {
        /// <summary><c>dom</c>: owner of the new port (DOMID_SELF unless privileged).</summary>
        [FieldOffset(0)] public ushort Dom;

        /// <summary><c>remote_dom</c>: the domain allowed to bind to it.</summary>
        [FieldOffset(2)] public ushort RemoteDom;

        /// <summary><c>port</c> (out).</summary>
        [FieldOffset(4)] public uint Port;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_bind_interdomain</c> (12 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct EvtchnBindInterdomain
    {
        /// <summary><c>remote_dom</c>.</summary>
        [FieldOffset(0)] public ushort RemoteDom;

        /// <summary><c>remote_port</c>: an unbound port of remote_dom offered to the caller.</summary>
        [FieldOffset(4)] public uint RemotePort;

        /// <summary><c>local_port</c> (out); Xen sets it pending once bound.</summary>
        [FieldOffset(8)] public uint LocalPort;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_bind_virq</c> (12 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct EvtchnBindVirq
    {
        /// <summary><c>virq</c>: a <see cref="Virq"/>.</summary>
        [FieldOffset(0)] public uint VirqNumber;

        /// <summary><c>vcpu</c>.</summary>
        [FieldOffset(4)] public uint Vcpu;

        /// <summary><c>port</c> (out).</summary>
        [FieldOffset(8)] public uint Port;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_bind_pirq</c> (12 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct EvtchnBindPirq
    {
        /// <summary><c>BIND_PIRQ__WILL_SHARE</c>: the caller accepts sharing the line.</summary>
        public const uint FlagWillShare = 1;

        /// <summary><c>pirq</c>.</summary>
        [FieldOffset(0)] public uint Pirq;

        /// <summary><c>flags</c>.</summary>
        [FieldOffset(4)] public uint Flags;

        /// <summary><c>port</c> (out).</summary>
        [FieldOffset(8)] public uint Port;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_bind_ipi</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnBindIpi
    {
        /// <summary><c>vcpu</c>: the vCPU notified, fixed for the port's life.</summary>
        [FieldOffset(0)] public uint Vcpu;

        /// <summary><c>port</c> (out).</summary>
        [FieldOffset(4)] public uint Port;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_close</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct EvtchnClose
    {
        /// <summary><c>port</c>; an interdomain peer goes back to unbound.</summary>
        [FieldOffset(0)] public uint Port;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_send</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct EvtchnSend
    {
        /// <summary><c>port</c>: the local end; the event goes to the remote end.</summary>
        [FieldOffset(0)] public uint Port;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_status</c> (24 bytes). The union at offset 16
    /// is read according to <see cref="Status"/>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct EvtchnStatus
    {
        /// <summary><c>dom</c> (in).</summary>
        [FieldOffset(0)] public ushort Dom;

        /// <summary><c>port</c> (in).</summary>
        [FieldOffset(4)] public uint Port;

        /// <summary><c>status</c>: an <see cref="EvtchnStatusKind"/>.</summary>
        [FieldOffset(8)] public uint Status;

        /// <summary><c>vcpu</c>: the vCPU notified.</summary>
        [FieldOffset(12)] public uint Vcpu;

        /// <summary><c>u.unbound.dom</c> / <c>u.interdomain.dom</c>: the peer domain.</summary>
        [FieldOffset(16)] public ushort PeerDom;

        /// <summary><c>u.interdomain.port</c>: the peer's port.</summary>
        [FieldOffset(20)] public uint PeerPort;

        /// <summary><c>u.pirq</c>.</summary>
        [FieldOffset(16)] public uint Pirq;

        /// <summary><c>u.virq</c>.</summary>
        [FieldOffset(16)] public uint VirqNumber;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_bind_vcpu</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnBindVcpu
    {
        /// <summary><c>port</c>.</summary>
        [FieldOffset(0)] public uint Port;

        /// <summary><c>vcpu</c>: new target (not allowed for IPI and per-vCPU VIRQ ports).</summary>
        [FieldOffset(4)] public uint Vcpu;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_unmask</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct EvtchnUnmask
    {
        /// <summary><c>port</c>.</summary>
        [FieldOffset(0)] public uint Port;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_reset</c> (2 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2)]
    public struct EvtchnReset
    {
        /// <summary><c>dom</c>.</summary>
        [FieldOffset(0)] public ushort Dom;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_init_control</c> (24 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public unsafe struct EvtchnInitControl
    {
        /// <summary><c>control_gfn</c>: frame of the FIFO control block.</summary>
        [FieldOffset(0)] public ulong ControlGfn;

        /// <summary><c>offset</c>: of the control block in that frame.</summary>
        [FieldOffset(8)] public uint Offset;

        /// <summary><c>vcpu</c>.</summary>
        [FieldOffset(12)] public uint Vcpu;

        /// <summary><c>link_bits</c> (out).</summary>
        [FieldOffset(16)] public byte LinkBits;

        /// <summary><c>_pad[7]</c>.</summary>
        [FieldOffset(17)] public fixed byte Pad[7];
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_expand_array</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnExpandArray
    {
        /// <summary><c>array_gfn</c>: a further page of FIFO event words.</summary>
        [FieldOffset(0)] public ulong ArrayGfn;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_set_priority</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct EvtchnSetPriority
    {
        /// <summary><c>port</c>.</summary>
        [FieldOffset(0)] public uint Port;

        /// <summary><c>priority</c>: 0 highest to 15 lowest.</summary>
        [FieldOffset(4)] public uint Priority;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_op</c> (28 bytes): the argument of the old
    /// event_channel_op_compat hypercall, a command followed by the union of the op structs above (all
    /// 4-byte aligned, so the union starts at 4).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 28)]
    public unsafe struct EvtchnOp
    {
        /// <summary>Offset of the union <c>u</c>.</summary>
        public const int ArgumentOffset = 4;

        /// <summary><c>cmd</c>: an <see cref="EventChannelOp"/> command.</summary>
        [FieldOffset(0)] public uint Cmd;

        /// <summary><c>u</c>, as bytes: cast its address to the op struct.</summary>
        [FieldOffset(ArgumentOffset)] public fixed byte Argument[24];
    }

    /// <summary>Facts of the FIFO event-channel ABI (event_channel.h EVTCHN_FIFO_*).</summary>
    public static class EvtchnFifo
    {
        public const uint PriorityMax = 0;
        public const uint PriorityDefault = 7;
        public const uint PriorityMin = 15;

        /// <summary><c>EVTCHN_FIFO_MAX_QUEUES</c>.</summary>
        public const int MaxQueues = 16;

        /// <summary>Bit numbers in a 32-bit event word.</summary>
        public const int Pending = 31;
        public const int Masked = 30;
        public const int Linked = 29;
        public const int Busy = 28;

        /// <summary><c>EVTCHN_FIFO_LINK_BITS</c>: low bits of an event word that link to the next port.</summary>
        public const int LinkBits = 17;

        /// <summary><c>EVTCHN_FIFO_LINK_MASK</c>.</summary>
        public const uint LinkMask = (1u << LinkBits) - 1;

        /// <summary><c>EVTCHN_FIFO_NR_CHANNELS</c>.</summary>
        public const int NrChannels = 1 << LinkBits;
    }

    /// <summary>Mirrors event_channel.h <c>struct evtchn_fifo_control_block</c> (72 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public unsafe struct EvtchnFifoControlBlock
    {
        /// <summary><c>ready</c>: bit q set when queue q has events.</summary>
        [FieldOffset(0)] public uint Ready;

        /// <summary><c>_rsvd</c>.</summary>
        [FieldOffset(4)] public uint Rsvd;

        /// <summary><c>head[16]</c>: first port of each priority queue.</summary>
        [FieldOffset(8)] public fixed uint Head[EvtchnFifo.MaxQueues];
    }
}
