using Hypervisor.Core.Memory;

namespace Hypervisor.Arch.X86_64
{
    // Each CPU's GDT and TSS, the IDT they share, and each CPU's SYSCALL set-up.
    //
    // The GDT follows Xen's layout so that PV guests see the selectors they expect: the first 14
    // pages (entries below 0xe000) are left for a guest's own descriptors, and the hypervisor's
    // entries start at 0xe000. SYSCALL and SYSRET derive their selectors from STAR, which is why
    // the ring-3 selectors sit where they do (0xe023 + 16 = 0xe033, 0xe023 + 8 = 0xe02b). The TSS
    // descriptor of CPU i is at 0xe040 + 64 * i (the boot CPU's at Xen's 0xe040), so that the task
    // register names the CPU: that is how the entry code finds the CPU's PerCpu block (asm/percpu.inc).
    //
    // The boot CPU prepares every CPU's tables (Prepare, which allocates); each CPU then loads its own
    // (Activate, which allocates nothing, so a CPU being started never touches the allocators).
    internal static unsafe class DescriptorTables
    {
        public const ushort HypervisorCs = 0xe008;
        public const ushort HypervisorDs = 0xe010;
        public const ushort GuestCs32 = 0xe023;      // FLAT_RING3_CS32
        public const ushort GuestDs = 0xe02b;        // FLAT_RING3_DS32 / SS
        public const ushort GuestCs64 = 0xe033;      // FLAT_RING3_CS64
        public const ushort TaskStateSelector = 0xe040;   // the boot CPU's; TaskStateSelectorOf(i) in general
        private const int TaskStateStride = 0x40;         // TSS_SELECTOR_SHIFT in asm/percpu.inc
        public const int GdtBytes = TaskStateSelector + TaskStateStride * PerCpu.MaxCpus;   // the last CPU's TSS included
        public const int GdtFrames = 16;

        public const int DoubleFaultStack = 1;        // IST slots
        public const int NmiStack = 2;
        public const int MachineCheckStack = 3;
        private const ulong StackBytes = 4 * FrameAllocator.FrameSize;

        private static ulong s_idt;

        /// <summary>The calling CPU's GDT.</summary>
        public static ulong GdtBase => PerCpu.Current->GdtBase;
        /// <summary>The IDT, shared by every CPU.</summary>
        public static ulong IdtBase => s_idt;
        /// <summary>The calling CPU's TSS.</summary>
        public static ulong TssBase => PerCpu.Current->TssBase;

        /// <summary>The boot CPU at start of day: its tables, loaded. False when frames for the tables or
        /// stacks cannot be allocated.</summary>
        public static bool Load(FrameAllocator frames)
        {
            if (!Prepare(frames, 0))
                return false;
            Activate(0);
            return true;
        }

        /// <summary>Allocates and fills CPU <paramref name="cpu"/>'s GDT, TSS and stacks (and the shared
        /// IDT, the first time) into its PerCpu block. False when frames run out.</summary>
        public static bool Prepare(FrameAllocator frames, int cpu)
        {
            if (!frames.TryAllocateContiguous(GdtFrames, 1, out ulong gdtPhysical))
                return false;
            ulong idtPhysical = 0;
            if (s_idt == 0 && !frames.TryAllocate(out idtPhysical))
                return false;
            if (!frames.TryAllocate(out ulong tssPhysical))
                return false;
            byte* gdt = Zeroed(gdtPhysical, GdtFrames);
            byte* tss = Zeroed(tssPhysical, 1);
            PerCpu* block = PerCpu.Of(cpu);
            block->Index = cpu;
            block->GdtBase = (ulong)gdt;
            block->TssBase = (ulong)tss;

            // Code and data descriptors: base 0, limit 4 GiB, long mode code where it applies.
            SetDescriptor(gdt, HypervisorCs, 0x00AF9A000000FFFFUL);   // ring 0, 64-bit code
            SetDescriptor(gdt, HypervisorDs, 0x00CF92000000FFFFUL);   // ring 0 data
            SetDescriptor(gdt, GuestCs32, 0x00CFFA000000FFFFUL);      // ring 3, 32-bit code
            SetDescriptor(gdt, GuestDs, 0x00CFF2000000FFFFUL);        // ring 3 data
            SetDescriptor(gdt, GuestCs64, 0x00AFFA000000FFFFUL);      // ring 3, 64-bit code

            // TSS: the ring-0 stack for entries from guests (until a vCPU runs and its register file
            // takes the place, see SetGuestRegisterFile), and separate stacks (IST) for the faults that
            // may arrive on a broken stack.
            if (!AllocateStack(frames, out ulong ring0Stack)
                || !AllocateStack(frames, out ulong doubleFault)
                || !AllocateStack(frames, out ulong nmi)
                || !AllocateStack(frames, out ulong machineCheck))
                return false;
            *(ulong*)(tss + 4) = ring0Stack;                           // RSP0, also the exit stack (Activate)
            *(ulong*)(tss + 36 + 8 * (DoubleFaultStack - 1)) = doubleFault;
            *(ulong*)(tss + 36 + 8 * (NmiStack - 1)) = nmi;
            *(ulong*)(tss + 36 + 8 * (MachineCheckStack - 1)) = machineCheck;
            *(ushort*)(tss + 102) = 104;                               // no I/O bitmap yet
            ulong tssAddress = (ulong)tss;
            ulong low = 103UL | ((tssAddress & 0xFFFFFF) << 16) | (0x89UL << 40) | (((tssAddress >> 24) & 0xFF) << 56);
            ushort taskState = TaskStateSelectorOf(cpu);
            SetDescriptor(gdt, taskState, low);
            SetDescriptor(gdt, (ushort)(taskState + 8), tssAddress >> 32);

            if (s_idt == 0)
                s_idt = (ulong)FillIdt(Zeroed(idtPhysical, 1));
            return true;
        }

