#!/usr/bin/env bash
# Every regression file through the CLI: images through `blotquant quant`,
# tables through `blotquant fit`, lanes files and band tables through
# `blotquant quant --lanes-from`. Each run must end with exit 0, or exit 1
# with a `blotquant: FILE...` message; a signal (exit > 128), a sanitizer
# report or silence on failure fails the test. The damaged JPEGs of jpeg/
# (truncated, huge declared size, corrupt entropy data, not a JPEG) must
# all be refused: exit 1 with a message naming the file.
# Usage: check_cli.sh BLOTQUANT CRASHERS_DIR
set -u
bq=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

check() { # check KIND FILE CMD...
  local kind=$1 file=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -q '^blotquant: ' "$tmp/err"; }; then
    if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err"; then
      echo "FAIL $kind $file: sanitizer report"; sed -n 1,20p "$tmp/err"
      failed=$((failed + 1))
    else
      passed=$((passed + 1))
    fi
  else
    echo "FAIL $kind $file: exit $rc"; sed -n 1,20p "$tmp/err"
    failed=$((failed + 1))
  fi
}

# check_refused FILE CMD...: exit 1, a message naming FILE, no sanitizer report
check_refused() {
  local file=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 1 ] && grep -qF "blotquant: $file: " "$tmp/err" &&
    ! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err"; then
    passed=$((passed + 1))
  else
    echo "FAIL refused $file: exit $rc"; sed -n 1,20p "$tmp/err"
    failed=$((failed + 1))
  fi
}

shopt -s nullglob
for f in "$dir"/jpeg/*; do
  check_refused "$f" "$bq" quant -q -o "$tmp/bands.csv" "$f"
done
for f in "$dir"/tiff/* "$dir"/png/* "$dir"/scn/* "$dir"/quant/*; do
  check quant "$f" "$bq" quant -q --max-pixels 4194304 -o "$tmp/bands.csv" "$f"
done
for f in "$dir"/fit/*; do
  check fit "$f" "$bq" fit -q -o "$tmp/fit.csv" "$f"
done
for f in "$dir"/csv/*; do
  # a sample sheet is read by analyze; a bare read is enough to exercise it
  check fit "$f" "$bq" fit -q -o "$tmp/fit.csv" "$f"
done
# lanes files and band tables through --lanes-from, on the blot the lanes
# fuzz target renders
if "$bq" simulate -q --seed 3 --width 128 --height 120 --lanes 4 -o "$tmp/blot.tif"; then
  for f in "$dir"/lanes/*; do
    check lanes "$f" "$bq" quant -q --lanes-from "$f" -o "$tmp/bands.csv" "$tmp/blot.tif"
  done
else
  echo "FAIL: cannot simulate the blot for the lanes files"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
