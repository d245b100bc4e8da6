; Interrupt and exception entry. Every vector gets a stub that makes the stack look the same
; (a zero is pushed where the CPU pushes no error code), then the common path saves the
; general registers in the order of TrapFrame (C#) and calls hv_trap(TrapFrame*).
bits 64
%include "percpu.inc"
extern hv_trap, hv_syscall, percpu_area, core_lock_next, core_lock_serving, core_lock_wait
; Offsets in the frame (TrapFrame in C#): 15 registers from R15 up, vector, error code, then what
; the CPU pushed.
FRAME_R11    equ 4 * 8
FRAME_RCX    equ 12 * 8
FRAME_VECTOR equ 15 * 8
FRAME_RIP    equ 17 * 8
FRAME_CS     equ 18 * 8
FRAME_RFLAGS equ 19 * 8
FRAME_SS     equ 21 * 8

; The XMM registers the compiled hypervisor uses (it never uses x87, AVX or floating-point
; arithmetic, so the rest of the FPU state and MXCSR are left alone). The build checks the image
; against this list (build/check-saved-xmm.sh) and fails, naming the functions, if code ever uses
; another register: then add it here and in RESTORE_XMM.
%macro SAVE_XMM 0
    movdqa [rsp], xmm0
    movdqa [rsp + 16], xmm8
%endmacro

%macro RESTORE_XMM 0
    movdqa xmm0, [rsp]
    movdqa xmm8, [rsp + 16]
%endmacro

%macro PUSH_GENERAL 0
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
%endmacro

; Takes the core lock (asm/corelock.asm) for this exit: RBX is this CPU's block; clobbers RAX. The
; wait, if any, has interrupts open (requests from the holder are served meanwhile).
%macro CORE_LOCK_ACQUIRE 0
    mov eax, 1
    lock xadd [rel core_lock_next], eax
    cmp eax, [rel core_lock_serving]
    je %%held
    call core_lock_wait
%%held:
    mov byte [rbx + PERCPU_LOCK_HELD], 1
%endmacro

; Calls the C# handler %1(frame, this CPU's block) with the frame (RBP) on the hypervisor stack in
; use (RSP), the XMM registers it uses kept; RBP and RSP come back as the frame it returns (the one
; to resume). RBX is this CPU's block (LOAD_PERCPU_RBX), and stays so across the call: it is
; callee-saved, and a handler returns on the CPU it was called on.
; A guest may have set CR0.TS (fpu_taskswitch), which would make the XMM saves fault: it is cleared
; first; the way back to the guest sets it again if the guest still wants it.
%macro CALL_HANDLER 1
    CALL_HANDLER_ONLY %1
    EXIT_SWITCH_AND_UNLOCK
    mov rbp, rax
    mov rsp, rax
%endmacro

; The call itself: RAX the frame to resume on return, the interrupted code's XMM registers back.
%macro CALL_HANDLER_ONLY 1
    cmp byte [rbx + PERCPU_TASK_SWITCHED], 0
    je %%save
    clts
%%save:
    sub rsp, 2 * 16
    and rsp, ~15
    SAVE_XMM
    mov rdi, rbp
    mov rsi, rbx
    call %1
    RESTORE_XMM
%endmacro

; The end of a handler that may have switched vCPUs (RAX the frame to resume, RBX this CPU's block):
; now that the XMM registers are the old guest's again, its whole FPU state is saved and the next
; one's loaded; then the core lock goes back if this exit took it (without a branch: under an
; emulator every branch ends a block). Only the holder writes core_lock_serving, so a plain add
; releases. A CPU that does not hold the lock must not write it at all, not even an add of 0: that
; is a read and a write, which would undo a release made by the holder in between; its add goes to
; a word of its own block instead, the address chosen without a branch. (A switch is only ever set
; up with interrupts off until here, so a nested interrupt never finds one pending.) R11 and RDX are
; free: the general registers come from the frame.
%macro EXIT_SWITCH_AND_UNLOCK 0
    cmp qword [rbx + PERCPU_FPU_LOAD], 0
    je %%unlock
    call fpu_switch
%%unlock:
    lea r11, [rbx + PERCPU_UNLOCK_SINK]
    lea rdx, [rel core_lock_serving]
    cmp byte [rbx + PERCPU_LOCK_HELD], 0
    cmovne r11, rdx
    mov byte [rbx + PERCPU_LOCK_HELD], 0
    add dword [r11], 1
%endmacro

%macro POP_GENERAL 0
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
%endmacro
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

; The hot paths share one page: the stubs of vectors below 128 (the exceptions guests raise), the
; common trap path with the way back to a guest, and the SYSCALL entries. QEMU's TCG chains a direct
; jump to its target only within a page; a jump to another page costs a lookup on every exit.
; The page starts .text.hot, which the linker script puts first, followed by the other assembly the
; exits call and the managed code of the exit paths (hypervisor.ld, hot-methods.txt).
section .text.hot progbits alloc exec nowrite align=4096
hot_entry_page:
%assign vector 0
%rep 128
    TRAP_STUB vector
%assign vector vector + 1
%endrep

trap_common:
    PUSH_GENERAL
    mov rbp, rsp
    LOAD_PERCPU_RBX
    ; From a guest, the frame is complete in the running vCPU's register file (TSS.RSP0 points just
    ; past it): the hypervisor itself runs on this CPU's exit stack. From the hypervisor, the frame is
    ; on the stack in use, and it goes on below it.
    test qword [rbp + FRAME_CS], 3
    jz trap_in_hypervisor
    mov rsp, [rbx + PERCPU_EXIT_STACK]
    ; A guest's exception takes the core lock here; an interrupt's handler acknowledges it first and
    ; then takes the lock itself (waiting with an unacknowledged timer interrupt would hold off the
    ; IPIs of the same priority class, which the holder may be waiting on).
    cmp qword [rbp + FRAME_VECTOR], 32
    jae trap_handle
    CORE_LOCK_ACQUIRE
trap_handle:
    ; The handler is C#, which uses a few SSE registers: keep the interrupted code's (SAVE_XMM), far
    ; cheaper than fxsave.
    CALL_HANDLER hv_trap
    test qword [rbp + FRAME_CS], 3
    jz trap_restore_registers
return_to_guest:
    ; Back to a guest that set CR0.TS (fpu_taskswitch): set it now, after the last FPU/SSE
    ; instruction of the hypervisor, so the guest's next FPU use raises #NM for it.
    cmp byte [rbx + PERCPU_TASK_SWITCHED], 0
    je .sysret_check
    mov rax, cr0
    or rax, 8
    mov cr0, rax
.sysret_check:
    ; SYSRET is much cheaper than iretq. It can return to the guest when the frame is what it would
    ; produce: the flat 64-bit guest CS and SS (STAR), and RCX and R11 holding RIP and RFLAGS, as
    ; after every hypercall (the registers SYSCALL clobbered). The core has checked that RIP is
    ; canonical (ResumableState), so SYSRET cannot fault in ring 0; RF cannot be set by SYSRET.
    cmp qword [rbp + FRAME_CS], 0xe033
    jne trap_restore_registers
    cmp qword [rbp + FRAME_SS], 0xe02b
    jne trap_restore_registers
    mov rax, [rbp + FRAME_RIP]
    cmp rax, [rbp + FRAME_RCX]
    jne trap_restore_registers
    mov rax, [rbp + FRAME_RFLAGS]
    cmp rax, [rbp + FRAME_R11]
    jne trap_restore_registers
    test rax, 1 << 16
    jnz trap_restore_registers
    POP_GENERAL
    mov rsp, [rsp + 5 * 8]            ; the guest's RSP (above vector, error code, RIP, CS, RFLAGS)
    o64 sysret
trap_restore_registers:
    POP_GENERAL
    add rsp, 16                       ; vector and error code
    iretq

; SYSCALL from a guest (LSTAR and CSTAR). SYSCALL leaves RSP as the guest's and switches nothing
; else, so the entry saves the guest stack pointer, moves to the end of the vCPU's register file
; (the TSS's RSP0, so traps and syscalls build the same frame in the same place) and makes the
; frame an exception would have made, with pseudo-vector 256. Interrupts are off (SFMASK clears
; IF) until the frame is complete. No register is free before the guest's are saved, so each CPU
; has its own entry stub (its LSTAR and CSTAR), which names that CPU's block directly.
; The boot CPU's stub runs straight into the common part; the others jump there (a jump costs an
; emulator more than it seems: QEMU's TCG ends a translation block at each).
%macro SYSCALL_STUB 1
syscall_entry_%1:
    mov [rel percpu_area + %1 * PERCPU_SIZE + PERCPU_SYSCALL_RSP], rsp
    mov rsp, [rel percpu_area + %1 * PERCPU_SIZE + PERCPU_ENTRY_STACK]
    push qword 0xe02b                 ; ss: the flat ring-3 data selector the guest runs with
    push qword [rel percpu_area + %1 * PERCPU_SIZE + PERCPU_SYSCALL_RSP]
%if %1 != 0
    jmp syscall_common
%endif
%endmacro

%assign cpu MAX_CPUS - 1
%rep MAX_CPUS
    SYSCALL_STUB cpu
%assign cpu cpu - 1
%endrep

syscall_common:
    push r11                          ; rflags, as SYSCALL saved them
    push qword 0xe033                 ; cs: flat ring-3 64-bit code
    push rcx                          ; rip after the SYSCALL
    push qword 0                      ; error code
    push qword 256                    ; pseudo-vector for SYSCALL
    ; The general registers, as trap_common saves them; then straight to hv_syscall, which knows
    ; the exit is a SYSCALL from the running vCPU (no vector or privilege decisions to make).
    PUSH_GENERAL
    mov rbp, rsp
    LOAD_PERCPU_RBX
    mov rsp, [rbx + PERCPU_EXIT_STACK]
    CORE_LOCK_ACQUIRE
    CALL_HANDLER hv_syscall
    jmp return_to_guest               ; the idle loop's frame too: it fails the SYSRET checks

; The interrupts' stubs (vectors 128 and up) need not share the page; nothing else may spill out of it.
    times ((($ - hot_entry_page) > 4096) * -1) db 0     ; fails to assemble if the hot page overflows

section .text

; From the hypervisor itself (the frame on the stack in use). An interrupt of the idle loop or of a
; wait for the core lock is handled as any other. An exception (a guest copy meeting a bad pointer,
; or a bug, which panics) returns to the code it interrupted, which goes on as it was: with the core
; lock if it held it, and its FPU switch still to come.
trap_in_hypervisor:
    cmp qword [rbp + FRAME_VECTOR], 32
    jae trap_handle
    CALL_HANDLER_ONLY hv_trap
    mov rbp, rax
    mov rsp, rax
    jmp trap_restore_registers
%assign vector 128
%rep 128
    TRAP_STUB vector
%assign vector vector + 1
%endrep

section .rodata
align 8
trap_stub_table:
%assign vector 0
%rep 256
    dq trap_stub_ %+ vector
%assign vector vector + 1
%endrep

global hv_syscall_stub_table, cpu_set_guest_entry_stack, cpu_set_hypervisor_exit_stack, cpu_resume, cpu_set_guest_task_switched
global cpu_set_fpu_switch, cpu_idle_loop_address, cpu_initial_fpu_state
section .text
; ulong* hv_syscall_stub_table(): each CPU's SYSCALL entry, by CPU index.
hv_syscall_stub_table:
    lea rax, [rel syscall_stub_table]
    ret

; The setters below change the calling CPU's block.

; void cpu_set_guest_entry_stack(ulong top): where the SYSCALL entry builds its frame (the TSS
; RSP0): just past the running vCPU's register file.
cpu_set_guest_entry_stack:
    push rbx
    LOAD_PERCPU_RBX
    mov [rbx + PERCPU_ENTRY_STACK], rdi
    pop rbx
    ret

; void cpu_set_hypervisor_exit_stack(ulong top): the stack the hypervisor handles guest exits on.
cpu_set_hypervisor_exit_stack:
    push rbx
    LOAD_PERCPU_RBX
    mov [rbx + PERCPU_EXIT_STACK], rdi
    pop rbx
    ret

; void cpu_set_guest_task_switched(bool): whether returns to the guest set CR0.TS.
cpu_set_guest_task_switched:
    push rbx
    LOAD_PERCPU_RBX
    mov [rbx + PERCPU_TASK_SWITCHED], dil
    pop rbx
    ret

; void cpu_set_fpu_switch(void* save, void* load): at the end of this exit, FXSAVE the running
; guest's FPU state to save (unless 0) and FXRSTOR the next one's from load (16-byte aligned).
cpu_set_fpu_switch:
    push rbx
    LOAD_PERCPU_RBX
    mov [rbx + PERCPU_FPU_SAVE], rdi
    mov [rbx + PERCPU_FPU_LOAD], rsi
    pop rbx
    ret

; Keeps RAX (the frame to resume) and RBX (this CPU's block); R11 is free, as the general registers
; come from the frame.
fpu_switch:
    mov r11, [rbx + PERCPU_FPU_SAVE]
    test r11, r11
    jz .load
    fxsave64 [r11]
.load:
    mov r11, [rbx + PERCPU_FPU_LOAD]
    fxrstor64 [r11]
    xor r11d, r11d
    mov [rbx + PERCPU_FPU_SAVE], r11
    mov [rbx + PERCPU_FPU_LOAD], r11
    ret

; void cpu_resume(TrapFrame* frame): leaves C# for a frame, as an exit does (the FPU switch set up,
; the core lock given back): a CPU's first guest or its idle loop.
cpu_resume:
    LOAD_PERCPU_RBX
    mov rax, rdi
    EXIT_SWITCH_AND_UNLOCK
    mov rbp, rax
    mov rsp, rax
    test qword [rbp + FRAME_CS], 3
    jz trap_restore_registers
    jmp return_to_guest

; The idle vCPU: what a CPU runs when no vCPU can (GuestExecution enters it with interrupts open).
; The timer or an IPI ends each halt; its handler decides whether to stay. While free frames wait to
; be scrubbed (PERCPU_IDLE_SCRUB), it does not halt but asks for a batch with its own interrupt: that
; comes through the core like any interrupt of the idle loop (the core lock taken, the scheduler asked
; first), and the lock goes back after each batch. The flag is read with interrupts off and sti's
; shadow covers hlt, so a request made meanwhile ends the halt. The registers are the idle loop's own.
idle_loop:
    cli
    LOAD_PERCPU_RBX
    cmp byte [rbx + PERCPU_IDLE_SCRUB], 0
    jne .scrub
    sti
    hlt
    jmp idle_loop
.scrub:
    sti
    int IDLE_SCRUB_VECTOR
    jmp idle_loop

; ulong cpu_idle_loop_address(): where an idle frame resumes (a label imported from C# is called,
; not addressed).
cpu_idle_loop_address:
    lea rax, [rel idle_loop]
    ret

; void* cpu_initial_fpu_state(): FNINIT's state with the default MXCSR (512 bytes, aligned): what the
; idle vCPU "loads" when a guest's FPU state is saved on the way to idle.
cpu_initial_fpu_state:
    lea rax, [rel initial_fpu_state]
    ret

section .data
align 64
initial_fpu_state:
    dw 0x037F                         ; FCW: all x87 exceptions masked, extended precision
    times 22 db 0
    dd 0x1F80                         ; MXCSR: all SSE exceptions masked
    dd 0xFFFF                         ; MXCSR mask
    times 512 - 32 db 0

section .rodata
align 8
syscall_stub_table:
%assign cpu 0
%rep MAX_CPUS
    dq syscall_entry_ %+ cpu
%assign cpu cpu + 1
%endrep
