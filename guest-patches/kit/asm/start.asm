; Start of day of a PV guest kernel. Xen enters here in 64-bit mode (ring 3, guest kernel mode)
; with RSI = start_info (virtual), RSP = the end of a one-page bootstrap stack, events masked.
; The kit clears .bss, moves to its own larger stack and calls the C# start of day.
%include "kit.inc"
extern __bss_start, __bss_end, __security_cookie
extern kit_start_of_day, rt_halt

global _start
global kit_stack_bottom, kit_stack_top

section .text.entry progbits alloc exec nowrite
_start:
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

section .bss
alignb 4096
kit_stack_bottom:
    resb KIT_STACK_SIZE
kit_stack_top:
