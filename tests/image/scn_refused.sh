#!/usr/bin/env bash
# Every damaged .scn in tests/crashers/scn/ through `blotquant quant`: each
# must end with exit 1 and `blotquant: FILE: reason` on stderr, within 20 s
# and (outside sanitizer builds, which reserve terabytes of address space)
# within 1 GiB of address space, however large the sizes it declares.
# Usage: scn_refused.sh BLOTQUANT DIR
set -u
bq=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cap=
ldd "$bq" 2>/dev/null | grep -q -e libasan -e libtsan || cap='ulimit -v 1048576;'
failed=0
n=0
for f in "$dir"/*.scn; do
  n=$((n + 1))
  bash -c "$cap"' exec timeout 20 "$@"' _ "$bq" quant -q -o "$tmp/bands.csv" "$f" \
    >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 1 ] || ! grep -qF "blotquant: $f: " "$tmp/err"; then
    echo "FAIL $f: exit $rc"; sed -n 1,10p "$tmp/err"
    failed=$((failed + 1))
  fi
done
echo "$n files, $failed failed"
[ $n -gt 0 ] && [ $failed -eq 0 ]
