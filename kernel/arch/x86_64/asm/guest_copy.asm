; Copies between the hypervisor and guest virtual memory through the loaded page tables, as Xen's
; copy_from_guest / copy_to_guest do. The caller has checked that the guest range lies in the
; guest's part of the address space; a page fault on any load or store between guest_copy_begin
; and guest_copy_end is not a hypervisor bug but a bad guest pointer: the trap handler resumes at
; guest_copy_fault instead (GuestCopy.TryRecover), which reports the failure.
bits 64
global cpu_copy_guest

section .text.hot progbits alloc exec nowrite align=16   ; beside the exit paths that copy (traps.asm)

; Four words from [rsi + %1] to [rdi + %1], loads first (rax, r8, r9, r10).
%macro COPY_FOUR_WORDS 1
    mov rax, [rsi + %1]
    mov r8, [rsi + %1 + 8]
    mov r9, [rsi + %1 + 16]
    mov r10, [rsi + %1 + 24]
    mov [rdi + %1], rax
    mov [rdi + %1 + 8], r8
    mov [rdi + %1 + 16], r9
    mov [rdi + %1 + 24], r10
%endmacro

; ulong cpu_copy_guest(void* destination, void* source, ulong length): 0 when every byte was
; copied, 1 when a fault stopped it (bytes before the fault may have been copied).
; Unrolled, with few branches: under an emulator every branch ends a translated block, and the copies
; every exit makes are short (a bounce frame of 7 or 8 words, an iret context of 9, an instruction's 7
; bytes). Blocks of 8 words, then at most one each of 4, 2 and 1 words, 4, 2 and 1 bytes.
cpu_copy_guest:
    mov rcx, rdx
    shr rcx, 3
guest_copy_begin:
    cmp rcx, 8
    jb .words_below_8
.block:
    COPY_FOUR_WORDS 0
    COPY_FOUR_WORDS 32
    add rsi, 64
    add rdi, 64
    sub rcx, 8
    cmp rcx, 8
    jae .block
.words_below_8:
    test cl, 4
    jz .two_words
    COPY_FOUR_WORDS 0
    add rsi, 32
    add rdi, 32
.two_words:
    test cl, 2
    jz .one_word
    mov rax, [rsi]
    mov r8, [rsi + 8]
    mov [rdi], rax
    mov [rdi + 8], r8
    add rsi, 16
    add rdi, 16
.one_word:
    test cl, 1
    jz .tail
    mov rax, [rsi]
    mov [rdi], rax
    add rsi, 8
    add rdi, 8
.tail:
    test dl, 4
    jz .two
    mov eax, [rsi]
    mov [rdi], eax
    add rsi, 4
    add rdi, 4
.two:
    test dl, 2
    jz .one
    movzx eax, word [rsi]
    mov [rdi], ax
    add rsi, 2
    add rdi, 2
.one:
    test dl, 1
    jz .done
    mov al, [rsi]
    mov [rdi], al
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
