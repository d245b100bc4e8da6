using System.Runtime.InteropServices;

namespace Hypervisor.Arch.X86_64
{
    // One CPU's own data, a block per CPU in asm/percpu.asm's percpu_area, indexed by the CPU's index
    // (0 the boot CPU, then the others in MADT order). The first fields are the entry code's (their
    // offsets are in asm/percpu.inc). A CPU finds its index in its task register: CPU i's TSS selector
    // is 0xe040 + 64 * i (DescriptorTables), read with STR; see percpu.inc for why not GS, the stack or
    // LSL. So the block is reachable from trap entry, from a guest or not, without swapgs.
    //
    // Fields another CPU reads or writes (State, WakeRequested, the counters, the requests) go through
    // Cpu.Atomic*.
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    internal unsafe struct PerCpu
    {
        public const int Size = 256;                 // PERCPU_SIZE
        public const int MaxCpus = 64;               // MAX_CPUS: percpu_area and the SYSCALL stubs

        // The entry code's (asm/percpu.inc).
        [FieldOffset(0)] public ulong SyscallGuestRsp;
        [FieldOffset(8)] public ulong GuestEntryStackTop;
        [FieldOffset(16)] public ulong HypervisorExitStackTop;
        [FieldOffset(24)] public byte GuestTaskSwitched;
        /// <summary>This CPU holds the core lock and gives it back on its way out (asm/corelock.asm).</summary>
        [FieldOffset(25)] public byte CoreLockHeld;
        /// <summary>Free frames wait to be scrubbed: the idle loop, instead of halting, raises
        /// <see cref="GuestExecution.IdleScrubVector"/> to scrub a batch (asm/traps.asm).</summary>
        [FieldOffset(26)] public byte IdleScrubPending;
        /// <summary>What the exit path adds to, instead of the lock's count, when this CPU does not hold
        /// the core lock (asm/traps.asm: the address is chosen without a branch).</summary>
        [FieldOffset(28)] public int UnlockSink;
        /// <summary>Set by a switch of vCPUs: the exit path FXSAVEs the old guest's FPU state here
        /// (unless null) and FXRSTORs the new one's from <see cref="FpuSwitchLoad"/>.</summary>
        [FieldOffset(32)] public void* FpuSwitchSave;
        [FieldOffset(40)] public void* FpuSwitchLoad;

        [FieldOffset(48)] public int Index;
        [FieldOffset(52)] public uint ApicId;
        [FieldOffset(56)] public ulong GdtBase;
        [FieldOffset(64)] public ulong TssBase;
        /// <summary>The stack the CPU starts on and idles on (the boot CPU's is in the image).</summary>
        [FieldOffset(72)] public ulong IdleStackTop;
        /// <summary>A <see cref="CpuState"/>, written by the CPU itself and by the one starting it.</summary>
        [FieldOffset(80)] public int State;
        /// <summary>Set by the IPI handler, cleared by the idle loop, which then runs <see cref="WakeHook"/>.</summary>
        [FieldOffset(84)] public int WakeRequested;
        /// <summary>Timer interrupts taken on this CPU.</summary>
        [FieldOffset(88)] public ulong Ticks;
        /// <summary>IPIs taken on this CPU (<see cref="LocalApic.IpiVector"/>).</summary>
        [FieldOffset(96)] public ulong IpisReceived;
        /// <summary>Called by the start-of-day idle loop (interrupts off) after an IPI woke it; may never
        /// return: GuestExecution starts the CPU's schedule loop from it.</summary>
        [FieldOffset(112)] public delegate*<int, void> WakeHook;
        /// <summary>Whether the CPU's timer interrupted it when it started (1) or not (0).</summary>
        [FieldOffset(120)] public int TimerFired;
        /// <summary>What other CPUs ask of this one (<see cref="CrossCpuRequests"/>): request bits, and the
        /// sequence numbers of requests made and served.</summary>
        [FieldOffset(124)] public int Requests;
        [FieldOffset(128)] public int RequestsMade;
        [FieldOffset(132)] public int RequestsServed;
        /// <summary>The address of this CPU's GuestCpu (objects do not move in this runtime): the exit
        /// paths reach it from the block they already have, without the array of them.</summary>
        [FieldOffset(136)] public void* Guest;

        private static int s_count;

        /// <summary>The block of CPU <paramref name="index"/> (0 &lt;= index &lt; <see cref="MaxCpus"/>).</summary>
        public static PerCpu* Of(int index) => Cpu.PerCpuArea() + index;

        /// <summary>The calling CPU's index (0 on the boot CPU, also before its task register is loaded).</summary>
        public static int CurrentCpu => Cpu.CurrentIndex();

        /// <summary>The calling CPU's block.</summary>
        public static PerCpu* Current => Cpu.PerCpuArea() + Cpu.CurrentIndex();

        /// <summary>CPUs online: indexes 0 to CpuCount - 1 (1 until the others are started).</summary>
        public static int CpuCount => s_count == 0 ? 1 : s_count;

        /// <summary>Called by the boot CPU once the others are up; indexes are dense.</summary>
        public static void SetCpuCount(int count) => s_count = count;

        public bool IsOnline
        {
            get
            {
                fixed (int* state = &State)
                    return Cpu.AtomicLoad(state) == (int)CpuState.Online;
            }
        }
    }

    internal enum CpuState
    {
        Offline = 0,
        /// <summary>INIT and SIPIs sent, the trampoline's data is set.</summary>
        Starting = 1,
        /// <summary>Its tables, LAPIC and timer are set up; it idles, waiting for IPIs.</summary>
        Online = 2,
        /// <summary>It did not answer in time and was sent INIT again, so it cannot run later.</summary>
        Failed = 3,
    }
}
