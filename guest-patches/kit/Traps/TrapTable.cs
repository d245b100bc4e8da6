using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The guest's virtual IDT: set_trap_table with the kit's entry stubs (asm/traps.asm) for the 32
    /// exception vectors, and the C# side of every trap. A trap first meets the probes' fixups
    /// (<see cref="Probe"/>), then the hook a test may install; a trap from user mode then ends the
    /// user-mode run (<see cref="UserMode.Run"/>), any other is fatal: the kit prints what happened and
    /// shuts the domain down as crashed. The callbacks (events, syscalls) arrive here too, with
    /// pseudo-vectors above 255, and go to <see cref="GuestCallbacks"/>.
    /// </summary>
    public static unsafe class TrapTable
    {
        /// <summary>Vectors the kit installs handlers for: the architectural exceptions.</summary>
        public const int ExceptionVectors = 32;

        [RuntimeImport("kit_trap_stub_table"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong* StubTable();

        [RuntimeImport("kit_fixup_table"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong* FixupTable();

        [RuntimeImport("kit_iret_flags_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong* IretFlagsAddress();

        [RuntimeImport("kit_handler_entry_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern HandlerEntry* HandlerEntryAddress();

        private static delegate*<TrapFrame*, bool> s_hook;
        private static long s_installResult = 1;
        private static ulong s_count;
        private static ulong s_lastVector;
        private static ulong s_lastErrorCode;
        private static ulong s_lastRip;
        private static ulong s_lastFaultAddress;
        private static TrapFrame* s_lastFrame;
        private static ulong s_lastFrameAddress;
        private static byte s_lastUpcallMask;
        private static HandlerEntry s_lastEntry;

        /// <summary>What set_trap_table returned at start of day (1: not called yet).</summary>
        public static long InstallResult => s_installResult;

        /// <summary>Traps seen so far (fixed-up probes and hooked traps included).</summary>
        public static ulong Count => s_count;
        public static ulong LastVector => s_lastVector;
        public static ulong LastErrorCode => s_lastErrorCode;
        public static ulong LastRip => s_lastRip;

        /// <summary>For a page fault: the address, from the vCPU's shared info (arch.cr2).</summary>
        public static ulong LastFaultAddress => s_lastFaultAddress;

        /// <summary>A copy of the last trap's frame as the handler found it (before any fixup or hook
        /// changed it); null before the first trap.</summary>
        public static TrapFrame* LastFrame => s_lastFrame;

        /// <summary>Where that frame was: <see cref="TrapFrame.XenFrameEnd"/> of it tells where Xen put its
        /// bounce frame.</summary>
        public static TrapFrame* LastFrameAddress => (TrapFrame*)s_lastFrameAddress;

        /// <summary>The vCPU's event mask (evtchn_upcall_mask) as the last trap's handler found it.</summary>
        public static byte LastUpcallMask => s_lastUpcallMask;

        /// <summary>RCX, R11 and RFLAGS as the entry of the last trap or callback found them (before its
        /// handler ran): a callback's hook sees its own.</summary>
        public static HandlerEntry LastEntry => s_lastEntry;

        /// <summary>Registers the stubs for the exception vectors. Software interrupts from user mode are
        /// allowed for #BP and #OF only (DPL 3), as on bare metal; every entry masks events.</summary>
        public static long Install()
        {
            ulong* stubs = StubTable();
            TrapInfo* table = stackalloc TrapInfo[ExceptionVectors + 1];
            for (int vector = 0; vector < ExceptionVectors; vector++)
            {
                table[vector].Vector = (byte)vector;
                bool userMayRaise = vector == TrapNames.Breakpoint || vector == 4;
                table[vector].Flags = (byte)((userMayRaise ? 3 : 0) | TrapInfoFlags.DisableEvents);
                table[vector].Cs = FlatSelector.KernelCs;
                table[vector].Address = stubs[vector];
            }
            table[ExceptionVectors].Vector = 0;
            table[ExceptionVectors].Flags = 0;
            table[ExceptionVectors].Cs = 0;
            table[ExceptionVectors].Address = 0;
            s_installResult = Hypercalls.SetTrapTable(table);
            return s_installResult;
        }

        /// <summary>The kit's entry stub for any vector (0-255): it takes Xen's frame and joins the common
        /// trap path.</summary>
        public static ulong StubAddress(int vector) => StubTable()[vector & 255];

        /// <summary>Installs (or replaces) one entry of the virtual IDT with the kit's stub: set_trap_table with
        /// that entry alone (Xen updates the entries given and keeps the others). <paramref name="privilege"/>
        /// is the lowest privilege allowed to raise it with <c>int n</c> (0 nobody, 1-2 the guest kernel, 3
        /// user mode too); <paramref name="disableEvents"/> masks events on entry.</summary>
        public static long SetEntry(int vector, int privilege, bool disableEvents)
            => SetEntry(vector, privilege, disableEvents, StubAddress(vector));

        /// <summary>As <see cref="SetEntry(int, int, bool)"/> with any handler address.</summary>
        public static long SetEntry(int vector, int privilege, bool disableEvents, ulong address)
        {
            TrapInfo* table = stackalloc TrapInfo[2];
            table[0].Vector = (byte)vector;
            table[0].Flags = (byte)((privilege & TrapInfoFlags.PrivilegeLevelMask) | (disableEvents ? TrapInfoFlags.DisableEvents : 0));
            table[0].Cs = FlatSelector.KernelCs;
            table[0].Address = address;
            table[1] = default;
            return Hypercalls.SetTrapTable(table);
        }

        /// <summary>From a handler: the flags word of the iret hypercall that returns from this trap (e.g.
        /// <see cref="IretFlags.InSyscall"/>); it applies to the next return only.</summary>
        public static void SetIretFlags(ulong flags) => *IretFlagsAddress() = flags;

        /// <summary>A handler that sees every trap the probes did not claim; it returns true when it
        /// handled the trap (the frame may be changed) and false to let the kit report it. Null removes it.</summary>
        public static void SetHook(delegate*<TrapFrame*, bool> hook) => s_hook = hook;

        [RuntimeExport("kit_trap")]
        private static void OnTrap(TrapFrame* frame)
        {
            s_lastEntry = *HandlerEntryAddress();
            if (frame->Vector >= GuestCallbacks.EventVector)
            {
                GuestCallbacks.Dispatch(frame);
                return;
            }
            s_count++;
            SharedInfo* shared = SharedInfoPage.Get();
            s_lastUpcallMask = shared == null ? (byte)0xFF : SharedInfo.VcpuInfoOf(shared, 0)->EvtchnUpcallMask;
            if (s_lastFrame == null)
                s_lastFrame = (TrapFrame*)GuestMemory.Allocate((ulong)sizeof(TrapFrame));
            *s_lastFrame = *frame;
            s_lastFrameAddress = (ulong)frame;
            s_lastVector = frame->Vector;
            s_lastErrorCode = frame->ErrorCode;
            s_lastRip = frame->Rip;
            s_lastFaultAddress = frame->Vector == TrapNames.PageFault ? SharedInfoPage.ReadFaultAddress() : 0;

            for (ulong* fixup = FixupTable(); fixup[0] != 0; fixup += 2)
            {
                if (fixup[0] == frame->Rip)
                {
                    frame->Rip = fixup[1];
                    frame->Rax = frame->Vector + 1;
                    return;
                }
            }
            if (s_hook != null && s_hook(frame))
                return;
            if (TrapFrame.FromUserMode(frame))
            {
                if (UserMode.Active)
                    UserMode.OnUnhandledTrap(frame, s_lastFaultAddress);
            }
            else if (GuardedCall.TryRecover(frame))
            {
                return;
            }
            Report(frame);
            GuestShutdown.Shutdown(ShutdownReason.Crash);
        }

        private static void Report(TrapFrame* f)
        {
            GuestConsole.Line().Text("kit: fatal trap ").Text(TrapNames.Mnemonic(f->Vector)).Text(" (vector ").Dec(f->Vector)
                .Text(", ").Text(TrapNames.Meaning(f->Vector)).Text("), error code ").Hex(f->ErrorCode, 4)
                .Text(" at RIP=").Hex(f->Rip, 16).End();
            if (f->Vector == TrapNames.PageFault)
            {
                GuestConsole.Line().Text("kit:   address ").Hex(s_lastFaultAddress, 16).Text(" (")
                    .Text((f->ErrorCode & 1) != 0 ? "protection, " : "not present, ")
                    .Text((f->ErrorCode & 2) != 0 ? "write" : "read")
                    .Text((f->ErrorCode & 16) != 0 ? ", instruction fetch)" : ")").End();
            }
            ulong page = StartOfDay.Image.HypercallPage;
            if (f->Rip >= page && f->Rip < page + 4096)
            {
                ulong slot = (f->Rip - page) / (ulong)HypercallNumber.StubSize;
                GuestConsole.Line().Text("kit:   RIP is in the hypercall page: stub of hypercall ").Dec(slot)
                    .Text(" + ").Dec((f->Rip - page) % (ulong)HypercallNumber.StubSize)
                    .Text(slot == HypercallNumber.Iret ? " (the iret hypercall returned to its stub)" : "").End();
            }
            GuestConsole.Line().Text("kit:   CS=").Hex(f->Cs & 0xFFFF, 4).Text(" RFLAGS=").Hex(f->Rflags, 8)
                .Text(" RSP=").Hex(f->Rsp, 16).Text(" SS=").Hex(f->Ss & 0xFFFF, 4).End();
            GuestConsole.Line().Text("kit:   RAX=").Hex(f->Rax, 16).Text(" RBX=").Hex(f->Rbx, 16).Text(" RCX=").Hex(f->Rcx, 16).Text(" RDX=").Hex(f->Rdx, 16).End();
            GuestConsole.Line().Text("kit:   RSI=").Hex(f->Rsi, 16).Text(" RDI=").Hex(f->Rdi, 16).Text(" RBP=").Hex(f->Rbp, 16).Text(" R8 =").Hex(f->R8, 16).End();
            GuestConsole.Line().Text("kit:   R9 =").Hex(f->R9, 16).Text(" R10=").Hex(f->R10, 16).Text(" R11=").Hex(f->R11, 16).Text(" R12=").Hex(f->R12, 16).End();
            GuestConsole.Line().Text("kit:   R13=").Hex(f->R13, 16).Text(" R14=").Hex(f->R14, 16).Text(" R15=").Hex(f->R15, 16).End();
        }
    }
}
