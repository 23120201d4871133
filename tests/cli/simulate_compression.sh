#!/usr/bin/env bash
# simulate_compression.sh BLOTQUANT - `simulate --compression none|deflate|lzw`
# stores the same pixels three ways: the files differ (uncompressed is the
# largest), quant reads identical band tables from all three, the truth is
# the same, and an unknown compression is a usage error.
set -uo pipefail
bq=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for c in none deflate lzw; do
  "$bq" simulate -q --preset artefacts --seed 5 --width 600 --height 420 --compression "$c" \
    -o "$tmp/$c.tif" || bad "simulate --compression $c failed"
  "$bq" quant -q --rows MDM2,ACTB "$tmp/$c.tif" | cut -d, -f2- > "$tmp/$c.csv" ||
    bad "quant of the $c file failed"
done
size() { stat -c %s "$1"; }
[ "$(size "$tmp/none.tif")" -gt "$(size "$tmp/deflate.tif")" ] && ok ||
  bad "uncompressed file not larger than the deflate one"
[ "$(size "$tmp/none.tif")" -ge $((600 * 420 * 2)) ] && ok || bad "uncompressed file too small"
cmp -s "$tmp/none.tif" "$tmp/lzw.tif" && bad "lzw file identical to the uncompressed one" || ok
for c in deflate lzw; do
  cmp -s "$tmp/none.csv" "$tmp/$c.csv" && ok || bad "band table of the $c file differs"
  cmp -s "$tmp/none.truth.csv" "$tmp/$c.truth.csv" && ok || bad "truth of the $c file differs"
done
[ "$(wc -l < "$tmp/none.csv")" -gt 10 ] && ok || bad "band table nearly empty"
"$bq" simulate -q --compression zip -o "$tmp/x.tif" 2> /dev/null
[ $? -eq 2 ] && ok || bad "unknown compression: expected exit 2"

echo "simulate --compression: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
