; Guest user mode: the callbacks Xen enters on the way from user mode to the kernel, the kernel
; stack for those transitions (stack_switch), and the way in and out of user mode.
;
; In: kit_user_enter builds an iret context from a UserRegisters block (CS with RPL 3, so Xen's iret
; switches to the user page tables and user mode) and jumps to the iret hypercall.
; Out: a syscall or a trap from user mode arrives on the kernel stack set with stack_switch; the C#
; handler copies the registers and calls kit_user_leave, which returns from kit_user_enter on the
; stack it was called on.
;
; The callbacks reuse the trap path (traps.asm): Xen's frame for them is {RCX, R11, RIP, CS, RFLAGS,
; RSP, SS}, a trap frame without an error code, so each stub pushes a zero error code and a
; pseudo-vector above 255 (KIT_VECTOR_*), and C# tells them apart by that.
%include "kit.inc"
extern kit_trap_common, hypercall_page, kit_handler_entry
global kit_syscall_entry, kit_event_entry, kit_failsafe_entry, kit_failsafe_segments_address
global kit_user_enter, kit_user_leave, kit_kernel_stack_top_address
global kit_user_section_start, kit_user_section_end
extern __user_start, __user_end

; Offsets in UserRegisters (C#, UserRegisters.cs): the general registers in TrapFrame's order, then
; RIP, CS, RFLAGS, RSP, SS.
%define UR_R15     0
%define UR_R14     8
%define UR_R13     16
%define UR_R12     24
%define UR_R11     32
%define UR_R10     40
%define UR_R9      48
%define UR_R8      56
%define UR_RBP     64
%define UR_RDI     72
%define UR_RSI     80
%define UR_RDX     88
%define UR_RCX     96
%define UR_RBX     104
%define UR_RAX     112
%define UR_RIP     120
%define UR_CS      128
%define UR_RFLAGS  136
%define UR_RSP     144
%define UR_SS      152

%define FXSAVE_AREA (512 + 64)

section .text

; syscall from guest user mode (CALLBACKTYPE_syscall). RCX and R11 on top are the user's, as the
; syscall instruction left them (the return RIP and RFLAGS).
kit_syscall_entry:
    KIT_RECORD_ENTRY
    pop rcx
    pop r11
    push qword 0
    push qword KIT_VECTOR_SYSCALL
    jmp kit_trap_common

; The event upcall (CALLBACKTYPE_event): entered with events masked.
kit_event_entry:
    KIT_RECORD_ENTRY
    pop rcx
    pop r11
    push qword 0
    push qword KIT_VECTOR_EVENT
    jmp kit_trap_common

; The failsafe callback: Xen could not load the guest's segment registers on a return. Its frame
; has DS, ES, FS, GS between R11 and RIP; they are kept for the report.
kit_failsafe_entry:
    KIT_RECORD_ENTRY
    pop rcx
    pop r11
    pop qword [rel failsafe_segments + 0]
    pop qword [rel failsafe_segments + 8]
    pop qword [rel failsafe_segments + 16]
    pop qword [rel failsafe_segments + 24]
    push qword 0
    push qword KIT_VECTOR_FAILSAFE
    jmp kit_trap_common

; ulong* kit_failsafe_segments_address(): DS, ES, FS, GS of the last failsafe callback.
kit_failsafe_segments_address:
    lea rax, [rel failsafe_segments]
    ret

; ulong kit_kernel_stack_top_address(): the top of the stack the kit gives stack_switch.
kit_kernel_stack_top_address:
    lea rax, [rel kit_kernel_stack_top]
    ret

; ulong kit_user_enter(UserRegisters* regs): runs guest user mode from regs (RIP, CS, RFLAGS, RSP,
; SS and every general register). Returns the value passed to kit_user_leave.
kit_user_enter:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    sub rsp, FXSAVE_AREA
    lea rax, [rsp + 63]
    and rax, ~63
    fxsave64 [rax]                    ; the kernel's FPU/SSE state, put back on the way out
    mov [rel kernel_fxsave], rax
    mov [rel kernel_rsp], rsp
    cmp byte [rel enter_with_ts], 0
    je .ts_done
    mov byte [rel enter_with_ts], 0
    push rdi                          ; fpu_taskswitch(1) after the fxsave: the next FPU/SSE
    mov edi, 1                        ; instruction (in user mode) raises #NM
    call hypercall_page + HYPERCALL_FPU_TASKSWITCH * HYPERCALL_STUB_SIZE
    pop rdi
.ts_done:
    and rsp, ~15
    ; The iret context below the stub's pushes of RCX, R11, RAX: flags, RIP, CS, RFLAGS, RSP, SS.
    push qword [rdi + UR_SS]
    push qword [rdi + UR_RSP]
    push qword [rdi + UR_RFLAGS]
    push qword [rdi + UR_CS]
    push qword [rdi + UR_RIP]
    push qword 0                      ; flags: a full return (not VGCF_in_syscall)
    mov r15, [rdi + UR_R15]
    mov r14, [rdi + UR_R14]
    mov r13, [rdi + UR_R13]
    mov r12, [rdi + UR_R12]
    mov r11, [rdi + UR_R11]
    mov r10, [rdi + UR_R10]
    mov r9,  [rdi + UR_R9]
    mov r8,  [rdi + UR_R8]
    mov rbp, [rdi + UR_RBP]
    mov rsi, [rdi + UR_RSI]
    mov rdx, [rdi + UR_RDX]
    mov rcx, [rdi + UR_RCX]
    mov rbx, [rdi + UR_RBX]
    mov rax, [rdi + UR_RAX]
    mov rdi, [rdi + UR_RDI]
    jmp hypercall_page + HYPERCALL_IRET * HYPERCALL_STUB_SIZE

; void kit_user_leave(ulong value): back to kit_user_enter's caller (in guest kernel mode, from a
; handler running on the transition stack), returning value.
kit_user_leave:
    mov rax, rdi
    mov rsp, [rel kernel_rsp]
    mov rdx, [rel kernel_fxsave]
    fxrstor64 [rdx]
    cld
    add rsp, FXSAVE_AREA
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; The first and last+1 byte of the user section (.user.text, .user.data: code and data that user
; mode runs and touches, mapped into the user address space at the same addresses).
kit_user_section_start:
    lea rax, [rel __user_start]
    ret

