; Reads through FS and GS (no rdfsbase: the base is seen by what a segment-relative load returns).
; Kernel routines run through GuardedCall, user routines through UserMode (result in RDI).
%include "kit.inc"

section .text
global kernel_read_fs, kernel_read_gs
; ulong kernel_read_fs(ulong offset): the qword at FS:offset.
kernel_read_fs:
    mov rax, [fs:rdi]
    ret

kernel_read_gs:
    mov rax, [gs:rdi]
    ret

section .user.text progbits alloc exec write align=16
global user_read_fs, user_read_gs
user_read_fs:
    mov rdi, [fs:rdi]
    KIT_USER_EXIT

user_read_gs:
    mov rdi, [gs:rdi]
    KIT_USER_EXIT
