#!/usr/bin/env bash
# check-hot-methods.sh IMAGE ORDER STAMP: every method ORDER names (ILC's --order file: the guest-exit
# paths' methods, emitted first) must exist in the image. ILC skips a name it does not find without a
# word, so a rename would quietly scatter the exit paths over more pages again.
set -euo pipefail
image="$1" order="$2" stamp="$3"

symbols="$(nm "$image" | awk '$2 ~ /^[Tt]$/ { print $3 }' | sort -u)"
missing=""
while read -r name; do
    [ -z "$name" ] && continue
    if ! grep -qxF "$name" <<< "$symbols"; then
        missing+="  $name"$'\n'
    fi
done < "$order"

if [ -n "$missing" ]; then
    echo "check-hot-methods: error: $order names methods that $image does not have (renamed, or now inlined):" >&2
    printf '%s' "$missing" >&2
    exit 1
fi
mkdir -p "$(dirname "$stamp")"
date > "$stamp"
