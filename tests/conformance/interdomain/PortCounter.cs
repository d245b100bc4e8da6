using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The event upcall handler of both domains, as a PV kernel's: for each word the selector names, it
    /// takes the pending and unmasked ports, clears each port's pending bit and then handles it: counts
    /// the upcall for the port, notes the sequence word's value at that moment (the last value seen must
    /// be the last one written before the last send: no lost edge), and sends back on the port if it
    /// echoes. For a port marked so, it then yields the CPU inside the handler (twice), so that the sender runs
    /// while the handler has not returned, and counts the sends that arrived meanwhile (the port pending
    /// again). Ports up to <see cref="MaxPorts"/> are counted.
    /// </summary>
    internal static unsafe class PortCounter
    {
        public const int MaxPorts = 256;
        private const ulong YieldInHandlerNs = 2000000UL;

        private static ulong[] s_upcalls = new ulong[MaxPorts];
        private static ulong[] s_lastSequence = new ulong[MaxPorts];
        private static bool[] s_echo = new bool[MaxPorts];
        private static bool[] s_yield = new bool[MaxPorts];
        private static ulong[] s_arrivedWhileHandling = new ulong[MaxPorts];
        private static ulong* s_sequence;
        private static ulong s_total;

        /// <summary>Installs the handler; <paramref name="sequence"/> is the word it notes (may be null).</summary>
        public static void Install(ulong* sequence)
        {
            s_sequence = sequence;
            GuestCallbacks.SetEventHook(&OnEvent);
        }

        public static ulong Total => s_total;

        public static ulong Upcalls(uint port) => port < MaxPorts ? s_upcalls[port] : 0;

        public static ulong LastSequence(uint port) => port < MaxPorts ? s_lastSequence[port] : 0;

        /// <summary>Sends that arrived for the port while its handler ran (yielding).</summary>
        public static ulong ArrivedWhileHandling(uint port) => port < MaxPorts ? s_arrivedWhileHandling[port] : 0;

        public static void SetEcho(uint port, bool on)
        {
            if (port < MaxPorts)
                s_echo[port] = on;
        }

        public static void SetYieldInHandler(uint port, bool on)
        {
            if (port < MaxPorts)
                s_yield[port] = on;
        }

        /// <summary>Masks events and forgets the vCPU's selector and upcall-pending flag (and the words the
        /// kit took from the selector), so that what is raised next is all there is.</summary>
        public static void Quiesce()
        {
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            vcpu->EvtchnUpcallMask = 1;
            vcpu->EvtchnUpcallPending = 0;
            Atomic.Exchange(&vcpu->EvtchnPendingSel, 0);
            GuestCallbacks.TakePendingWords();
        }

        /// <summary>Enables events for one hypercall, which lets any pending upcall in (as a guest does
        /// after clearing its mask), then masks them again.</summary>
        public static void LetUpcallsIn()
        {
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);
            vcpu->EvtchnUpcallMask = 0;
            Hypercalls.XenVersion(XenVersionCommand.Version, null);
            vcpu->EvtchnUpcallMask = 1;
        }

        private static void OnEvent(TrapFrame* frame)
        {
            s_total++;
            SharedInfo* shared = SharedInfoPage.Get();
            ulong words = GuestCallbacks.TakePendingWords();
            for (int w = 0; w < MaxPorts / 64; w++)
            {
                if ((words & (1UL << w)) == 0)
                    continue;
                ulong ready = shared->EvtchnPending[w] & ~shared->EvtchnMask[w];
                for (int bit = 0; bit < 64; bit++)
                {
                    if ((ready & (1UL << bit)) == 0 || !Atomic.TestAndClear(&shared->EvtchnPending[w], bit))
                        continue;
                    uint port = (uint)(w * 64 + bit);
                    s_upcalls[port]++;
                    if (s_sequence != null)
                        s_lastSequence[port] = *s_sequence;
                    if (s_echo[port])
                        EventChannels.Send(port);
                    if (s_yield[port])
                    {
                        // Twice at least: whether or not waking this domain preempted the sender, the
                        // sender gets to run (and send) before the handler returns. With a CPU each the
                        // two run side by side: the handler then goes on yielding a little while for
                        // the next send.
                        Hypercalls.Yield();
                        Hypercalls.Yield();
                        ulong giveUp = GuestClock.Now() + YieldInHandlerNs;
                        while (!EventChannels.IsPending(port) && GuestClock.Now() < giveUp)
                            Hypercalls.Yield();
                        if (EventChannels.IsPending(port))
                            s_arrivedWhileHandling[port]++;
                    }
                }
            }
        }
    }
}
