using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Arch.X86_64
{
    // The instructions the hypervisor uses, each a tiny assembly function (asm/cpu.asm).
    // This is the only place C# reaches the processor directly.
    internal static unsafe class Cpu
    {
        [RuntimeImport("cpu_out8"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void Out8(ushort port, byte value);
        [RuntimeImport("cpu_out16"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void Out16(ushort port, ushort value);
        [RuntimeImport("cpu_out32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void Out32(ushort port, uint value);
        [RuntimeImport("cpu_in8"), MethodImpl(MethodImplOptions.InternalCall)] public static extern byte In8(ushort port);
        [RuntimeImport("cpu_in16"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ushort In16(ushort port);
        [RuntimeImport("cpu_in32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern uint In32(ushort port);

        [RuntimeImport("cpu_read_cr0"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr0();
        [RuntimeImport("cpu_read_cr2"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr2();
        [RuntimeImport("cpu_read_cr3"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr3();
        [RuntimeImport("cpu_read_cr4"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr4();
        [RuntimeImport("cpu_write_cr0"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteCr0(ulong value);
        [RuntimeImport("cpu_write_cr3"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteCr3(ulong value);
        [RuntimeImport("cpu_write_cr4"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteCr4(ulong value);

        [RuntimeImport("cpu_read_msr"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadMsr(uint msr);
        [RuntimeImport("cpu_write_msr"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteMsr(uint msr, ulong value);
        [RuntimeImport("cpu_cpuid"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void CpuId(uint leaf, uint subleaf, uint* eaxEbxEcxEdx);
        [RuntimeImport("cpu_rdtsc"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadTsc();

        [RuntimeImport("cpu_load_gdt"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadGdt(void* pointer, ushort codeSelector, ushort dataSelector);
        [RuntimeImport("cpu_load_idt"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadIdt(void* pointer);
        [RuntimeImport("cpu_load_tr"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadTaskRegister(ushort selector);
        [RuntimeImport("cpu_invlpg"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void InvalidatePage(ulong address);

        [RuntimeImport("cpu_enable_interrupts"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void EnableInterrupts();
        [RuntimeImport("cpu_disable_interrupts"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void DisableInterrupts();
        [RuntimeImport("cpu_wait_for_interrupt"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void WaitForInterrupt();
        [RuntimeImport("cpu_halt"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void HaltForever();
        [RuntimeImport("cpu_pause"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void Pause();

        [RuntimeImport("cpu_read_rsp"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadStackPointer();
        [RuntimeImport("cpu_read_rflags"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadFlags();
        [RuntimeImport("cpu_undefined_instruction"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void UndefinedInstruction();
        [RuntimeImport("cpu_divide_by_zero"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void DivideByZero();
        [RuntimeImport("cpu_read_qword"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadQword(ulong address);
        [RuntimeImport("cpu_triple_fault"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void TripleFault();

        // Shared memory (asm/cpu.asm): each a full compiler barrier; the locked ones and the store are CPU barriers too.
        [RuntimeImport("cpu_atomic_load32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern int AtomicLoad(int* location);
        [RuntimeImport("cpu_atomic_load64"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong AtomicLoad(ulong* location);
        [RuntimeImport("cpu_atomic_store32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void AtomicStore(int* location, int value);
        [RuntimeImport("cpu_atomic_exchange32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern int AtomicExchange(int* location, int value);
        [RuntimeImport("cpu_atomic_fetch_add32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern int AtomicFetchAdd(int* location, int value);
        [RuntimeImport("cpu_atomic_compare_exchange32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern int AtomicCompareExchange(int* location, int expected, int desired);
        [RuntimeImport("cpu_atomic_increment64"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void AtomicIncrement(ulong* location);
        [RuntimeImport("cpu_atomic_or32"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void AtomicOr(int* location, int bits);
        [RuntimeImport("cpu_atomic_or64"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong AtomicOr64(ulong* location, ulong bits);
        [RuntimeImport("cpu_atomic_and64"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong AtomicAnd64(ulong* location, ulong mask);
        [RuntimeImport("cpu_atomic_and16"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void AtomicAnd16(ushort* location, ushort mask);
        [RuntimeImport("cpu_memory_fence"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void MemoryFence();

        // Per-CPU blocks (asm/percpu.asm) and the per-CPU SYSCALL entries (asm/traps.asm).
        [RuntimeImport("cpu_current_index"), MethodImpl(MethodImplOptions.InternalCall)] public static extern int CurrentIndex();
        [RuntimeImport("hv_percpu_area"), MethodImpl(MethodImplOptions.InternalCall)] public static extern PerCpu* PerCpuArea();
        [RuntimeImport("hv_syscall_stub_table"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong* SyscallStubTable();
        [RuntimeImport("hv_ap_trampoline"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void GetApTrampoline(ApTrampolineImage* image);

        [RuntimeImport("cpu_set_guest_entry_stack"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void SetGuestEntryStack(ulong top);
        [RuntimeImport("cpu_set_hypervisor_exit_stack"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void SetHypervisorExitStack(ulong top);
        [RuntimeImport("cpu_set_guest_task_switched"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void SetGuestTaskSwitched(bool value);
        [RuntimeImport("cpu_set_fpu_switch"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void SetFpuSwitch(void* save, void* load);
        [RuntimeImport("cpu_save_data_selectors"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void SaveDataSelectors(ushort* four);
        [RuntimeImport("cpu_load_data_selectors"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadDataSelectors(ushort* four);
        [RuntimeImport("cpu_resume"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void Resume(void* frame);
        [RuntimeImport("cpu_idle_loop_address"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong IdleLoopAddress();
        [RuntimeImport("cpu_initial_fpu_state"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void* InitialFpuState();
        [RuntimeImport("hv_image_layout"), MethodImpl(MethodImplOptions.InternalCall)] public static extern void GetImageLayout(ImageLayout* layout);
        [RuntimeImport("hv_trap_stub_table"), MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong* TrapStubTable();

        public const uint MsrApicBase = 0x1B;
        public const uint MsrEfer = 0xC0000080;
        public const uint MsrStar = 0xC0000081;
        public const uint MsrLstar = 0xC0000082;
        public const uint MsrCstar = 0xC0000083;
        public const uint MsrSfmask = 0xC0000084;
        public const uint MsrFsBase = 0xC0000100;
        public const uint MsrGsBase = 0xC0000101;
        public const uint MsrKernelGsBase = 0xC0000102;
    }

    // What the linker knows about the image (filled in by hv_image_layout in asm/boot.asm).
    internal struct ImageLayout
    {
        public ulong ImageStart;      // virtual
        public ulong ImageEnd;        // virtual, end of .bss
        public ulong BssEnd;
        public ulong ModulesStart;    // ILC's __modules section
        public ulong ModulesEnd;
        public ulong VirtualOffset;   // virtual minus physical for the image
        public ulong BootPageTable;   // physical address of the boot PML4
        public ulong TextEnd;         // virtual end of code
        public ulong ReadOnlyEnd;     // virtual end of read-only data
        public ulong EarlyHeap;       // virtual start of the first heap region
        public ulong EarlyHeapEnd;
    }
}
