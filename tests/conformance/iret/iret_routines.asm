; The iret suite's routines. Kernel ones run through GuardedCall (argument in RDI); user ones
; (section .user.text) through UserMode and end with the exit syscall (result in RDI). Routines that
; check state store it (saved_registers, saved_fpu) and the C# side compares.
%include "kit.inc"
extern hypercall_page

%define PATTERN(n)       (0x0101010101010101 * (n))

; Loads PATTERN(1..15) into RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8-R15 (RSP is kept).
%macro LOAD_PATTERNS 0
    mov rax, PATTERN(1)
    mov rbx, PATTERN(2)
    mov rcx, PATTERN(3)
    mov rdx, PATTERN(4)
    mov rsi, PATTERN(5)
    mov rdi, PATTERN(6)
    mov rbp, PATTERN(7)
    mov r8,  PATTERN(8)
    mov r9,  PATTERN(9)
    mov r10, PATTERN(10)
    mov r11, PATTERN(11)
    mov r12, PATTERN(12)
    mov r13, PATTERN(13)
    mov r14, PATTERN(14)
    mov r15, PATTERN(15)
%endmacro

; Stores RAX..R15 (in that order) and RFLAGS into saved_registers.
%macro STORE_REGISTERS 0
    mov [rel saved_registers + 0], rax
    mov [rel saved_registers + 8], rbx
    mov [rel saved_registers + 16], rcx
    mov [rel saved_registers + 24], rdx
    mov [rel saved_registers + 32], rsi
    mov [rel saved_registers + 40], rdi
    mov [rel saved_registers + 48], rbp
    mov [rel saved_registers + 56], r8
    mov [rel saved_registers + 64], r9
    mov [rel saved_registers + 72], r10
    mov [rel saved_registers + 80], r11
    mov [rel saved_registers + 88], r12
    mov [rel saved_registers + 96], r13
    mov [rel saved_registers + 104], r14
    mov [rel saved_registers + 112], r15
    pushfq
    pop qword [rel saved_registers + 120]
%endmacro

; Loads xmm0-15 with xmm_patterns (16 bytes each).
%macro LOAD_XMM 0
%assign i 0
%rep 16
    movdqu xmm %+ i, [rel xmm_patterns + i * 16]
%assign i i + 1
%endrep
%endmacro

; Stores xmm0-15 into saved_fpu.
%macro STORE_XMM 0
%assign i 0
%rep 16
    movdqu [rel saved_fpu + i * 16], xmm %+ i
%assign i i + 1
%endrep
%endmacro

; Data both modes read and write (the user section is mapped in user mode at the same addresses).
section .user.data progbits alloc noexec write align=16
global xmm_patterns, saved_registers, saved_fpu
xmm_patterns:
%assign i 0
%rep 16
    times 16 db ((0x11 * (i + 1)) ^ 0x5A) & 0xFF
%assign i i + 1
%endrep
saved_registers:
    times 16 dq 0
; xmm0-15, then MXCSR (dword at 256), then st0 as a double (at 264).
saved_fpu:
    times 34 dq 0

section .text

; int3, then RAX as the handler's iret left it.
global kernel_int3_rax
kernel_int3_rax:
    xor eax, eax
    int3
    ret

; int3 with RCX/R11 = PATTERN(3)/PATTERN(11); after it, out[0] = RCX, out[1] = R11 (RDI = out).
global kernel_int3_rcx_r11, kernel_int3_rcx_r11_after
kernel_int3_rcx_r11:
    mov rcx, PATTERN(3)
    mov r11, PATTERN(11)
    int3
kernel_int3_rcx_r11_after:
    mov [rdi], rcx
    mov [rdi + 8], r11
    ret

; int3, then CS and SS as the return left them: RAX = CS | SS << 16.
global kernel_int3_selectors
kernel_int3_selectors:
    int3
    xor eax, eax
    mov ax, ss
    shl eax, 16
    mov ax, cs
    ret

; Every register across int3 (the handler returns): stored in saved_registers.
global kernel_preserve_across_trap
kernel_preserve_across_trap:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    LOAD_PATTERNS
    int3
    STORE_REGISTERS
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; xmm0-15, MXCSR (all masked, round toward zero) and x87 st0 (pi) across a hypercall (xen_version):
; stored in saved_fpu. The caller's MXCSR is put back.
global kernel_fpu_across_hypercall
kernel_fpu_across_hypercall:
    sub rsp, 8
    stmxcsr [rsp]
    mov dword [rsp + 4], 0x7F80
    ldmxcsr [rsp + 4]
    fninit
    fldpi
    LOAD_XMM
    xor edi, edi
    xor esi, esi
    call hypercall_page + 17 * HYPERCALL_STUB_SIZE
    STORE_XMM
    stmxcsr [rel saved_fpu + 256]
    fstp qword [rel saved_fpu + 264]
    fninit
    ldmxcsr [rsp]
    add rsp, 8
    ret

; xmm0-15 across a trap whose handler runs C# (int3): stored in saved_fpu.
global kernel_fpu_across_trap
kernel_fpu_across_trap:
    LOAD_XMM
    int3
    STORE_XMM
    ret

section .user.text progbits alloc exec write align=16

; Every register as user mode started, into saved_registers.
global user_capture_registers
user_capture_registers:
    STORE_REGISTERS
    KIT_USER_EXIT

; syscall number RDI with RCX/R11 = PATTERN(3)/PATTERN(11); afterwards R12 = RCX, R13 = R11,
; R14 = the address after the syscall, R15 = RAX.
global user_syscall_rcx_r11, user_syscall_rcx_r11_after
user_syscall_rcx_r11:
    mov rax, rdi
    mov rcx, PATTERN(3)
    mov r11, PATTERN(11)
    syscall
user_syscall_rcx_r11_after:
    mov r12, rcx
    mov r13, r11
    lea r14, [rel user_syscall_rcx_r11_after]
    mov r15, rax
    KIT_USER_EXIT

; Every register across the echo syscall (RAX = KIT_SYSCALL_ECHO instead of the pattern), into
; saved_registers.
global user_preserve_across_syscall
user_preserve_across_syscall:
    LOAD_PATTERNS
    mov eax, KIT_SYSCALL_ECHO
    syscall
    STORE_REGISTERS
    KIT_USER_EXIT

; Every register across int $0x40 (a software interrupt the handler returns from).
global user_preserve_across_interrupt
user_preserve_across_interrupt:
    LOAD_PATTERNS
    int 0x40
    STORE_REGISTERS
    KIT_USER_EXIT

; Reads [RDI] (a page the handler maps on the fault): RDI = the value.
global user_read_demand
user_read_demand:
    mov rdi, [rdi]
    KIT_USER_EXIT

; ud2 that the handler skips by moving RIP on: RDI = 1 when execution went on after it.
global user_skip_ud2, user_skip_ud2_at
user_skip_ud2:
    xor edi, edi
user_skip_ud2_at:
    ud2
    mov edi, 1
    KIT_USER_EXIT

; xmm0-15 across the echo syscall and int $0x40, into saved_fpu.
global user_fpu_across_syscall
user_fpu_across_syscall:
    LOAD_XMM
    mov eax, KIT_SYSCALL_ECHO
    syscall
    int 0x40
    STORE_XMM
    KIT_USER_EXIT

; A syscall the hook records (KIT_SYSCALL_FIRST_FREE), then exit.
global user_hooked_syscall, user_hooked_syscall_after
user_hooked_syscall:
    mov eax, KIT_SYSCALL_FIRST_FREE
    syscall
user_hooked_syscall_after:
    KIT_USER_EXIT
