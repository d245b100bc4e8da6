#!/usr/bin/env bash
# Wraps the ELF64 hypervisor in an ELF32 image that QEMU's -kernel (multiboot1) accepts: one
# loadable segment holding the image's bytes at their physical addresses, plus its .bss.
set -euo pipefail
syms="$1"; out="$2"; work="$3"
mkdir -p "$work"
sym() { nm "$syms" | awk -v n="$1" '$3 == n { print "0x" $1 }'; }
load=$(sym __image_start_phys)
offset=0xFFFF82D080000000
entry=$(sym _start)
mem_end=$(printf '0x%x' $(( $(sym __bss_end) - offset )))
objcopy -O binary "$syms" "$work/hypervisor.bin"
objcopy -I binary -O elf32-i386 -B i386 --rename-section .data=.image,alloc,load,contents \
  "$work/hypervisor.bin" "$work/hypervisor-flat.o"
cat > "$work/wrap32.ld" <<LD
OUTPUT_FORMAT(elf32-i386)
SECTIONS
{
    . = $load;
    .image : { *(.image) }
    .bss (NOLOAD) : { . = $mem_end - $load - SIZEOF(.image); }
    /DISCARD/ : { *(.note*) }
}
LD
ld -m elf_i386 -n -z noexecstack -e "$entry" -T "$work/wrap32.ld" -o "$out" "$work/hypervisor-flat.o"
