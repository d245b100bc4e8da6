; The peer's secondary vCPUs (1..3): where they start, their stacks, and their event upcall.
;
; A secondary starts at vcpus_secondary_entry with the registers of the vcpu_guest_context it was given
; (VCPUOP_initialise or XEN_DOMCTL_setvcpucontext): RSP the top of its own stack, RDI its id. Each stack
; is VCPUS_STACK_SIZE bytes at an address aligned to that size, so code running on it finds its vCPU
; from any stack address (C#: Secondaries.VcpuOfStack).
;
; The upcall: Xen's frame for the event callback is {RCX, R11, RIP, CS, RFLAGS, RSP, SS} on the stack
; the vCPU was running on. The stub keeps the registers C# may clobber and the SSE state, calls C# with
; the frame's address, and returns with the iret hypercall (its page stub pushes RCX, R11, RAX above a
; flags word of 0, a full return that restores the event mask from the saved RFLAGS.IF).
%include "kit.inc"
extern vcpus_secondary_main, vcpus_secondary_event, hypercall_page
global vcpus_secondary_entry, vcpus_event_entry, vcpus_stacks_address

%define VCPUS_STACK_SIZE 0x4000
%define VCPUS_STACKS     4

section .text
vcpus_secondary_entry:
    cld
    and rsp, ~15
    xor ebp, ebp
    call vcpus_secondary_main         ; does not return
.stop:
    ud2
    jmp .stop

vcpus_event_entry:
    pop rcx
    pop r11
    push rax
    push rcx
    push rdx
    push rsi
    push rdi
    push r8
    push r9
    push r10
    push r11
    push rbx
    cld
    mov rbx, rsp
    sub rsp, 512
    and rsp, ~63
    fxsave64 [rsp]
    mov rdi, rbx
    call vcpus_secondary_event
    fxrstor64 [rsp]
    mov rsp, rbx
    pop rbx
    pop r11
    pop r10
    pop r9
    pop r8
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rax
    push qword 0                      ; iret's flags word
    jmp hypercall_page + HYPERCALL_IRET * HYPERCALL_STUB_SIZE

; byte* vcpus_stacks_address(): the first stack (vCPU 0's slot, unused: vCPU 0 runs on the kit's stack).
vcpus_stacks_address:
    lea rax, [rel vcpus_stacks]
    ret

section .bss
alignb VCPUS_STACK_SIZE
vcpus_stacks:
    resb VCPUS_STACK_SIZE * VCPUS_STACKS
