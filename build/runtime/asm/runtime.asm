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

; Stack-buffer guard value checked by the generated code; the boot code seeds it from the TSC.
section .data
global __security_cookie
align 8
__security_cookie: dq 0x2B992DDFA232D35C
