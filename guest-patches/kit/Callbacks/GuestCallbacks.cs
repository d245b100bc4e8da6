using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The callbacks a PV kernel registers with callback_op: the event upcall, the failsafe callback and
    /// the syscall entry from user mode (asm/user.asm). Their stubs join the trap path with a
    /// pseudo-vector (<see cref="EventVector"/>, ...), and <see cref="Dispatch"/> handles them:
    /// an event clears the vCPU's upcall-pending flag, takes its pending selector (so that the hypervisor
    /// signals the next event on those words again; the ports' pending bits stay for the guest to read
    /// and clear) and calls the hook of <see cref="SetEventHook"/>;
    /// a syscall goes to <see cref="UserMode"/>; a failsafe callback is reported and crashes the guest.
    /// Events must not be unmasked before <see cref="Register"/>: Xen crashes a domain whose pending event
    /// has no callback to go to.
    /// </summary>
    public static unsafe class GuestCallbacks
    {
        /// <summary>Pseudo-vectors in <see cref="TrapFrame.Vector"/> (kit.inc KIT_VECTOR_*).</summary>
        public const ulong EventVector = 0x100;
        public const ulong FailsafeVector = 0x101;
        public const ulong SyscallVector = 0x102;

        [RuntimeImport("kit_callback_entry"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong EntryOf(ulong type);

        [RuntimeImport("kit_failsafe_segments_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong* FailsafeSegments();

        private static bool s_registered;
        private static string s_failedStep = "none";
        private static ulong s_events;
        private static delegate*<TrapFrame*, void> s_eventHook;
        private static ulong s_pendingWords;

        /// <summary>The entry stub of a callback type (<see cref="CallbackType"/> event, failsafe, syscall).</summary>
        public static ulong Entry(ushort type) => EntryOf(type);

        public static bool Registered => s_registered;
        public static string FailedStep => s_failedStep;

        /// <summary>Event upcalls seen.</summary>
        public static ulong Events => s_events;

        /// <summary>The pending-selector bits (words of evtchn_pending with a port pending) taken by the
        /// upcalls so far and not yet claimed with <see cref="TakePendingWords"/>.</summary>
        public static ulong PendingWords => s_pendingWords;

        /// <summary>Returns <see cref="PendingWords"/> and forgets them.</summary>
        public static ulong TakePendingWords()
        {
            ulong words = s_pendingWords;
            s_pendingWords = 0;
            return words;
        }

        /// <summary>Registers event, failsafe (both with events masked on entry) and syscall (masking events,
        /// like Linux). 0 or the first negative errno (<see cref="FailedStep"/> names it).</summary>
        public static long Register()
        {
            if (s_registered)
                return 0;
            long rc = Hypercalls.RegisterCallback(CallbackType.Event, 0, Entry(CallbackType.Event));
            if (rc != 0)
                return Failed("callback_op register event", rc);
            rc = Hypercalls.RegisterCallback(CallbackType.Failsafe, CallbackFlags.MaskEvents, Entry(CallbackType.Failsafe));
            if (rc != 0)
                return Failed("callback_op register failsafe", rc);
            rc = Hypercalls.RegisterCallback(CallbackType.Syscall, CallbackFlags.MaskEvents, Entry(CallbackType.Syscall));
            if (rc != 0)
                return Failed("callback_op register syscall", rc);
            s_registered = true;
            return 0;
        }

        private static long Failed(string step, long rc)
        {
            s_failedStep = step;
            return rc;
        }

        /// <summary>Called for every event upcall (after the pending flag is cleared); null removes it.</summary>
        public static void SetEventHook(delegate*<TrapFrame*, void> hook) => s_eventHook = hook;

        /// <summary>The C# side of the callbacks (from the trap path).</summary>
        internal static void Dispatch(TrapFrame* frame)
        {
            switch (frame->Vector)
            {
                case EventVector:
                    s_events++;
                    SharedInfo* shared = SharedInfoPage.Get();
                    if (shared != null)
                    {
                        VcpuInfo* vcpu = SharedInfo.VcpuInfoOf(shared, 0);
                        vcpu->EvtchnUpcallPending = 0;
                        s_pendingWords |= Atomic.Exchange(&vcpu->EvtchnPendingSel, 0);
                    }
                    if (s_eventHook != null)
                        s_eventHook(frame);
                    return;
                case SyscallVector:
                    UserMode.OnSyscall(frame);
                    return;
                default:
                    ulong* s = FailsafeSegments();
                    GuestConsole.Line().Text("kit: fatal: failsafe callback at RIP=").Hex(frame->Rip, 16).Text(" CS=").Hex(frame->Cs & 0xFFFF, 4)
                        .Text(" DS=").Hex(s[0] & 0xFFFF, 4).Text(" ES=").Hex(s[1] & 0xFFFF, 4).Text(" FS=").Hex(s[2] & 0xFFFF, 4)
                        .Text(" GS=").Hex(s[3] & 0xFFFF, 4).Text(": the hypervisor could not load the guest's segments").End();
                    GuestShutdown.Shutdown(ShutdownReason.Crash);
                    return;
            }
        }
    }
}