kit_user_section_end:
    lea rax, [rel __user_end]
    ret

; void kit_user_enter_with_ts(): the next kit_user_enter sets the virtual CR0.TS just before user mode.
global kit_user_enter_with_ts
kit_user_enter_with_ts:
    mov byte [rel enter_with_ts], 1
    ret

section .data
align 8
enter_with_ts:
    dq 0
kernel_rsp:
    dq 0
kernel_fxsave:
    dq 0
failsafe_segments:
    times 4 dq 0

section .bss
alignb 4096
kit_kernel_stack_bottom:
    resb KIT_KERNEL_STACK_SIZE
kit_kernel_stack_top:

; User-mode routines of the kit (user code lives in section .user.text; see UserMode.cs).
section .user.text progbits alloc exec write align=16
global kit_user_exit, kit_user_spin_syscalls

; Leaves user mode at once: the exit syscall, with RDI (the result) as the caller set it.
kit_user_exit:
    mov eax, KIT_SYSCALL_EXIT
    syscall
    ud2

; RDI times the echo syscall (RAX = KIT_SYSCALL_ECHO, RSI echoed), then exits with the last result.
kit_user_spin_syscalls:
    mov rcx, rdi
    mov rdi, rsi
    mov rax, rsi
.again:
    test rcx, rcx
    jz .done
    push rcx
    mov eax, KIT_SYSCALL_ECHO
    syscall
    pop rcx
    dec rcx
    jmp .again
.done:
    mov rdi, rax
    mov eax, KIT_SYSCALL_EXIT
    syscall
    ud2

section .text
global kit_callback_entry
; ulong kit_callback_entry(ulong type): the kit's entry stub for a callback type (CALLBACKTYPE_event 0,
; failsafe 1, syscall 2), 0 for any other.
kit_callback_entry:
    xor eax, eax
    cmp rdi, 0
    jne .not_event
    lea rax, [rel kit_event_entry]
    ret
.not_event:
    cmp rdi, 1
    jne .not_failsafe
    lea rax, [rel kit_failsafe_entry]
    ret
.not_failsafe:
    cmp rdi, 2
    jne .done
    lea rax, [rel kit_syscall_entry]
.done:
    ret

; ulong kit_user_exit_address(): the address of kit_user_exit.
global kit_user_exit_address
kit_user_exit_address:
    lea rax, [rel kit_user_exit]
    ret
