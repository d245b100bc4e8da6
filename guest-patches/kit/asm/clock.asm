; The time-stamp counter, for the guest's clock (Time/GuestClock.cs) and measurements.
global kit_rdtsc

section .text
; ulong kit_rdtsc()
kit_rdtsc:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret
