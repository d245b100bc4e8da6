#!/usr/bin/env bash
# Builds the bootable ISO: GRUB for BIOS (El Torito) and for UEFI (an EFI system image), each a
# minimal core with an embedded script (build/grub/embedded.cfg; GRUB reads it with its minimal
# reader, which knows no comments) that loads the hypervisor through multiboot2 at once:
# no menu, no delay, and no GRUB modules beyond what that takes (the ISO stays well under 2 MB).
# With a fourth argument (a PV kernel, normally out/guests/hello.elf), the ISO also carries it as
# dom0: the script then loads it as the first multiboot2 module, the way Xen's dom0 is given.
set -euo pipefail
image="$1"; out="$2"; work="$3"; dom0="${4:-}"
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work/root/boot/grub" "$work/efi"
strip --strip-debug -o "$work/root/boot/hypervisor.elf" "$image"
config="$work/embedded.cfg"
cp "$here/grub/embedded.cfg" "$config"
if [[ -n "$dom0" && -f "$dom0" ]]; then
  strip --strip-debug -o "$work/root/boot/dom0.elf" "$dom0"
  sed -i "s|^boot\$|module2 /boot/dom0.elf $(basename "$dom0" .elf)\nboot|" "$config"
fi
modules="iso9660 multiboot2 search search_fs_file part_msdos part_gpt"

grub-mkimage -O i386-pc-eltorito -p /boot/grub -c "$config" \
  -o "$work/root/boot/grub/bios.img" biosdisk $modules
grub-mkimage -O x86_64-efi -p /boot/grub -c "$config" \
  -o "$work/efi/BOOTX64.EFI" fat $modules

# The EFI system image: a FAT file system just large enough for GRUB's EFI core.
efi_kib=$(( ( $(stat -c %s "$work/efi/BOOTX64.EFI") / 1024 ) + 128 ))
dd if=/dev/zero of="$work/root/boot/efi.img" bs=1024 count="$efi_kib" status=none
mformat -i "$work/root/boot/efi.img" -h 1 -s 32 -t $(( (efi_kib * 2 + 31) / 32 )) ::
mmd -i "$work/root/boot/efi.img" ::/EFI ::/EFI/BOOT
mcopy -i "$work/root/boot/efi.img" "$work/efi/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

xorriso -as mkisofs -quiet -R -V HYPERVISOR -o "$out" \
  -b boot/grub/bios.img -no-emul-boot -boot-load-size 4 -boot-info-table --grub2-boot-info \
  -eltorito-alt-boot -e boot/efi.img -no-emul-boot \
  "$work/root" >"$work.log" 2>&1 || { cat "$work.log" >&2; exit 1; }
