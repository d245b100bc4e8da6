; The Xen ELF notes (elfnote.h): how Xen's domain builder knows this is a PV kernel and where
; to put it. Each note: name size, descriptor size, type, "Xen\0", descriptor, padded to 4 bytes.
%include "kit.inc"
extern _start, hypercall_page

; A note whose descriptor is a NUL-terminated string, and one whose descriptor is 64 bits.
%macro XEN_NOTE_STRING 2
    align 4
    dd 4
    dd %%end - %%start
    dd %1
    db "Xen", 0
%%start:
    db %2, 0
%%end:
%endmacro

%macro XEN_NOTE_QWORD 2
    align 4
    dd 4
    dd 8
    dd %1
    db "Xen", 0
    dq %2
%endmacro

section .note.Xen note alloc noexec nowrite align=4
    XEN_NOTE_STRING 6, "CSharp-PV-kit"                 ; GUEST_OS
    XEN_NOTE_STRING 7, "0.1"                           ; GUEST_VERSION
    XEN_NOTE_STRING 5, "xen-3.0"                       ; XEN_VERSION
    XEN_NOTE_STRING 8, "generic"                       ; LOADER
    XEN_NOTE_QWORD  3, KIT_VIRT_BASE                   ; VIRT_BASE
    XEN_NOTE_QWORD  4, 0                               ; PADDR_OFFSET: ELF paddrs count from 0
    XEN_NOTE_QWORD  1, _start                          ; ENTRY
    XEN_NOTE_QWORD  2, hypercall_page                  ; HYPERCALL_PAGE
    ; The kernel needs no optional feature and may be the initial domain.
    XEN_NOTE_STRING 10, "dom0"                         ; FEATURES
    align 4
