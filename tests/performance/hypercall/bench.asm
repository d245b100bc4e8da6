; The benchmark's instructions that C# cannot write: the invalid opcode it bounces, and a #UD handler as lean as a PV kernel's can be (it skips the ud2 and returns with the
; iret hypercall, touching nothing else).
%include "kit.inc"
extern hypercall_page
global bench_ud2, bench_ud_handler_address

section .text

; void bench_ud2(): an invalid opcode; bench_ud_handler resumes after it.
bench_ud2:
    ud2
    ret

; The #UD entry: Xen's bounce frame is RCX, R11, then RIP, CS, RFLAGS, RSP, SS (no error code).
; RIP moves past the two-byte ud2; the iret hypercall's stub pushes RCX, R11 and RAX above the flags
; word (0: a full return, not VGCF_in_syscall).
bench_ud_handler:
    pop rcx
    pop r11
    add qword [rsp], 2
    push qword 0
    jmp hypercall_page + HYPERCALL_IRET * HYPERCALL_STUB_SIZE

; ulong bench_ud_handler_address()
bench_ud_handler_address:
    lea rax, [rel bench_ud_handler]
    ret

; Guest user mode, as lean as the transitions allow (the kit's UserMode has set up the user page
; tables, the kernel stack for stack_switch and its callbacks; the benchmark registers its own syscall
; callback, bench_syscall_entry, while it measures).
%define FLAT_USER_CS     0xE033
%define FLAT_USER_SS     0xE02B
%define USER_RFLAGS      0x202          ; IF: events enabled in user mode, as a kernel runs it
%define VGCF_IN_SYSCALL  0x100          ; iret flags: return as sysret would (RCX, R11 not restored)

global bench_user_trip, bench_user_syscalls, bench_syscall_entry_address

; void bench_user_trip(ulong userStack): kernel -> user -> kernel, once. The iret hypercall enters user
; mode at bench_user_back, whose syscall (RAX 0) comes back through bench_syscall_entry to here.
bench_user_trip:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [rel kernel_rsp], rsp
    lea rax, [rel bench_user_back]
    jmp enter_user

; void bench_user_syscalls(ulong userStack, ulong count): count trips user -> kernel -> user from a
; loop in user mode (syscall with RAX 1, straight back with iret), then back to the kernel (RAX 0).
bench_user_syscalls:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [rel kernel_rsp], rsp
    lea rax, [rel bench_user_spin]
    ; RSI (the count) reaches user mode unchanged: the iret hypercall keeps the registers it is not given.

; RDI = the user stack, RAX = the user RIP: the iret context (flags, RIP, CS, RFLAGS, RSP, SS) below
; what the stub pushes (RCX, R11, RAX).
enter_user:
    and rsp, ~15
    push qword FLAT_USER_SS
    push rdi
    push qword USER_RFLAGS
    push qword FLAT_USER_CS
    push rax
    push qword 0                      ; a full return to user mode
    jmp hypercall_page + HYPERCALL_IRET * HYPERCALL_STUB_SIZE

; The syscall callback while the benchmark measures: Xen's frame is RCX, R11 (the user's RIP and RFLAGS,
; as syscall left them), RIP, CS, RFLAGS, RSP, SS, on the kernel stack given to stack_switch.
; RAX 0: back to the kernel code that entered user mode; any other: straight back to user mode.
bench_syscall_entry:
    test eax, eax
    jz .leave
    pop rcx
    pop r11
    push qword VGCF_IN_SYSCALL
    jmp hypercall_page + HYPERCALL_IRET * HYPERCALL_STUB_SIZE
.leave:
    mov rsp, [rel kernel_rsp]
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; ulong bench_syscall_entry_address()
bench_syscall_entry_address:
    lea rax, [rel bench_syscall_entry]
    ret

section .data
align 8
kernel_rsp:
    dq 0

; User-mode code: the kit maps its user section (.user.text) into the user address space at the same
; addresses.
section .user.text progbits alloc exec write align=16
bench_user_back:
    xor eax, eax
    syscall
    ud2

; RSI: the number of trips.
bench_user_spin:
    test rsi, rsi
    jz .done
    mov eax, 1
    syscall
    dec rsi
    jmp bench_user_spin
.done:
    xor eax, eax
    syscall
    ud2
