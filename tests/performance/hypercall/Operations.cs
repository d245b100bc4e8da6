using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The operations the benchmark times, each a static method taking the iteration number, and what
    /// they need prepared: a 64-byte console line, a window page whose L1 entry the page-table operations
    /// switch between two frames of ours (so that every update is a real change of frame, validated in
    /// full), the lean #UD handler of bench.asm, and user mode (set up by the kit, entered and left by
    /// bench.asm's lean routines with its own syscall callback).
    /// </summary>
    internal static unsafe class Operations
    {
        [RuntimeImport("bench_ud2"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void Ud2Instruction();

        [RuntimeImport("bench_ud_handler_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong UdHandlerAddress();

        [RuntimeImport("bench_user_trip"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void UserTrip(ulong userStack);

        [RuntimeImport("bench_user_syscalls"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void UserSyscallLoop(ulong userStack, ulong count);

        [RuntimeImport("bench_syscall_entry_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong SyscallEntryAddress();

        private const ulong VirtBase = 0xFFFFFFFF80000000UL;
        private const ulong DataRw = PageFlags.Present | PageFlags.Writable | PageFlags.Accessed | PageFlags.Dirty;

        /// <summary>What the console line starts with (so that it is recognisable in the run logs).</summary>
        public const string PayloadPrefix = "bench-payload: console_io write of 64 bytes ";
        public const int PayloadLength = 64;

        private static byte* s_payload;
        private static MmuUpdate* s_requests;
        private static ulong* s_entries;
        private static ulong s_window;
        private static ulong s_windowEntry;

        public static void Empty(ulong i)
        {
        }

        public static void NullHypercall(ulong i) => Hypercalls.XenVersion(XenVersionCommand.Version, null);

        public static void ConsoleWrite(ulong i) => Hypercalls.ConsoleWrite(s_payload, PayloadLength);

        /// <summary>One normal update of the window's L1 entry: frame 1 on even iterations, frame 2 on odd ones.</summary>
        public static long MmuUpdateL1Result(ulong i)
            => Hypercalls.Raw(HypercallNumber.MmuUpdate, (ulong)(s_requests + (i & 1)), 1, 0, DomainId.Self, 0);

        public static void MmuUpdateL1(ulong i) => MmuUpdateL1Result(i);

        /// <summary>The same change of frame through update_va_mapping, with the one-page flush (UVMF_INVLPG).</summary>
        public static long UpdateVaMappingResult(ulong i)
            => Hypercalls.UpdateVaMapping(s_window, s_entries[i & 1], UpdateVaMappingFlags.Invlpg);

        public static void UpdateVaMapping(ulong i) => UpdateVaMappingResult(i);

        public static void TrapBounce(ulong i) => Ud2Instruction();

        /// <summary>Kernel -> user -> kernel: iret into user mode, whose first instruction is a syscall back.</summary>
        public static void UserRoundTrip(ulong i) => UserTrip(UserMode.StackTop);

        /// <summary>One stay in user mode making <see cref="Measure.Iterations"/> syscalls, each answered at
        /// once with iret (VGCF_in_syscall).</summary>
        public static void UserSyscalls(ulong i) => UserSyscallLoop(UserMode.StackTop, Measure.Iterations);

        /// <summary>The console line: the prefix, dots, a newline; 64 bytes.</summary>
        public static void PreparePayload()
        {
            s_payload = GuestMemory.Allocate(PayloadLength);
            for (int i = 0; i < PayloadLength; i++)
                s_payload[i] = i < PayloadPrefix.Length ? (byte)PayloadPrefix[i] : (byte)'.';
            s_payload[PayloadLength - 1] = (byte)'\n';
        }

        /// <summary>The window and its two frames; 0 when ready, else why not (a negative errno or 1: the
        /// window's L1 entry was not found).</summary>
        public static long PreparePageTables()
        {
            ulong pages = (ulong)GuestMemory.AllocatePages(3);
            s_window = pages;
            s_windowEntry = L1EntryMachineAddress(pages);
            if (s_windowEntry == 0)
                return 1;
            s_requests = (MmuUpdate*)GuestMemory.Allocate(2 * (ulong)sizeof(MmuUpdate));
            s_entries = (ulong*)GuestMemory.Allocate(16);
            for (ulong k = 0; k < 2; k++)
            {
                s_entries[k] = (MachineFrames.Of(pages + (k + 1) * PageFlags.PageSize) << 12) | DataRw;
                s_requests[k].Ptr = s_windowEntry;
                s_requests[k].Val = s_entries[k];
            }
            return 0;
        }

        /// <summary>The window maps its own frame again.</summary>
        public static void RestoreWindow()
            => Hypercalls.UpdateVaMapping(s_window, (MachineFrames.Of(s_window) << 12) | DataRw, UpdateVaMappingFlags.Invlpg);

        /// <summary>Installs the lean #UD handler (set_trap_table with that entry alone).</summary>
        public static long InstallUdHandler() => TrapTable.SetEntry(TrapNames.InvalidOpcode, 0, true, UdHandlerAddress());

        /// <summary>The kit's own #UD entry again.</summary>
        public static long RestoreUdHandler() => TrapTable.SetEntry(TrapNames.InvalidOpcode, 0, true);

        /// <summary>The benchmark's syscall callback in place of the kit's (events masked on entry, as the kit's).</summary>
        public static long InstallSyscallEntry()
            => Hypercalls.RegisterCallback(CallbackType.Syscall, CallbackFlags.MaskEvents, SyscallEntryAddress());

        public static long RestoreSyscallEntry()
            => Hypercalls.RegisterCallback(CallbackType.Syscall, CallbackFlags.MaskEvents, GuestCallbacks.Entry(CallbackType.Syscall));

        /// <summary>The machine address of the L1 entry that maps <paramref name="va"/> (a page of the
        /// bootstrap region), found by walking the tables from pt_base through the M2P table; 0 if not found.</summary>
        private static ulong L1EntryMachineAddress(ulong va)
        {
            StartInfo* start = StartOfDay.StartInfo;
            ulong tableVa = start->PtBase;
            ulong tableMfn = MachineFrames.Of(tableVa);
            for (int level = 4; level >= 1; level--)
            {
                ulong index = (va >> (12 + 9 * (level - 1))) & 511;
                if (level == 1)
                    return (tableMfn << 12) + index * 8;
                ulong entry = *(ulong*)(tableVa + index * 8);
                if ((entry & PageFlags.Present) == 0 || (entry & (1UL << 7)) != 0)
                    return 0;
                tableMfn = (entry & PageFlags.FrameMask) >> 12;
                if (!Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + tableMfn * 8, out ulong pfn) || pfn >= start->NrPages)
                    return 0;
                tableVa = VirtBase + pfn * PageFlags.PageSize;
            }
            return 0;
        }
    }
}
