; Interrupt and exception entry. Every vector gets a stub that makes the stack look the same
; (a zero is pushed where the CPU pushes no error code), then the common path saves the
; general registers in the order of TrapFrame (C#) and calls hv_trap(TrapFrame*).
bits 64
extern hv_trap
FRAME_CS equ 18 * 8                   ; 15 registers, vector, error code, RIP, then CS
global trap_stub_table

section .text

%macro TRAP_STUB 1
trap_stub_%1:
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
    push qword %1
%else
    push qword 0
    push qword %1
%endif
    jmp trap_common
%endmacro

%assign vector 0
%rep 256
    TRAP_STUB vector
%assign vector vector + 1
%endrep

trap_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    mov rbp, rsp
    ; The handler is C#, which uses SSE registers freely: keep the interrupted code's. A guest may
    ; have set CR0.TS (fpu_taskswitch), which would make fxsave fault here: clear it first; the
    ; way back to the guest sets it again if the guest still wants it.
    clts
    sub rsp, 512
    and rsp, ~63
    fxsave64 [rsp]
    call hv_trap
    fxrstor64 [rsp]
    mov rsp, rbp
    ; Back to a guest that set CR0.TS (fpu_taskswitch): set it now, after the last FPU/SSE
    ; instruction of the hypervisor, so the guest's next FPU use raises #NM for it.
    test qword [rbp + FRAME_CS], 3
    jz trap_restore_registers
    cmp byte [rel guest_task_switched], 0
    je trap_restore_registers
    mov rax, cr0
    or rax, 8
    mov cr0, rax
trap_restore_registers:
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                       ; vector and error code
    iretq

section .rodata
align 8
trap_stub_table:
%assign vector 0
%rep 256
    dq trap_stub_ %+ vector
%assign vector vector + 1
%endrep

; SYSCALL from a guest (LSTAR and CSTAR). SYSCALL leaves RSP as the guest's and switches nothing
; else, so the entry saves the guest stack pointer, moves to the hypervisor stack for guest entries
; (the TSS's RSP0, so traps and syscalls build the same frame in the same place) and makes the
; frame an exception would have made, with pseudo-vector 256. Interrupts are off (SFMASK clears
; IF) until the frame is complete. One CPU runs guests for now, so one scratch slot suffices.
global syscall_entry, cpu_set_guest_entry_stack, cpu_enter_guest, cpu_set_guest_task_switched
section .text
syscall_entry:
    mov [rel syscall_guest_rsp], rsp
    mov rsp, [rel guest_entry_stack_top]
    push qword 0xe02b                 ; ss: the flat ring-3 data selector the guest runs with
    push qword [rel syscall_guest_rsp]
    push r11                          ; rflags, as SYSCALL saved them
    push qword 0xe033                 ; cs: flat ring-3 64-bit code
    push rcx                          ; rip after the SYSCALL
    push qword 0                      ; error code
    push qword 256                    ; pseudo-vector for SYSCALL
    jmp trap_common

; void cpu_set_guest_entry_stack(ulong top): where syscall_entry builds its frame (the TSS RSP0).
cpu_set_guest_entry_stack:
    mov [rel guest_entry_stack_top], rdi
    ret

; void cpu_set_guest_task_switched(bool): whether returns to the guest set CR0.TS.
cpu_set_guest_task_switched:
    mov [rel guest_task_switched], dil
    ret

; void cpu_enter_guest(GuestRegisters* frame): first entry into a guest. The frame is at the top of
; the guest-entry stack; the guest starts with a clean FPU/SSE state, not the hypervisor's.
cpu_enter_guest:
    fxrstor64 [rel initial_fpu_state]
    mov rsp, rdi
    jmp trap_restore_registers

section .data
align 64
initial_fpu_state:
    dw 0x037F                         ; FCW: all x87 exceptions masked, extended precision
    times 22 db 0
    dd 0x1F80                         ; MXCSR: all SSE exceptions masked
    dd 0xFFFF                         ; MXCSR mask
    times 512 - 32 db 0

section .bss
align 8
syscall_guest_rsp: resq 1
guest_entry_stack_top: resq 1
guest_task_switched: resb 1
