; Start of day of a PV guest kernel. Xen enters here in 64-bit mode (ring 3, guest kernel mode)
; with RSI = start_info (virtual), RSP = the end of a one-page bootstrap stack, events masked.
; The kit clears .bss, moves to its own larger stack and calls the C# start of day.
%include "kit.inc"
extern __bss_start, __bss_end, __security_cookie
extern kit_start_of_day, rt_halt

global _start
global kit_stack_bottom, kit_stack_top, kit_entry_registers_address

section .text.entry progbits alloc exec nowrite
_start:
    ; The registers exactly as the domain builder left them (kept in .data: .bss is cleared below).
    mov [rel entry_registers + 0], rax
    mov [rel entry_registers + 8], rbx
    mov [rel entry_registers + 16], rcx
    mov [rel entry_registers + 24], rdx
    mov [rel entry_registers + 32], rsi
    mov [rel entry_registers + 40], rdi
    mov [rel entry_registers + 48], rbp
    mov [rel entry_registers + 56], rsp
    mov [rel entry_registers + 64], r8
    mov [rel entry_registers + 72], r9
    mov [rel entry_registers + 80], r10
    mov [rel entry_registers + 88], r11
    mov [rel entry_registers + 96], r12
    mov [rel entry_registers + 104], r13
    mov [rel entry_registers + 112], r14
    mov [rel entry_registers + 120], r15
    pushfq                            ; the bootstrap stack is mapped: one slot of it
    pop qword [rel entry_registers + 128]
    mov [rel entry_registers + 136], cs
    mov [rel entry_registers + 144], ss
    mov [rel entry_registers + 152], ds
    mov [rel entry_registers + 160], es
    mov [rel entry_registers + 168], fs
    mov [rel entry_registers + 176], gs
    cld
    mov r12, rsi                      ; start_info
    mov r13, rsp                      ; the bootstrap stack Xen gave (kept for the layout checks)
    mov rdi, __bss_start              ; the loader clears .bss too; the kit does not rely on it
    mov rcx, __bss_end
    sub rcx, rdi
    shr rcx, 3
    xor eax, eax
    rep stosq
    mov rsp, kit_stack_top
    xor ebp, ebp
    rdtsc                             ; seed the stack guard before any C# frame exists
    shl rdx, 32
    or rax, rdx
    mov rcx, 0x9E3779B97F4A7C15
    imul rax, rcx
    mov [rel __security_cookie], rax
    mov rdi, r12
    mov rsi, r13
    call kit_start_of_day             ; does not return: it shuts the domain down
.stop:
    call rt_halt
    jmp .stop

; EntryRegisters* kit_entry_registers_address()
kit_entry_registers_address:
    lea rax, [rel entry_registers]
    ret

section .data
align 8
entry_registers:
    times 23 dq 0

section .bss
alignb 4096
kit_stack_bottom:
    resb KIT_STACK_SIZE
kit_stack_top:
