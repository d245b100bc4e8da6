; Guarded calls: an assembly routine that may trap anywhere. kit_guarded_call keeps the stack pointer
; and callee-saved registers; when a kernel-mode trap strikes inside the routine and nothing else
; claims it, the trap handler resumes at .recover with RSP as it was here and RAX = vector + 1, so the
; call returns the vector instead of crashing the guest. MXCSR and the x87 control word are put back
; too (routines that unmask floating-point exceptions end in a trap before they can restore them).
%include "kit.inc"
global kit_guarded_call, kit_guarded_recovery

section .text
; ulong kit_guarded_call(ulong routine, ulong argument, ulong* result): 0 when routine(argument)
; returned (its RAX in *result), vector + 1 when it trapped.
kit_guarded_call:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rdx                          ; result pointer; the stack is 16-byte aligned here
    stmxcsr [rel saved_mxcsr]
    fnstcw [rel saved_fcw]
    mov rax, [rel guard_rsp]
    mov [rel outer_rsp], rax          ; one level of nesting (a guarded call in a handler)
    mov [rel guard_rsp], rsp
    mov rax, rdi
    mov rdi, rsi
    call rax
    pop rdx
    mov [rdx], rax
    xor eax, eax
    jmp .out
.recover:                             ; from the trap handler: RSP = guard_rsp, RAX = vector + 1
    pop rdx
    fnclex
    fldcw [rel saved_fcw]
    ldmxcsr [rel saved_mxcsr]
.out:
    mov rcx, [rel outer_rsp]
    mov [rel guard_rsp], rcx
    mov qword [rel outer_rsp], 0
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; void kit_guarded_recovery(ulong* rip_rsp): where to resume and with which RSP (0 when no guarded
; call is running).
kit_guarded_recovery:
    lea rax, [rel kit_guarded_call.recover]
    mov [rdi], rax
    mov rax, [rel guard_rsp]
    mov [rdi + 8], rax
    ret

section .data
align 8
guard_rsp:
    dq 0
outer_rsp:
    dq 0
saved_mxcsr:
    dd 0
saved_fcw:
    dw 0
