; Grant entries: the guest and the hypervisor both write an entry's flags, so the kit publishes and
; ends grants with ordered stores and a locked compare-exchange.
global kit_grant_publish, kit_cmpxchg16

section .text
; void kit_grant_publish(grant_entry_v1* entry, ulong flags, ulong domid, ulong frame): domid and
; frame first, flags last (x86 keeps stores in order, and the hypervisor trusts domid and frame only
; once flags say the entry grants something).
kit_grant_publish:
    mov [rdi + 2], dx
    mov [rdi + 4], ecx
    mov [rdi], si
    ret

; ulong kit_cmpxchg16(ushort* p, ulong expected, ulong value): *p = value if *p == expected (locked);
; returns what *p held.
kit_cmpxchg16:
    mov eax, esi
    lock cmpxchg [rdi], dx
    movzx eax, ax
    ret
