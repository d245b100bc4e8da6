; Single instructions the C# arch layer needs, one small function each (System V calling
; convention: arguments in rdi, rsi, rdx, rcx; result in rax). Nothing here keeps state.
bits 64
section .text

global cpu_out8, cpu_out16, cpu_out32, cpu_in8, cpu_in16, cpu_in32
global cpu_read_cr0, cpu_read_cr2, cpu_read_cr3, cpu_read_cr4, cpu_write_cr0, cpu_write_cr3, cpu_write_cr4
global cpu_read_msr, cpu_write_msr, cpu_cpuid, cpu_rdtsc
global cpu_load_gdt, cpu_load_idt, cpu_load_tr, cpu_invlpg
global cpu_enable_interrupts, cpu_disable_interrupts, cpu_wait_for_interrupt, cpu_halt, cpu_pause
global cpu_read_rsp, cpu_read_rflags, cpu_undefined_instruction, cpu_divide_by_zero, cpu_read_qword
global cpu_triple_fault
global cpu_atomic_load32, cpu_atomic_load64, cpu_atomic_store32, cpu_atomic_exchange32, cpu_atomic_fetch_add32
global cpu_atomic_compare_exchange32, cpu_atomic_increment64, cpu_memory_fence, cpu_atomic_or32
global cpu_atomic_or64, cpu_atomic_and64, cpu_atomic_and16
global cpu_save_data_selectors, cpu_load_data_selectors

cpu_out8:   mov edx, edi
            mov eax, esi
            out dx, al
            ret
cpu_out16:  mov edx, edi
            mov eax, esi
            out dx, ax
            ret
cpu_out32:  mov edx, edi
            mov eax, esi
            out dx, eax
            ret
cpu_in8:    mov edx, edi
            xor eax, eax
            in al, dx
            ret
cpu_in16:   mov edx, edi
            xor eax, eax
            in ax, dx
            ret
cpu_in32:   mov edx, edi
            in eax, dx
            ret

cpu_read_cr0:  mov rax, cr0
               ret
cpu_read_cr3:  mov rax, cr3
               ret
cpu_read_cr4:  mov rax, cr4
               ret
cpu_write_cr0: mov cr0, rdi
               ret
cpu_write_cr4: mov cr4, rdi
               ret

; ulong cpu_read_msr(uint msr)
cpu_read_msr:  mov ecx, edi
               rdmsr
               shl rdx, 32
               or rax, rdx
               ret

; What guest exits call (a page fault's CR2, a mode switch's tables and GS base, a flush of one
; page) sits with the exit paths (.text.hot, see traps.asm): one page fewer to fill after a CR3 load.
section .text.hot progbits alloc exec nowrite align=16
cpu_read_cr2:  mov rax, cr2
               ret
cpu_write_cr3: mov cr3, rdi
               ret
; void cpu_write_msr(uint msr, ulong value)
cpu_write_msr: mov ecx, edi
               mov eax, esi
               mov rdx, rsi
               shr rdx, 32
               wrmsr
               ret
cpu_invlpg:    invlpg [rdi]
               ret
section .text

; void cpu_cpuid(uint leaf, uint subleaf, uint* out4)
cpu_cpuid:     push rbx
               mov r8, rdx
               mov eax, edi
               mov ecx, esi
               cpuid
               mov [r8], eax
               mov [r8 + 4], ebx
               mov [r8 + 8], ecx
               mov [r8 + 12], edx
               pop rbx
               ret

cpu_rdtsc:     rdtsc
               shl rdx, 32
               or rax, rdx
               ret

; void cpu_load_gdt(void* pointer10, ushort codeSelector, ushort dataSelector)
; Loads the GDT, then reloads every segment register: CS through a far return.
cpu_load_gdt:  lgdt [rdi]
               mov ds, dx
               mov es, dx
               mov ss, dx
               xor eax, eax
               mov fs, ax
               mov gs, ax
               movzx rsi, si
               lea rax, [rel .reloaded]
               push rsi
               push rax
               retfq
.reloaded:     ret

cpu_load_idt:  lidt [rdi]
               ret
cpu_load_tr:   ltr di
               ret

