; The per-CPU blocks (see percpu.inc) and the two ways C# reaches them.
%include "percpu.inc"
bits 64

section .text
global cpu_current_index, hv_percpu_area

; int cpu_current_index(): this CPU's index (0 before its task register is loaded).
cpu_current_index:
    str eax
    sub eax, TSS_SELECTOR_BASE
    jae .loaded
    xor eax, eax
.loaded:
    shr eax, TSS_SELECTOR_SHIFT
    ret

; PerCpu* hv_percpu_area(): the first block (a label cannot be imported as an address).
hv_percpu_area:
    lea rax, [rel percpu_area]
    ret

global percpu_area, core_lock_next, core_lock_serving
; The core lock (asm/corelock.asm) shares a page with the first CPUs' blocks, and the linker script
; puts the managed code's zeroed statics between them (hypervisor.ld): each exit touches all three,
; and under an emulator every page the hypervisor touches after a CR3 load costs a TLB fill.
section .bss.hot nobits alloc write align=4096
core_lock_next:     resd 1
core_lock_serving:  resd 1
section .bss.percpu nobits alloc write align=64
percpu_area:    resb PERCPU_SIZE * MAX_CPUS
