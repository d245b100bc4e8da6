; Where an application processor starts after INIT-SIPI-SIPI. StartupTrampoline copies this
; template to a page below 1 MiB; the SIPI's vector names that page, and the CPU starts there in
; real mode with CS = page >> 4 and IP = 0. The code turns on protected mode, then long mode with
; the boot page tables (boot_pml4, still intact: they identity-map the low 4 GiB, this page among
; them, and map the image), jumps into the image, loads the hypervisor's page tables and the
; stack the starting CPU prepared, and calls hv_ap_entry(cpu index).
; The template runs wherever it is copied: real mode addresses it through CS (= DS), the later
; modes through EBX, the page's physical address.
bits 64
extern hv_ap_entry
global hv_ap_trampoline

DATA_BOOT_TABLES    equ 0     ; ApStartData in Cpu/StartupTrampoline.cs, same order
DATA_HIGH_ENTRY     equ 8
DATA_HV_TABLES      equ 16
DATA_STACK_TOP      equ 24
DATA_CPU_INDEX      equ 32
DATA_STARTED        equ 40

%define OFFSET(label) (label - ap_trampoline_start)

section .rodata
align 16
ap_trampoline_start:
bits 16
    cli
    cld
    mov ax, cs
    mov ds, ax
    xor ebx, ebx
    mov bx, ax
    shl ebx, 4                        ; the page's physical address
    ; The GDT's and the far jumps' linear addresses depend on where the page is. Every CPU stores
    ; the same values, so it does not matter that each does.
    lea eax, [ebx + OFFSET(ap_gdt)]
    mov [OFFSET(ap_gdt_pointer) + 2], eax
    lea eax, [ebx + OFFSET(ap_protected_mode)]
    mov [OFFSET(ap_jump32)], eax
    lea eax, [ebx + OFFSET(ap_long_mode)]
    mov [OFFSET(ap_jump64)], eax
    o32 lgdt [OFFSET(ap_gdt_pointer)]
    mov eax, cr0
    or eax, 1                         ; protected mode
    mov cr0, eax
    jmp dword far [OFFSET(ap_jump32)]

bits 32
ap_protected_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)   ; PAE, OSFXSR, OSXMMEXCPT, as boot.asm
    mov cr4, eax
    mov eax, [ebx + OFFSET(ap_data) + DATA_BOOT_TABLES]
    mov cr3, eax
    mov ecx, 0xC0000080                       ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)              ; long mode, no-execute (the hypervisor's tables use NX)
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)                        ; no x87 emulation
    or eax, (1 << 31) | (1 << 16) | (1 << 1) | 1   ; paging, write protect, monitor coprocessor, protected mode
    mov cr0, eax
    jmp far [ebx + OFFSET(ap_jump64)]

bits 64
ap_long_mode:
    mov ebx, ebx                      ; the upper halves are undefined after the mode switch
    mov rax, [rbx + OFFSET(ap_data) + DATA_HIGH_ENTRY]
    jmp rax

align 8
ap_gdt:
    dq 0
    dq 0x00CF9A000000FFFF             ; 0x08: 32-bit code
    dq 0x00CF92000000FFFF             ; 0x10: data
    dq 0x00AF9A000000FFFF             ; 0x18: 64-bit code
ap_gdt_pointer:
    dw 4 * 8 - 1
    dd 0                              ; linear address, stored at run time
ap_jump32:
    dd 0                              ; offset, stored at run time
    dw 0x08
ap_jump64:
    dd 0
    dw 0x18

; Filled by the starting CPU before each SIPI (ApStartData).
align 8
ap_data:
    dq 0                              ; physical address of the boot PML4
    dq ap_high_entry                  ; where the image is entered
    dq 0                              ; physical address of the hypervisor's PML4
    dq 0                              ; the CPU's stack (virtual)
    dq 0                              ; its index
    dq 0                              ; set to 1 once the CPU has read the above
ap_trampoline_end:

section .text
bits 64
; In the image, still on the boot tables; RBX is the trampoline page (identity-mapped).
ap_high_entry:
    mov rsp, [rbx + OFFSET(ap_data) + DATA_STACK_TOP]
    mov edi, [rbx + OFFSET(ap_data) + DATA_CPU_INDEX]
    mov rax, [rbx + OFFSET(ap_data) + DATA_HV_TABLES]
    mov qword [rbx + OFFSET(ap_data) + DATA_STARTED], 1   ; the data may be reused from here on
    mov cr3, rax                      ; the low page is not mapped any more
    xor ebp, ebp
    fninit
    call hv_ap_entry                  ; does not return
.halt:
    cli
    hlt
    jmp .halt

; void hv_ap_trampoline(ApTrampolineImage* image): where the template is and how long, and where its
; data lies in it.
hv_ap_trampoline:
    lea rax, [rel ap_trampoline_start]
    mov [rdi], rax
    mov qword [rdi + 8], ap_trampoline_end - ap_trampoline_start
    mov qword [rdi + 16], OFFSET(ap_data)
    ret
