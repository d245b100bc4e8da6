; The core lock: one ticket lock around everything that reaches the platform-neutral core and the
; scheduler (CoreLock.cs says why one lock and how it is used). The guest-exit paths take it here in
; assembly (CORE_LOCK_ACQUIRE in traps.asm) and CALL_HANDLER gives it back after the last access to
; shared state of the exit (the FPU switch), so a vCPU switched out here cannot be switched in on
; another CPU before its FPU state is saved.
;
; A CPU waiting for the lock has interrupts open: the holder may be waiting for this CPU to flush its
; TLB or leave a domain (CrossCpuRequests), which this CPU does from the IPI while it waits.
%include "percpu.inc"
bits 64
extern percpu_area

global core_lock_wait
extern core_lock_next, core_lock_serving   ; next ticket, ticket served: beside the per-CPU blocks (percpu.asm)
global core_lock_acquire, core_lock_take_ticket, core_lock_wait_for, core_lock_is_held

section .text

; Waits until ticket EAX is served, interrupts open while waiting, off on return. Keeps every
; register but the flags.
core_lock_wait:
    sti
.spin:
    pause
    cmp eax, [rel core_lock_serving]
    jne .spin
    cli
    ret

; void core_lock_acquire(): takes the lock for the calling CPU (interrupts off on return) and marks
; it held, so the way back to a guest (CALL_HANDLER, cpu_resume) gives it back.
core_lock_acquire:
    push rbx
    LOAD_PERCPU_RBX
    mov eax, 1
    lock xadd [rel core_lock_next], eax
    cmp eax, [rel core_lock_serving]
    je .held
    call core_lock_wait
.held:
    mov byte [rbx + PERCPU_LOCK_HELD], 1
    pop rbx
    ret

; int core_lock_take_ticket(): a place in the queue, to be waited for with core_lock_wait_for.
core_lock_take_ticket:
    mov eax, 1
    lock xadd [rel core_lock_next], eax
    ret

; void core_lock_wait_for(int ticket): waits for the ticket (interrupts open meanwhile), then marks
; the lock held by the calling CPU.
core_lock_wait_for:
    push rbx
    LOAD_PERCPU_RBX
    mov eax, edi
    cmp eax, [rel core_lock_serving]
    je .held
    call core_lock_wait
.held:
    mov byte [rbx + PERCPU_LOCK_HELD], 1
    pop rbx
    ret

; bool core_lock_is_held(): whether the calling CPU holds the lock.
core_lock_is_held:
    push rbx
    LOAD_PERCPU_RBX
    movzx eax, byte [rbx + PERCPU_LOCK_HELD]
    pop rbx
    ret

