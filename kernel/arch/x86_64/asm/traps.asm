; Interrupt and exception entry. Every vector gets a stub that makes the stack look the same
; (a zero is pushed where the CPU pushes no error code), then the common path saves the
; general registers in the order of TrapFrame (C#) and calls hv_trap(TrapFrame*).
bits 64
extern hv_trap
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
    ; The handler is C#, which uses SSE registers freely: keep the interrupted code's.
    sub rsp, 512
    and rsp, ~63
    fxsave64 [rsp]
    call hv_trap
    fxrstor64 [rsp]
    mov rsp, rbp
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

; SYSCALL lands here (LSTAR and CSTAR). Until guests run, nothing may execute SYSCALL, so the
; entry turns it into pseudo-vector 256 on the current stack and the trap path reports it.
global syscall_entry
section .text
syscall_entry:
    mov rax, rsp
    push qword 0xe010                 ; ss
    push rax                          ; rsp
    push r11                          ; rflags, as SYSCALL saved them
    push qword 0xe008                 ; cs
    push rcx                          ; rip after the SYSCALL
    push qword 0                      ; error code
    push qword 256                    ; pseudo-vector
    jmp trap_common
