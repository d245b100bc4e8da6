; The traps suite's routines: kernel-mode ones run through the kit's GuardedCall (argument in RDI),
; user-mode ones (section .user.text) through UserMode.Call and end with the exit syscall.
; A label <routine>_at marks the instruction that traps (for a fault, the RIP Xen reports; for a
; trap, the RIP is the next instruction, <routine>_after).
%include "kit.inc"
extern hypercall_page

%define TF_FLAG (1 << 8)
%define AC_FLAG (1 << 18)

%macro ROUTINE 1
global %1, %1_at, %1_after
%1:
%endmacro

; Kernel-mode and user-mode bodies are the same code; the user ones end with the exit syscall.
%macro KERNEL_END 0
    ret
%endmacro
%macro USER_END 0
    KIT_USER_EXIT
%endmacro

%macro BODIES 2   ; prefix, end macro
ROUTINE %1divide_error
    xor ecx, ecx
    mov eax, 1
    xor edx, edx
%1divide_error_at:
    div ecx
%1divide_error_after:
    %2

ROUTINE %1int3
%1int3_at:
    int3
%1int3_after:
    %2

ROUTINE %1icebp
%1icebp_at:
    db 0xF1                           ; int1 (ICEBP)
%1icebp_after:
    %2

; TF set by popfq: the single-step trap comes after the instruction that follows.
ROUTINE %1single_step
    pushfq
    or qword [rsp], TF_FLAG
    popfq
%1single_step_at:
    nop
%1single_step_after:
    pushfq
    and qword [rsp], ~TF_FLAG
    popfq
    %2

ROUTINE %1invalid_opcode
%1invalid_opcode_at:
    ud2
%1invalid_opcode_after:
    %2

ROUTINE %1into
%1into_at:
    db 0xCE                           ; into: invalid in 64-bit mode
%1into_after:
    %2

ROUTINE %1non_canonical
    mov rax, 0x8000000000000000
%1non_canonical_at:
    mov rax, [rax]
%1non_canonical_after:
    %2

; RDI: the address to read / write / jump to.
ROUTINE %1read
%1read_at:
    mov rax, [rdi]
%1read_after:
    %2

ROUTINE %1write
%1write_at:
    mov [rdi], rax
%1write_after:
    %2

ROUTINE %1fetch
%1fetch_at:
    call rdi
%1fetch_after:
    %2

; SSE with the virtual CR0.TS set (the kernel one sets it first; user mode is entered with it set).
ROUTINE %1sse
%1sse_at:
    movaps xmm0, xmm0
%1sse_after:
    %2

; SIMD floating-point exception: divide by zero with the zero-divide exception unmasked in MXCSR.
ROUTINE %1simd_divide
    sub rsp, 8
    stmxcsr [rsp]
    and dword [rsp], ~(1 << 9)        ; ZM
    ldmxcsr [rsp]
    add rsp, 8
    mov eax, 1
    cvtsi2ss xmm0, eax
    xorps xmm1, xmm1
%1simd_divide_at:
    divss xmm0, xmm1
%1simd_divide_after:
    sub rsp, 8                        ; no trap: the result is MXCSR (for the report)
    stmxcsr [rsp]
    mov eax, [rsp]
    add rsp, 8
    mov rdi, rax
    %2

; x87 floating-point exception: divide by zero unmasked in the control word; reported at the next
; waiting instruction.
ROUTINE %1x87_divide
    fninit
    sub rsp, 8
    fnstcw [rsp]
    and word [rsp], ~(1 << 2)         ; ZM
    fldcw [rsp]
    add rsp, 8
    fld1
    fldz
    fdivp st1, st0
%1x87_divide_at:
    fwait
%1x87_divide_after:
    fnclex
    fninit
    %2

; Alignment check: AC set, then a misaligned load (needs CR0.AM, which the hypervisor owns).
ROUTINE %1alignment
    pushfq
    or qword [rsp], AC_FLAG
    popfq
    sub rsp, 16
%1alignment_at:
    mov eax, [rsp + 1]
%1alignment_after:
    add rsp, 16
    pushfq
    and qword [rsp], ~AC_FLAG
    popfq
    %2
%endmacro

; int n for the vectors the suite uses.
%macro SOFT_INT 3   ; prefix, vector, end macro
ROUTINE %1int_%2
%1int_%2_at:
    int %2
%1int_%2_after:
    %3
%endmacro

%macro SOFT_INTS 2
    SOFT_INT %1, 3, %2
    SOFT_INT %1, 4, %2
    SOFT_INT %1, 5, %2
    SOFT_INT %1, 13, %2
    SOFT_INT %1, 0x40, %2
    SOFT_INT %1, 0x41, %2
    SOFT_INT %1, 0x42, %2
    SOFT_INT %1, 0x43, %2
    SOFT_INT %1, 0x44, %2
    SOFT_INT %1, 0x45, %2
%endmacro

section .text
    BODIES kernel_, KERNEL_END
    SOFT_INTS kernel_, KERNEL_END

; fpu_taskswitch(1) then an SSE instruction: #NM in kernel mode (nothing in between touches the FPU).
ROUTINE kernel_taskswitched_sse
    mov edi, 1
    call hypercall_page + HYPERCALL_FPU_TASKSWITCH * HYPERCALL_STUB_SIZE
kernel_taskswitched_sse_at:
    movaps xmm0, xmm0
kernel_taskswitched_sse_after:
    ret

; int3 with RSP 8 bytes off 16-byte alignment (Xen aligns the frame down to 16 bytes).
ROUTINE kernel_int3_misaligned
    sub rsp, 8
kernel_int3_misaligned_at:
    int3
kernel_int3_misaligned_after:
    add rsp, 8
    ret

; int3 with known RCX and R11: the frame's top two slots are them.
ROUTINE kernel_int3_rcx_r11
    mov rcx, 0x1111111111111111
    mov r11, 0x2222222222222222
kernel_int3_rcx_r11_at:
    int3
kernel_int3_rcx_r11_after:
    ret

section .user.text progbits alloc exec write align=16
    BODIES user_, USER_END
    SOFT_INTS user_, USER_END
