#!/usr/bin/env bash
# check-saved-xmm.sh IMAGE TRAPS_ASM STAMP: the exit path (asm/traps.asm, macro SAVE_XMM) keeps only
# the XMM registers the compiled hypervisor uses, not the whole FPU state. This check fails the
# build when the image's code uses any other XMM (or any YMM/ZMM) register, naming the functions,
# so a compiler change can never silently clobber a guest's registers.
set -euo pipefail
image="$1" asm="$2" stamp="$3"

saved=$(awk '/^%macro SAVE_XMM/{on=1; next} /^%endmacro/{on=0} on' "$asm" | grep -o 'xmm[0-9]\+' | sort -u | tr '\n' ' ')
if [ -z "$saved" ]; then
    echo "check-saved-xmm: error: no SAVE_XMM macro with xmm registers found in $asm" >&2
    exit 1
fi

used=$(objdump -d --no-show-raw-insn "$image" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2; next }
    { line = $0
      while (match(line, /%[xyz]mm[0-9]+/)) {
          print substr(line, RSTART + 1, RLENGTH - 1), fn
          line = substr(line, RSTART + RLENGTH)
      } }' | sort -u)

bad=""
while read -r reg fn; do
    [ -z "$reg" ] && continue
    case " $saved " in
        *" $reg "*) ;;
        *) bad+="  $reg in ${fn%:}"$'\n' ;;
    esac
done <<< "$used"

if [ -n "$bad" ]; then
    echo "check-saved-xmm: error: $image uses registers the guest-exit path does not save (it saves: $saved):" >&2
    printf '%s' "$bad" | sort -u | head -20 >&2
    echo "check-saved-xmm: add them to SAVE_XMM and RESTORE_XMM in $asm" >&2
    exit 1
fi
mkdir -p "$(dirname "$stamp")"
echo "$saved" > "$stamp"