        /// <summary>Loads the prepared tables of CPU <paramref name="cpu"/>, which must be the calling
        /// CPU, and its SYSCALL MSRs. Allocates nothing.</summary>
        public static void Activate(int cpu)
        {
            PerCpu* block = PerCpu.Of(cpu);
            byte* pointer = stackalloc byte[10];
            *(ushort*)pointer = GdtBytes - 1;
            *(ulong*)(pointer + 2) = block->GdtBase;
            Cpu.LoadGdt(pointer, HypervisorCs, HypervisorDs);
            // The task register before the IDT: the entry code finds the CPU's block through it.
            Cpu.LoadTaskRegister(TaskStateSelectorOf(cpu));
            *(ushort*)pointer = 256 * 16 - 1;
            *(ulong*)(pointer + 2) = s_idt;
            Cpu.LoadIdt(pointer);

            // From here the CPU finds its own block: the setters below write into it.
            ulong ring0Stack = *(ulong*)(block->TssBase + 4);
            Cpu.SetHypervisorExitStack(ring0Stack);                   // where guest exits are handled
            Cpu.SetGuestEntryStack(ring0Stack);

            // SYSCALL: enabled in EFER; the entry point for 64-bit and compatibility callers (this
            // CPU's stub); the flags cleared on entry (IF, TF, DF, AC, NT) so the entry path starts in
            // a known state.
            ulong syscallEntry = Cpu.SyscallStubTable()[cpu];
            Cpu.WriteMsr(Cpu.MsrEfer, Cpu.ReadMsr(Cpu.MsrEfer) | 1);
            Cpu.WriteMsr(Cpu.MsrStar, ((ulong)GuestCs32 << 48) | ((ulong)HypervisorCs << 32));
            Cpu.WriteMsr(Cpu.MsrLstar, syscallEntry);
            Cpu.WriteMsr(Cpu.MsrCstar, syscallEntry);
            Cpu.WriteMsr(Cpu.MsrSfmask, (1UL << 9) | (1UL << 8) | (1UL << 10) | (1UL << 18) | (1UL << 14));
        }

        // IDT: an interrupt gate per vector to its stub in asm/traps.asm.
        private static byte* FillIdt(byte* idt)
        {
            ulong* stubs = Cpu.TrapStubTable();
            for (int vector = 0; vector < 256; vector++)
            {
                int ist = StackSlotOf(vector);
                // int3 and into may be executed by guest code directly (ring 3), as on Xen; every
                // other "int n" from a guest raises #GP and is decoded.
                bool guestCallable = vector == 3 || vector == 4;
                SetGate(idt, vector, stubs[vector], ist, guestCallable);
            }
            return idt;
        }

        /// <summary>CPU <paramref name="cpu"/>'s TSS selector, in its own GDT.</summary>
        public static ushort TaskStateSelectorOf(int cpu) => (ushort)(TaskStateSelector + TaskStateStride * cpu);

        /// <summary>The IST slot vector <paramref name="vector"/> arrives on (0: the current stack, or RSP0
        /// from ring 3): NMI, #DF and #MC, which may arrive on a broken stack.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int StackSlotOf(int vector) =>
            vector == 8 ? DoubleFaultStack : vector == 2 ? NmiStack : vector == 18 ? MachineCheckStack : 0;

        /// <summary>Makes entries from ring 3 save the guest's registers straight into
        /// <paramref name="registerFile"/>: the CPU pushes its part of the frame below RSP0, and the
        /// entry code the rest (asm/traps.asm). The end must be 16-byte aligned, as the CPU aligns RSP0.</summary>
        public static void SetGuestRegisterFile(ulong registerFile, ulong size)
        {
            ulong end = registerFile + size;
            *(ulong*)(TssBase + 4) = end;                              // the calling CPU's RSP0
            Cpu.SetGuestEntryStack(end);
        }

        private static byte* Zeroed(ulong physical, int frameCount)
        {
            byte* memory = PhysicalWindow.ToVirtual(physical);
            for (ulong i = 0; i < (ulong)frameCount * FrameAllocator.FrameSize; i += 8)
                *(ulong*)(memory + i) = 0;
            return memory;
        }

        private static bool AllocateStack(FrameAllocator frames, out ulong top)
        {
            top = 0;
            if (!frames.TryAllocateContiguous(StackBytes / FrameAllocator.FrameSize, 1, out ulong physical))
                return false;
            top = (ulong)PhysicalWindow.ToVirtual(physical) + StackBytes;
            return true;
        }

        private static void SetDescriptor(byte* gdt, ushort selector, ulong value) =>
            *(ulong*)(gdt + (selector & ~7)) = value;

        private static void SetGate(byte* idt, int vector, ulong handler, int ist, bool guestCallable)
        {
            ulong* gate = (ulong*)(idt + vector * 16);
            ulong type = guestCallable ? 0xEEUL : 0x8EUL;   // present interrupt gate, DPL 3 or 0
            gate[0] = (handler & 0xFFFF) | ((ulong)HypervisorCs << 16) | ((ulong)(ist & 7) << 32)
                    | (type << 40) | (((handler >> 16) & 0xFFFF) << 48);
            gate[1] = handler >> 32;
        }
    }
}
