using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Event channels on the 2-level ABI: event_channel_op wrappers for binding, sending and closing,
    /// and the pending and mask bits in shared info. Binding does not unmask events for the vCPU: that is
    /// the upcall mask, which the guest opens only once <see cref="GuestCallbacks.Register"/> ran.
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
                shared->EvtchnPending[port / 64] &= ~(1UL << (int)(port % 64));
        }
    }
}
