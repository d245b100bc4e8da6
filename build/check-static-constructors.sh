#!/usr/bin/env bash
# check-static-constructors.sh IMAGE RUNNER STAMP: every class constructor the compiler left to run
# lazily (a ___cctor symbol in the image) must be run by the boot CPU before the other CPUs start, so
# its class must be named in RUNNER (kernel/arch/x86_64/Boot/StaticConstructors.cs). The compiler's
# first-use check is not safe when two CPUs make the first use at once.
set -euo pipefail
image="$1" runner="$2" stamp="$3"

missing=""
while read -r symbol; do
    [ -z "$symbol" ] && continue
    type="${symbol%___cctor}"
    class="${type##*_}"
    if ! grep -qw "$class" "$runner"; then
        missing+="  $class ($symbol)"$'\n'
    fi
done < <(nm "$image" | awk '$2 ~ /^[Tt]$/ && $3 ~ /___cctor$/ { print $3 }' | sort -u)

if [ -n "$missing" ]; then
    echo "check-static-constructors: error: $image has lazy class constructors that no CPU runs at start of day:" >&2
    printf '%s' "$missing" >&2
    echo "check-static-constructors: make a first use of each class in $runner" >&2
    exit 1
fi
mkdir -p "$(dirname "$stamp")"
date > "$stamp"
