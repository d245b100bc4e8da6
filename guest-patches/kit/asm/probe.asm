; Memory probes: an access that may fault, and where to resume if it does. The trap handler looks
; the faulting RIP up in kit_fixups, puts vector + 1 in RAX and resumes at the fixup address, so the
; probe returns 0 when the access worked and vector + 1 when it faulted.
global kit_probe_read64, kit_probe_write64, kit_probe_read8, kit_breakpoint, kit_fixup_table

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

; void kit_breakpoint(): one int3 (Xen reflects it to the guest's vector 3, RIP after the int3).
kit_breakpoint:
    int3
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
    dq 0, 0
