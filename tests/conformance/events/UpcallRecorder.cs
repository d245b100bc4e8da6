using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// An event handler for the upcall tests. For each of the first upcalls it records what the handler
    /// sees: the selector the kit took from vcpu_info, the pending and unmasked ports of words 0 and 1,
    /// vcpu_info's upcall mask inside the handler, the saved mask and RFLAGS of the frame, and RCX, R11
    /// and RFLAGS at the entry. It then
    /// handles the ports it saw (clears their pending bits), as a guest does. On the first upcall it can
    /// send on a port (<see cref="RaiseOnFirst"/>), to show that an event raised during handling is
    /// delivered after it.
    /// </summary>
    internal static unsafe class UpcallRecorder
    {
        public const int MaxRecords = 4;

        private static ulong s_count;
        private static ulong[] s_selector = new ulong[MaxRecords];
        private static ulong[] s_pending0 = new ulong[MaxRecords];
        private static ulong[] s_pending1 = new ulong[MaxRecords];
        private static byte[] s_maskInside = new byte[MaxRecords];
        private static byte[] s_savedMask = new byte[MaxRecords];
        private static ulong[] s_rflags = new ulong[MaxRecords];
        private static HandlerEntry[] s_entry = new HandlerEntry[MaxRecords];
        private static uint s_raiseOnFirst;
        private static long s_raiseResult;
        private static byte s_upcallPendingAfterRaise;
        private static ulong s_selectorAfterRaise;

        /// <summary>Installs the handler and forgets earlier records.</summary>
        public static void Start()
        {
            Reset();
            GuestCallbacks.SetEventHook(&OnEvent);
        }

        public static void Stop() => GuestCallbacks.SetEventHook(null);

        public static void Reset()
        {
            s_count = 0;
            s_raiseOnFirst = 0;
            s_raiseResult = 1;
            s_upcallPendingAfterRaise = 0;
            s_selectorAfterRaise = 0;
            for (int i = 0; i < MaxRecords; i++)
            {
                s_selector[i] = 0;
                s_pending0[i] = 0;
                s_pending1[i] = 0;
                s_maskInside[i] = 0xFF;
                s_savedMask[i] = 0xFF;
                s_rflags[i] = 0;
                s_entry[i] = default;
            }
        }

        /// <summary>Upcalls since <see cref="Reset"/>.</summary>
        public static ulong Count => s_count;

        /// <summary>The port the first upcall's handler sends on (0: none).</summary>
        public static uint RaiseOnFirst { get => s_raiseOnFirst; set => s_raiseOnFirst = value; }
        public static long RaiseResult => s_raiseResult;
        /// <summary>vcpu_info's upcall-pending flag and selector right after that send.</summary>
        public static byte UpcallPendingAfterRaise => s_upcallPendingAfterRaise;
        public static ulong SelectorAfterRaise => s_selectorAfterRaise;

        public static ulong Selector(int i) => s_selector[i];
        public static ulong PendingWord0(int i) => s_pending0[i];
        public static ulong PendingWord1(int i) => s_pending1[i];
        public static byte MaskInside(int i) => s_maskInside[i];
        public static byte SavedMask(int i) => s_savedMask[i];
        public static ulong Rflags(int i) => s_rflags[i];

        /// <summary>RCX, R11 and RFLAGS as the upcall's entry found them (<see cref="TrapTable.LastEntry"/>).</summary>
        public static HandlerEntry Entry(int i) => s_entry[i];

        /// <summary>True when record <paramref name="i"/> saw <paramref name="port"/> (in word 0 or 1) pending.</summary>
        public static bool SawPending(int i, uint port)
        {
            ulong word = port < 64 ? s_pending0[i] : s_pending1[i];
            return (word & (1UL << (int)(port % 64))) != 0;
        }

        private static void OnEvent(TrapFrame* frame)
        {
            ulong index = s_count++;
            if (index >= MaxRecords)
                return;
            int i = (int)index;
            SharedInfo* shared = SharedInfoPage.Get();
            VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(shared, 0);
            s_selector[i] = GuestCallbacks.TakePendingWords();
            s_maskInside[i] = vcpu->EvtchnUpcallMask;
            s_savedMask[i] = TrapFrame.SavedUpcallMask(frame);
            s_rflags[i] = frame->Rflags;
            s_entry[i] = TrapTable.LastEntry;
            ulong seen0 = shared->EvtchnPending[0] & ~shared->EvtchnMask[0];
            ulong seen1 = shared->EvtchnPending[1] & ~shared->EvtchnMask[1];
            s_pending0[i] = seen0;
            s_pending1[i] = seen1;
            Handle(&shared->EvtchnPending[0], seen0);
            Handle(&shared->EvtchnPending[1], seen1);
            if (i == 0 && s_raiseOnFirst != 0)
            {
                // Events are masked in here: the send only marks the port, the upcall comes after the return.
                s_raiseResult = EventChannels.Send(s_raiseOnFirst);
                s_upcallPendingAfterRaise = vcpu->EvtchnUpcallPending;
                s_selectorAfterRaise = vcpu->EvtchnPendingSel;
            }
        }

        private static void Handle(ulong* word, ulong bits)
        {
            for (int bit = 0; bit < 64; bit++)
            {
                if ((bits & (1UL << bit)) != 0)
                    Atomic.TestAndClear(word, bit);
            }
        }
    }
}
