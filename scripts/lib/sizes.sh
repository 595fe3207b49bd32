#!/usr/bin/env bash
# Prints the shipped sizes of a Trunk dist/ folder: each .wasm, .js and .css, raw and gzipped
# (gzip -9, as a server would send it), and the gzipped total in KiB.
#   scripts/lib/sizes.sh [DIST]     (default: dist)
set -euo pipefail
dist="${1:-dist}"
shopt -s nullglob
files=("$dist"/*.wasm "$dist"/*.js "$dist"/*.css)
if ((${#files[@]} == 0)); then
  echo "no .wasm/.js/.css in $dist" >&2
  exit 1
fi
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
raw_total=0 gz_total=0
printf '  %-44s %12s %12s\n' "file" "raw" "gzip -9"
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  raw_total=$((raw_total + raw)) gz_total=$((gz_total + gz))
  printf '  %-44s %12s %12s\n' "$(basename "$f")" "$(kib "$raw")" "$(kib "$gz")"
done
printf '  %-44s %12s %12s\n' "total" "$(kib "$raw_total")" "$(kib "$gz_total")"
printf '  shipped (gzip): %s\n' "$(kib "$gz_total")"
