; The second vCPU's code (tests/conformance/smp): it never calls C# (the kit's runtime is the first
; vCPU's), only loops over the shared block the first vCPU steers it with (SecondVcpu.cs: Block).
%include "kit.inc"
bits 64
extern hypercall_page

; Offsets in the block (SecondVcpu.Block).
MODE            equ 0
SPINS           equ 8
STARTED         equ 16
WAKES           equ 24
UPCALLS         equ 32
PORT            equ 40
PENDING_WORD    equ 48
UPCALL_PENDING  equ 56
UPCALL_MASK     equ 64
PENDING_SEL     equ 72
WATCH_VA        equ 80
WATCH_SEEN      equ 88
POLL            equ 96
MODE_SEEN       equ 128
GDT_LIST        equ 136
GDT_RESULT      equ 144
GDT_DONE        equ 152
SELECTOR        equ 160
LIMIT_SEEN      equ 168

MODE_SPIN       equ 0
MODE_POLL       equ 1
MODE_WATCH      equ 2
MODE_EVENTS     equ 3
MODE_DESCRIPTOR equ 4

SCHEDOP_POLL    equ 3
HYPERCALL_SET_GDT equ 2

global smp_second_entry_address, smp_second_callback_address

section .text
; ulong smp_second_entry_address(), smp_second_callback_address(): where the vCPU starts (RDI: the
; block) and its event callback.
smp_second_entry_address:
    lea rax, [rel second_entry]
    ret
smp_second_callback_address:
    lea rax, [rel second_event_callback]
    ret

second_entry:
    mov [rel block], rdi
    mov qword [rdi + STARTED], 1
.loop:
    mov rax, [rdi + MODE]
    mov [rdi + MODE_SEEN], rax
    cmp rax, MODE_POLL
    je .poll
    cmp rax, MODE_WATCH
    je .watch
    cmp rax, MODE_EVENTS
    je .events
    cmp rax, MODE_DESCRIPTOR
    je .descriptor
    ; MODE_SPIN: count, events masked
    mov rcx, [rdi + UPCALL_MASK]
    mov byte [rcx], 1
    inc qword [rdi + SPINS]
    pause
    jmp .loop
.events:
    ; count with events open: an upcall interrupts the loop (second_event_callback)
    mov rcx, [rdi + UPCALL_MASK]
    mov byte [rcx], 0
    inc qword [rdi + SPINS]
    pause
    jmp .loop
.watch:
    ; read the watched address over and over (through this vCPU's TLB)
    mov rcx, [rdi + WATCH_VA]
    mov rax, [rcx]
    mov [rdi + WATCH_SEEN], rax
    inc qword [rdi + SPINS]
    jmp .loop
.descriptor:
    ; once: set_gdt with the one frame listed at GDT_LIST (512 entries); then LSL of SELECTOR over
    ; and over, which reads the descriptor from this vCPU's GDT (-1 when LSL refuses it)
    cmp qword [rdi + GDT_DONE], 0
    jne .lsl
    push rdi
    mov rdi, [rdi + GDT_LIST]
    mov esi, 512
    call hypercall_page + HYPERCALL_SET_GDT * HYPERCALL_STUB_SIZE
    pop rdi
    mov [rdi + GDT_RESULT], rax
    mov qword [rdi + GDT_DONE], 1
.lsl:
    mov rcx, [rdi + SELECTOR]
    mov rax, -1
    lsl eax, ecx
    mov [rdi + LIMIT_SEEN], rax
    inc qword [rdi + SPINS]
    jmp .loop
.poll:
    ; SCHEDOP_poll on the port (events masked); a wake-up that finds the port pending is counted
    mov rcx, [rdi + UPCALL_MASK]
    mov byte [rcx], 1
    push rdi
    lea rsi, [rdi + POLL]
    mov edi, SCHEDOP_POLL
    call hypercall_page + HYPERCALL_SCHED_OP * HYPERCALL_STUB_SIZE
    pop rdi
    mov rcx, [rdi + PENDING_WORD]
    mov rax, [rdi + PORT]
    and eax, 63
    lock btr [rcx], rax
    jnc .loop
    lock inc qword [rdi + WAKES]
    jmp .loop

; Xen's event bounce: RCX and R11 on top of an iret frame, events masked. Counts the upcall, takes the
; port's pending bit, the selector and the upcall flag away, and returns with HYPERVISOR_iret (the
; hypercall page pushes RAX, RCX and R11 itself; flags 0), which unmasks events again.
second_event_callback:
    pop rcx
    pop r11
    push rax
    push rcx
    push rdx
    mov rax, [rel block]
    lock inc qword [rax + UPCALLS]
    mov rcx, [rax + UPCALL_PENDING]
    mov byte [rcx], 0
    mov rcx, [rax + PENDING_SEL]
    xor edx, edx
    xchg [rcx], rdx
    mov rcx, [rax + PORT]
    and ecx, 63
    mov rdx, [rax + PENDING_WORD]
    lock btr [rdx], rcx
    pop rdx
    pop rcx
    pop rax
    push qword 0
    jmp hypercall_page + HYPERCALL_IRET * HYPERCALL_STUB_SIZE

section .data
align 8
block: dq 0
