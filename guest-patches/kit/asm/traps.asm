; Trap entry of a PV guest kernel. Xen delivers an exception by building a bounce frame on the
; guest kernel stack: RCX and R11 on top (the values they had when the trap struck; Xen used
; SYSRET-style exits, so it saved them), then the error code for the vectors that have one, then
; RIP, CS, RFLAGS, RSP, SS. Each stub restores RCX and R11, pushes a zero error code where there is
; none and its vector, so the common path sees one layout (TrapFrame in C#). The way back is the
; iret hypercall: it wants RAX, R11, RCX (its hypercall-page stub pushes them), a flags word (0, or
; VGCF_in_syscall when the handler asked for it: TrapTable.SetIretFlags), then RIP, CS, RFLAGS, RSP, SS.
; The callbacks of user.asm (event, failsafe, syscall) join the common path with pseudo-vectors.
%include "kit.inc"
extern kit_trap, hypercall_page
global kit_trap_stub_table, kit_trap_common, kit_iret_flags_address
global kit_handler_entry, kit_handler_entry_address

section .text

%macro TRAP_STUB 1
kit_trap_stub_%1:
    KIT_RECORD_ENTRY
    pop rcx
    pop r11
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
%else
    push qword 0
%endif
    push qword %1
    jmp kit_trap_common
%endmacro

%assign vector 0
%rep 256
    TRAP_STUB vector
%assign vector vector + 1
%endrep

kit_trap_common:
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
    cld                               ; C# assumes DF clear; a trap does not clear it
    mov rdi, rsp                      ; TrapFrame*
    mov rbx, rsp
    ; The handler is C#, which uses SSE registers freely: keep the interrupted code's.
    sub rsp, 512
    and rsp, ~63
    fxsave64 [rsp]
    call kit_trap
    fxrstor64 [rsp]
    mov rsp, rbx
    ; The error-code slot becomes iret's flags word: 0, or what the handler asked for (VGCF_in_syscall).
    mov rax, [rel kit_iret_flags]
    mov [rsp + 128], rax
    mov qword [rel kit_iret_flags], 0
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
    add rsp, 8                        ; the vector
    jmp hypercall_page + HYPERCALL_IRET * HYPERCALL_STUB_SIZE

; ulong* kit_trap_stub_table(): the address of the 256 stub addresses.
kit_trap_stub_table:
    lea rax, [rel kit_trap_stubs]
    ret

; ulong* kit_iret_flags_address(): the flags word the next return from a handler passes to iret.
kit_iret_flags_address:
    lea rax, [rel kit_iret_flags]
    ret

; ulong* kit_handler_entry_address(): RCX, R11 and RFLAGS as the last entry found them.
kit_handler_entry_address:
    lea rax, [rel kit_handler_entry]
    ret

section .data
align 8
kit_iret_flags:
    dq 0
kit_handler_entry:
    dq 0, 0, 0

section .rodata
align 8
kit_trap_stubs:
%assign vector 0
%rep 256
    dq kit_trap_stub_ %+ vector
%assign vector vector + 1
%endrep
