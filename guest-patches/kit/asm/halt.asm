; rt_halt, the runtime's last resort (RuntimeFailure.FailFast ends in a loop over it). A PV kernel
; runs in ring 3 and may not execute hlt: the domain is shut down as crashed instead.
; This strong definition replaces the runtime's weak one.
%include "kit.inc"
extern hypercall_page
global rt_halt

section .text
rt_halt:
    sub rsp, 8                        ; struct sched_shutdown, keeping the stack aligned
    mov dword [rsp], SHUTDOWN_CRASH
    mov edi, SCHEDOP_SHUTDOWN
    mov rsi, rsp
    call hypercall_page + HYPERCALL_SCHED_OP * HYPERCALL_STUB_SIZE
    add rsp, 8
    ret
