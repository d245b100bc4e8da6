#!/usr/bin/env bash
# Fetches a third-party Xen PV kernel: Debian's cloud kernel (linux-image-*-cloud-amd64, built with
# CONFIG_XEN_PV), unpacked to OUT/vmlinux with its System.map. The package is whatever Debian's
# linux-image-cloud-amd64 currently depends on; nothing is fetched when OUT/vmlinux exists.
# usage: build/fetch-linux.sh OUT_DIR
set -euo pipefail
out="${1:?usage: fetch-linux.sh OUT_DIR}"
[[ -s "$out/vmlinux" ]] && exit 0
for tool in apt-get apt-cache dpkg-deb lz4 od; do
    command -v "$tool" >/dev/null || { echo "fetch-linux: '$tool' is missing (./hv deps installs it)" >&2; exit 1; }
done
package="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)"
if [[ -z "$package" ]]; then
    apt-get update -qq >/dev/null 2>&1 || true
    package="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)"
fi
[[ -n "$package" ]] || { echo "fetch-linux: apt knows no linux-image-cloud-amd64 (is a Debian bookworm source configured?)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetch-linux: downloading $package..." >&2
(cd "$work" && apt-get download -qq "$package" >/dev/null 2>&1) || { echo "fetch-linux: apt-get download $package failed" >&2; exit 1; }
dpkg-deb -x "$work"/*.deb "$work/root"
image="$(ls "$work"/root/boot/vmlinuz-* | head -n 1)"
# A bzImage: the setup sectors (byte 0x1f1, plus the boot sector), then the protected-mode part,
# whose payload (u32 offset at 0x248, u32 length at 0x24c) is the LZ4-compressed vmlinux.
setup_sectors="$(od -An -tu1 -j $((0x1f1)) -N1 "$image" | tr -d ' ')"
payload_offset="$(od -An -tu4 -j $((0x248)) -N4 "$image" | tr -d ' ')"
payload_length="$(od -An -tu4 -j $((0x24c)) -N4 "$image" | tr -d ' ')"
start=$(( (setup_sectors + 1) * 512 + payload_offset ))
mkdir -p "$out"
# Linux appends the uncompressed size to the payload, which lz4 reports as trailing garbage (exit
# status 1) after writing the whole kernel: the result is judged by its ELF header instead.
tail -c +$((start + 1)) "$image" | head -c "$payload_length" | lz4 -dc > "$work/vmlinux" 2>/dev/null || true
if [[ "$(head -c 4 "$work/vmlinux" | od -An -tx1 | tr -d ' ')" != "7f454c46" ]]; then
    echo "fetch-linux: $image's payload did not decompress to an ELF kernel (not LZ4 any more?)" >&2
    exit 1
fi
cp "$work"/root/boot/System.map-* "$out/System.map"
mv "$work/vmlinux" "$out/vmlinux"
echo "$package" > "$out/package"
echo "fetch-linux: $out/vmlinux from $package" >&2
