using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Event channels on the 2-level ABI: event_channel_op wrappers for every command of that ABI, and
    /// the pending and mask bits in shared info. Binding does not unmask events for the vCPU: that is
    /// the upcall mask, which the guest opens only once <see cref="GuestCallbacks.Register"/> ran.
    /// The bitmaps are changed with locked bit operations: the hypervisor sets pending bits at any time
    /// (a timer interrupt between the guest's read and write would otherwise be lost).
    /// </summary>
    public static unsafe class EventChannels
    {
        /// <summary>Binds a VIRQ to vCPU <paramref name="vcpu"/>; the port, or a negative errno.</summary>
        public static long BindVirq(uint virq, uint vcpu)
        {
            EvtchnBindVirq bind = default;
            bind.VirqNumber = virq;
            bind.Vcpu = vcpu;
            long rc = Hypercalls.EventChannelOp(EventChannelOp.BindVirq, &bind);
            return rc < 0 ? rc : bind.Port;
        }

        /// <summary>Binds an inter-processor interrupt port to vCPU <paramref name="vcpu"/>; the port or a negative errno.</summary>
        public static long BindIpi(uint vcpu)
        {
            EvtchnBindIpi bind = default;
            bind.Vcpu = vcpu;
            long rc = Hypercalls.EventChannelOp(EventChannelOp.BindIpi, &bind);
            return rc < 0 ? rc : bind.Port;
        }

        /// <summary>EVTCHNOP_alloc_unbound: a port of <paramref name="dom"/> (DOMID_SELF for the caller) that
        /// <paramref name="remoteDom"/> may bind to; the port or a negative errno.</summary>
        public static long AllocUnbound(ushort dom, ushort remoteDom)
        {
            EvtchnAllocUnbound alloc = default;
            alloc.Dom = dom;
            alloc.RemoteDom = remoteDom;
            long rc = Hypercalls.EventChannelOp(EventChannelOp.AllocUnbound, &alloc);
            return rc < 0 ? rc : alloc.Port;
        }

        /// <summary>EVTCHNOP_bind_interdomain: connects a new local port to <paramref name="remotePort"/> of
        /// <paramref name="remoteDom"/> (an unbound port offered to the caller); the local port or a negative errno.</summary>
        public static long BindInterdomain(ushort remoteDom, uint remotePort)
        {
            EvtchnBindInterdomain bind = default;
            bind.RemoteDom = remoteDom;
            bind.RemotePort = remotePort;
            long rc = Hypercalls.EventChannelOp(EventChannelOp.BindInterdomain, &bind);
            return rc < 0 ? rc : bind.LocalPort;
        }

        /// <summary>EVTCHNOP_status of <paramref name="port"/> of <paramref name="dom"/> into
        /// <paramref name="status"/> (only dom and port are set here: the hypervisor writes status, vcpu and the union members of the port's kind).</summary>
        public static long Status(ushort dom, uint port, EvtchnStatus* status)
        {
            status->Dom = dom;
            status->Port = port;
            return Hypercalls.EventChannelOp(EventChannelOp.Status, status);
        }

        /// <summary>EVTCHNOP_bind_vcpu: notifications of <paramref name="port"/> go to <paramref name="vcpu"/>.</summary>
        public static long BindVcpu(uint port, uint vcpu)
        {
            EvtchnBindVcpu bind;
            bind.Port = port;
            bind.Vcpu = vcpu;
            return Hypercalls.EventChannelOp(EventChannelOp.BindVcpu, &bind);
        }

        /// <summary>EVTCHNOP_unmask: clears the mask bit and raises the upcall if the port is pending.</summary>
        public static long Unmask(uint port)
        {
            EvtchnUnmask unmask;
            unmask.Port = port;
            return Hypercalls.EventChannelOp(EventChannelOp.Unmask, &unmask);
        }

        /// <summary>EVTCHNOP_reset: closes every port of <paramref name="dom"/>.</summary>
        public static long Reset(ushort dom)
        {
            EvtchnReset reset;
            reset.Dom = dom;
            return Hypercalls.EventChannelOp(EventChannelOp.Reset, &reset);
        }

        public static long Send(uint port)
        {
            EvtchnSend send;
            send.Port = port;
            return Hypercalls.EventChannelOp(EventChannelOp.Send, &send);
        }

        public static long Close(uint port)
        {
            EvtchnClose close;
            close.Port = port;
            return Hypercalls.EventChannelOp(EventChannelOp.Close, &close);
        }

        /// <summary>The port's pending bit in shared info.</summary>
        public static bool IsPending(uint port)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            return shared != null && (shared->EvtchnPending[port / 64] & (1UL << (int)(port % 64))) != 0;
        }

        /// <summary>Clears the port's pending bit (the guest's part of handling an event).</summary>
        public static void ClearPending(uint port)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            if (shared != null)
                Atomic.TestAndClear(&shared->EvtchnPending[port / 64], (int)(port % 64));
        }

        /// <summary>The port's mask bit in shared info.</summary>
        public static bool IsMasked(uint port)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            return shared != null && (shared->EvtchnMask[port / 64] & (1UL << (int)(port % 64))) != 0;
        }

        /// <summary>Sets the port's mask bit: it stays pending when sent, but raises no selector bit and no
        /// upcall. The guest clears it with <see cref="Unmask"/> (or by hand, then checks pending itself).</summary>
        public static void Mask(uint port)
        {
            SharedInfo* shared = SharedInfoPage.Get();
            if (shared != null)
                Atomic.TestAndSet(&shared->EvtchnMask[port / 64], (int)(port % 64));
        }
    }
}
