; Serialised time-stamp reads for the benchmark guests.
global bench_tsc

section .text

; ulong bench_tsc(): the time-stamp counter, with every earlier instruction finished before it is
; read and none of the later ones started (lfence on both sides).
bench_tsc:
    lfence
    rdtsc
    lfence
    shl rdx, 32
    or rax, rdx
    ret
