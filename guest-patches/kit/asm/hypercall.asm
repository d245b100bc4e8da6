; The hypercall page (Xen fills it at domain build: one 32-byte stub per hypercall number) and the
; kit's one way of calling it from C#.
%include "kit.inc"

global hypercall_page, kit_hypercall, kit_hypercall_page_address

section .text.hypercall_page progbits alloc exec nowrite align=4096
hypercall_page:
    times 4096 db 0xCC                ; int3 until Xen writes the stubs

section .text
; long kit_hypercall(ulong nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
; C# passes RDI, RSI, RDX, RCX, R8, R9; a hypercall takes its arguments in RDI, RSI, RDX, R10, R8.
kit_hypercall:
    mov rax, rdi
    shl rax, 5                        ; * HYPERCALL_STUB_SIZE
    lea r11, [rel hypercall_page]
    add rax, r11
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    mov r10, r8
    mov r8, r9
    call rax
    ret

; ulong kit_hypercall_page_address(): a label cannot be imported into C# as an address.
kit_hypercall_page_address:
    lea rax, [rel hypercall_page]
    ret

; long kit_hypercall_direct(ulong rax, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5): a hypercall
; made with its own syscall instruction and the full 64-bit RAX, not through the hypercall page (for
; numbers beyond the page and RAX values with high bits set).
global kit_hypercall_direct
kit_hypercall_direct:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    mov r10, r8
    mov r8, r9
    push rcx
    push r11
    syscall
    pop r11
    pop rcx
    ret
