bits 64
section .text
extern early_heap
global early_heap_addr, probe_out8, probe_out16
early_heap_addr: mov rax, early_heap
 ret
probe_out8: mov dx, di
 mov al, sil
 out dx, al
 ret
probe_out16: mov dx, di
 mov ax, si
 out dx, ax
 ret
