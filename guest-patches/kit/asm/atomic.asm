; Atomic operations on memory the hypervisor writes too (shared info's event bitmaps).
global kit_xchg64, kit_bit_test_and_clear, kit_bit_test_and_set

section .text
; ulong kit_xchg64(ulong* p, ulong value): stores value, returns what was there (one locked exchange).
kit_xchg64:
    mov rax, rsi
    xchg [rdi], rax
    ret

; ulong kit_bit_test_and_clear(ulong* p, ulong bit): clears the bit (lock btr), returns 1 if it was set.
kit_bit_test_and_clear:
    xor eax, eax
    lock btr [rdi], rsi
    setc al
    ret

; ulong kit_bit_test_and_set(ulong* p, ulong bit): sets the bit (lock bts), returns 1 if it was set.
kit_bit_test_and_set:
    xor eax, eax
    lock bts [rdi], rsi
    setc al
    ret
