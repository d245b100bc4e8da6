; Copies between the hypervisor and guest virtual memory through the loaded page tables, as Xen's
; copy_from_guest / copy_to_guest do. The caller has checked that the guest range lies in the
; guest's part of the address space; a page fault on any load or store between guest_copy_begin
; and guest_copy_end is not a hypervisor bug but a bad guest pointer: the trap handler resumes at
; guest_copy_fault instead (GuestCopy.TryRecover), which reports the failure.
bits 64
global cpu_copy_guest

section .text

; ulong cpu_copy_guest(void* destination, void* source, ulong length): 0 when every byte was
; copied, 1 when a fault stopped it (bytes before the fault may have been copied).
cpu_copy_guest:
    mov rcx, rdx
    shr rcx, 3
    and edx, 7
guest_copy_begin:
    test rcx, rcx
    jz .bytes
.words:
    mov rax, [rsi]
    mov [rdi], rax
    add rsi, 8
    add rdi, 8
    dec rcx
    jnz .words
.bytes:
    test edx, edx
    jz .done
.byte:
    mov al, [rsi]
    mov [rdi], al
    inc rsi
    inc rdi
    dec edx
    jnz .byte
.done:
guest_copy_end:
    xor eax, eax
    ret
guest_copy_fault:
    mov eax, 1
    ret

; ulong cpu_guest_copy_recovery(ulong rip): where to resume after a fault at rip, 0 when rip is not
; inside the copy.
global cpu_guest_copy_recovery
cpu_guest_copy_recovery:
    lea rax, [rel guest_copy_begin]
    cmp rdi, rax
    jb .outside
    lea rax, [rel guest_copy_end]
    cmp rdi, rax
    jae .outside
    lea rax, [rel guest_copy_fault]
    ret
.outside:
    xor eax, eax
    ret