cpu_enable_interrupts:  sti
                        ret
cpu_disable_interrupts: cli
                        ret
; Atomically enables interrupts and waits for one (sti's one-instruction shadow covers hlt).
cpu_wait_for_interrupt: sti
                        hlt
                        ret
cpu_halt:      cli
.again:        hlt
               jmp .again
cpu_pause:     pause
               ret

; Shared-memory operations for data other CPUs touch. Each is a call, so the compiler can neither
; cache the value in a register nor move other memory accesses across it; x86 keeps loads and stores
; in order otherwise (only a store followed by a load may pass: the locked ones are full barriers).
; int cpu_atomic_load32(int* p)
cpu_atomic_load32:
               mov eax, [rdi]
               ret
; ulong cpu_atomic_load64(ulong* p)
cpu_atomic_load64:
               mov rax, [rdi]
               ret
; void cpu_atomic_store32(int* p, int value): xchg, so later loads do not pass it
cpu_atomic_store32:
               xchg [rdi], esi
               ret
; int cpu_atomic_exchange32(int* p, int value): the old value
cpu_atomic_exchange32:
               mov eax, esi
               xchg [rdi], eax
               ret
; int cpu_atomic_fetch_add32(int* p, int value): the old value
cpu_atomic_fetch_add32:
               mov eax, esi
               lock xadd [rdi], eax
               ret
; int cpu_atomic_compare_exchange32(int* p, int expected, int desired): the old value (== expected on success)
cpu_atomic_compare_exchange32:
               mov eax, esi
               lock cmpxchg [rdi], edx
               ret
; void cpu_atomic_or32(int* p, int bits)
cpu_atomic_or32:
               lock or [rdi], esi
               ret
; ulong cpu_atomic_or64(ulong* p, ulong bits): the old value
cpu_atomic_or64:
               mov rax, [rdi]
.retry:        mov rdx, rax
               or rdx, rsi
               lock cmpxchg [rdi], rdx
               jne .retry
               ret
; ulong cpu_atomic_and64(ulong* p, ulong mask): the old value
cpu_atomic_and64:
               mov rax, [rdi]
.retry:        mov rdx, rax
               and rdx, rsi
               lock cmpxchg [rdi], rdx
               jne .retry
               ret
; void cpu_atomic_and16(ushort* p, ushort mask)
cpu_atomic_and16:
               lock and [rdi], si
               ret
; void cpu_atomic_increment64(ulong* p)
cpu_atomic_increment64:
               lock inc qword [rdi]
               ret
cpu_memory_fence:
               mfence
               ret

cpu_read_rsp:  lea rax, [rsp + 8]
               ret
cpu_read_rflags:
               pushfq
               pop rax
               ret
cpu_read_qword:
               mov rax, [rdi]
               ret

; Deliberate faults for the fault-reporting tests (test_fault=).
cpu_undefined_instruction:
               ud2
               ret
cpu_divide_by_zero:
               xor ecx, ecx
               mov eax, 1
               xor edx, edx
               div ecx
               ret

; Reset of last resort: an empty IDT and an exception make the CPU shut down and reset.
cpu_triple_fault:
               lidt [rel empty_idt]
               int3
               jmp cpu_triple_fault

section .rodata
empty_idt:     dw 0
               dq 0

section .text
; void cpu_save_data_selectors(ushort* four): DS, ES, FS and GS, in that order.
cpu_save_data_selectors:
    mov [rdi], ds
    mov [rdi + 2], es
    mov [rdi + 4], fs
    mov [rdi + 6], gs
    ret

; void cpu_load_data_selectors(ushort* four): loads DS, ES, FS and GS; the caller has checked that
; each is null or names a present, accessible descriptor (a bad one would fault here, in ring 0).
; Loading FS and GS also sets their bases from the descriptors: write the base MSRs afterwards.
cpu_load_data_selectors:
    mov ax, [rdi]
    mov ds, ax
    mov ax, [rdi + 2]
    mov es, ax
    mov ax, [rdi + 4]
    mov fs, ax
    mov ax, [rdi + 6]
    mov gs, ax
    ret
