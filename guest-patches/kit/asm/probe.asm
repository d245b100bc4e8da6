; Memory probes: an access that may fault, and where to resume if it does. The trap handler looks
; the faulting RIP up in kit_fixups, puts vector + 1 in RAX and resumes at the fixup address, so the
; probe returns 0 when the access worked and vector + 1 when it faulted.
global kit_probe_read64, kit_probe_write64, kit_probe_read8, kit_breakpoint, kit_fixup_table
global kit_probe_ud2, kit_probe_cli, kit_xen_cpuid

section .text
; ulong kit_probe_read64(ulong address, ulong* value)
kit_probe_read64:
    xor eax, eax
.access:
    mov rcx, [rdi]
    mov [rsi], rcx
.done:
    ret

; ulong kit_probe_read8(ulong address, byte* value)
kit_probe_read8:
    xor eax, eax
.access:
    movzx ecx, byte [rdi]
    mov [rsi], cl
.done:
    ret

; ulong kit_probe_write64(ulong address, ulong value)
kit_probe_write64:
    xor eax, eax
.access:
    mov [rdi], rsi
.done:
    ret

; ulong kit_probe_ud2(): an invalid opcode, resumed after.
kit_probe_ud2:
    xor eax, eax
.access:
    ud2
.done:
    ret

; ulong kit_probe_cli(): cli, which a PV kernel (ring 3, IOPL 0) may not execute.
kit_probe_cli:
    xor eax, eax
.access:
    cli
.done:
    ret

; ulong kit_xen_cpuid(uint leaf (edi), uint subleaf (esi), uint* eax_ebx_ecx_edx (rdx)):
; cpuid behind Xen's forced-emulation prefix (ud2a; "xen"), which makes the hypervisor emulate it
; and show its own leaves (0x40000000...). 0 when emulated; vector + 1 when the prefix faulted.
kit_xen_cpuid:
    push rbx
    mov r8, rdx
    mov eax, edi
    mov ecx, esi
.access:
    db 0x0F, 0x0B, "xen"
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    xor eax, eax
.done:
    pop rbx
    ret

; void kit_breakpoint(): one int3 (Xen reflects it to the guest's vector 3, RIP after the int3).
kit_breakpoint:
    int3
    ret

; void kit_invalid_opcode(): ud2, for demonstrations of the fatal-trap path.
global kit_invalid_opcode
kit_invalid_opcode:
    ud2
    ret

; ulong* kit_fixup_table(): pairs of (faulting instruction, resume address), ending with zeros.
kit_fixup_table:
    lea rax, [rel kit_fixups]
    ret

section .rodata
align 8
kit_fixups:
    dq kit_probe_read64.access, kit_probe_read64.done
    dq kit_probe_read8.access, kit_probe_read8.done
    dq kit_probe_write64.access, kit_probe_write64.done
    dq kit_probe_ud2.access, kit_probe_ud2.done
    dq kit_probe_cli.access, kit_probe_cli.done
    dq kit_xen_cpuid.access, kit_xen_cpuid.done
    dq 0, 0
