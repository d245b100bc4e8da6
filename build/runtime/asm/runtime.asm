; The few runtime entry points that need exact register behaviour.
; There is no collector, so the write barriers are plain stores.
bits 64
section .text

global RhpAssignRef, RhpCheckedAssignRef, RhpByRefAssignRef
; Weak: a kernel that may not execute hlt (a PV guest runs in ring 3) links its own rt_halt.
global rt_halt:function weak

; RhpAssignRef(ref object destination (rdi), object value (rsi))
RhpAssignRef:
RhpCheckedAssignRef:
    mov [rdi], rsi
    ret

; Copies one reference from [rsi] to [rdi] and advances both, as the compiler expects.
RhpByRefAssignRef:
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret

rt_halt:
    cli
    hlt
    ret

; void rt_lock(int* word), rt_unlock(int* word): a test-and-set lock for the runtime's own state (the
; heap), which a kernel running on several CPUs may reach from more than one.
global rt_lock, rt_unlock
rt_lock:
    mov eax, 1
    xchg [rdi], eax
    test eax, eax
    jz .held
.wait:
    pause
    cmp dword [rdi], 0
    jne .wait
    jmp rt_lock
.held:
    ret

rt_unlock:
    mov dword [rdi], 0
    ret

; Called by functions whose frame is larger than a page, before they move RSP: touches every page
; from the current stack pointer down to R11 (the frame's lowest address), one at a time, so a
; stack that ends in a guard page faults there rather than somewhere below it. RAX is the only
; register it may change.
global RhpStackProbe
RhpStackProbe:
    mov rax, rsp
    and rax, -4096
.next_page:
    sub rax, 4096
    test [rax], eax
    cmp rax, r11
    ja .next_page
    ret

; Stack-buffer guard value checked by the generated code; the boot code seeds it from the TSC.
section .data
global __security_cookie
align 8
__security_cookie: dq 0x2B992DDFA232D35C
