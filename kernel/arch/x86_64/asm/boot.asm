; Start of day: from the boot loader's 32-bit protected mode to the C# entry in 64-bit mode.
; GRUB enters through the multiboot2 header, QEMU's -kernel through the multiboot1 header;
; both arrive at _start with the magic in EAX and the information block's address in EBX.
%include "layout.inc"

extern hv_entry
extern __security_cookie
extern __bss_start, __bss_end, __image_start, __image_end, __modules_start, __modules_end
extern __text_end, __rodata_end

global _start
global boot_pml4
global hv_image_layout

section .multiboot
align 8
mb2_header:
    dd 0xE85250D6                 ; multiboot2 magic
    dd 0                          ; architecture: i386 protected mode
    dd mb2_header_end - mb2_header
    dd -(0xE85250D6 + 0 + (mb2_header_end - mb2_header))
    ; information request: memory map, modules, command line, loader name, ACPI
    align 8
    dw 1, 0
    dd 8 + 4 * 6
    dd 1, 2, 3, 6, 14, 15
    align 8
    dw 0, 0                       ; end tag
    dd 8
mb2_header_end:

align 4
mb1_header:
    dd 0x1BADB002                 ; multiboot1 magic
    dd 0x00000003                 ; page-aligned modules, memory information
    dd -(0x1BADB002 + 0x00000003)

section .boot.text progbits alloc exec nowrite
bits 32
_start:
    cli
    cld
    mov edi, eax                  ; boot loader magic
    mov esi, ebx                  ; information block (physical)
    mov esp, boot32_stack_top

    ; Long mode is required; say so on the serial line rather than rebooting silently.
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    ; Boot page tables: identity map of the first 4 GiB (firmware tables, boot information,
    ; local APIC) and the image's own mapping: VIRT_OFFSET + x -> x for the first GiB.
    push edi
    mov edi, boot_tables_start
    mov ecx, (boot_tables_end - boot_tables_start) / 4
    xor eax, eax
    rep stosd
    pop edi

    mov eax, boot_pdpt_low
    or eax, 3
    mov [boot_pml4], eax
    mov eax, boot_pdpt_high
    or eax, 3
    mov [boot_pml4 + ((VIRT_OFFSET >> 39) & 511) * 8], eax

    xor ecx, ecx
.fill_pdpt_low:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd_low
    or eax, 3
    mov [boot_pdpt_low + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .fill_pdpt_low

    xor ecx, ecx
.fill_pd_low:                         ; 2048 large pages of 2 MiB = 4 GiB
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [boot_pd_low + ecx * 8], eax
    mov eax, ecx
    shr eax, 11
    mov [boot_pd_low + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jb .fill_pd_low

    mov eax, boot_pd_high
    or eax, 3
    mov [boot_pdpt_high + ((VIRT_OFFSET >> 30) & 511) * 8], eax
    xor ecx, ecx
.fill_pd_high:                        ; the first GiB again, at VIRT_OFFSET
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [boot_pd_high + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .fill_pd_high

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)   ; PAE, OSFXSR, OSXMMEXCPT (the generated code uses SSE)
    mov cr4, eax
    mov ecx, 0xC0000080                       ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)              ; long mode, no-execute
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)                        ; no x87 emulation
    or eax, (1 << 31) | (1 << 16) | (1 << 1) | 1   ; paging, write protect, monitor coprocessor, protected mode
    mov cr0, eax
    lgdt [boot_gdt_pointer]
    jmp 0x08:long_mode_entry

.no_long_mode:
    mov esi, no_long_mode_message
.print:
    lodsb
    test al, al
    jz .stop
    mov dx, COM1
    out dx, al
    jmp .print
.stop:
    hlt
    jmp .stop

bits 64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rax, high_entry
    jmp rax

section .boot.data progbits alloc noexec write
align 8
boot_gdt:
    dq 0
    dq 0x00AF9A000000FFFF             ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF             ; 0x10: data
boot_gdt_pointer:
    dw boot_gdt_pointer - boot_gdt - 1
    dd boot_gdt
no_long_mode_message:
    db "(HV) Error: this CPU has no 64-bit long mode; the hypervisor needs x86-64.", 13, 10, 0

section .boot.bss nobits alloc noexec write
alignb 4096
boot_tables_start:
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pd_low:    resb 4096 * 4
boot_pdpt_high: resb 4096
boot_pd_high:   resb 4096
boot_tables_end:
boot32_stack:   resb 1024
boot32_stack_top:

section .text
bits 64
high_entry:
    mov rsp, boot_stack_top
    xor ebp, ebp
    mov r12d, edi                     ; keep the magic and the information block address
    mov r13d, esi
    mov rdi, __bss_start              ; a loader need not clear .bss: clear it here
    mov rcx, __bss_end
    sub rcx, rdi
    shr rcx, 3
    xor eax, eax
    rep stosq
    fninit
    rdtsc                             ; seed the stack guard before any C# frame exists
    shl rdx, 32
    or rax, rdx
    mov rcx, 0x9E3779B97F4A7C15
    imul rax, rcx
    mov [rel __security_cookie], rax
    mov edi, r12d
    mov esi, r13d
    call hv_entry
.halt:
    cli
    hlt
    jmp .halt

; void hv_image_layout(ImageLayout* layout): what the C# side needs to know about the image.
; Layout: image start and end (virtual), bss end, __modules start and end, virtual offset.
hv_image_layout:
    mov rax, __image_start
    mov [rdi], rax
    mov rax, __image_end
    mov [rdi + 8], rax
    mov rax, __bss_end
    mov [rdi + 16], rax
    mov rax, __modules_start
    mov [rdi + 24], rax
    mov rax, __modules_end
    mov [rdi + 32], rax
    mov rax, VIRT_OFFSET
    mov [rdi + 40], rax
    mov rax, boot_pml4
    mov [rdi + 48], rax
    mov rax, __text_end
    mov [rdi + 56], rax
    mov rax, __rodata_end
    mov [rdi + 64], rax
    mov rax, early_heap
    mov [rdi + 72], rax
    mov rax, early_heap_end
    mov [rdi + 80], rax
    ret

; A label cannot be imported into C# as an address, so the table is returned by a function.
global hv_trap_stub_table
extern trap_stub_table
hv_trap_stub_table:
    lea rax, [rel trap_stub_table]
    ret

section .bss
alignb 16
boot_stack:     resb BOOT_STACK_SIZE
boot_stack_top:

; The first region of the managed heap, before the frame allocator can hand out more.
global early_heap, early_heap_end
alignb 4096
early_heap:     resb 0x200000
early_heap_end:
