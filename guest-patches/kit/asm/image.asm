; What the C# side needs to know about the image: a label cannot be imported into C# as an
; address, so the addresses are returned by a function.
extern __kernel_start, __kernel_end, __text_end, __rodata_end, __bss_start, __bss_end
extern __modules_start, __modules_end, kit_stack_bottom, kit_stack_top, hypercall_page
global kit_image_layout

section .text
; void kit_image_layout(GuestImageLayout* layout)
kit_image_layout:
    mov rax, __kernel_start
    mov [rdi], rax
    mov rax, __kernel_end
    mov [rdi + 8], rax
    mov rax, __text_end
    mov [rdi + 16], rax
    mov rax, __rodata_end
    mov [rdi + 24], rax
    mov rax, __bss_start
    mov [rdi + 32], rax
    mov rax, __bss_end
    mov [rdi + 40], rax
    mov rax, __modules_start
    mov [rdi + 48], rax
    mov rax, __modules_end
    mov [rdi + 56], rax
    mov rax, kit_stack_bottom
    mov [rdi + 64], rax
    mov rax, kit_stack_top
    mov [rdi + 72], rax
    mov rax, hypercall_page
    mov [rdi + 80], rax
    ret

; A page-aligned page of the image whose mapping the kit replaces with the shared-info frame.
global kit_shared_info_page
section .bss
alignb 4096
kit_shared_info_page:
    resb 4096

section .text
; void* kit_shared_info_address()
global kit_shared_info_address
kit_shared_info_address:
    lea rax, [rel kit_shared_info_page]
    ret
