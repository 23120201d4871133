#!/usr/bin/env bash
# cli_errors.sh BLOTQUANT - the exit-code contract: 0 success, 1 input that
# cannot be processed (message names the file), 2 usage errors; nothing is
# written on failure.
set -uo pipefail
bq=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

expect() { # expect CODE PATTERN -- command...
  local code=$1 pattern=$2; shift 3
  "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "FAIL: '$*' exited $rc, expected $code"; cat "$tmp/err"; fails=$((fails + 1)); return
  fi
  if [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: '$*' stderr lacks '$pattern':"; cat "$tmp/err"; fails=$((fails + 1)); return
  fi
  passes=$((passes + 1))
}

expect 2 "" -- "$bq"
expect 2 "unknown command" -- "$bq" frobnicate
expect 0 "" -- "$bq" --version
expect 0 "" -- "$bq" --help
expect 0 "" -- "$bq" quant --help
expect 2 "missing IMAGE" -- "$bq" quant
expect 2 "--lanes" -- "$bq" quant --lanes 0 x.tif
expect 2 "--lanes" -- "$bq" quant --lanes 3x x.tif
expect 2 "--roi" -- "$bq" quant --roi 1,2,3 x.tif
expect 2 "--background" -- "$bq" quant --background magic x.tif
expect 2 "--format" -- "$bq" quant --format xml x.tif
expect 2 "" -- "$bq" quant --no-such-option x.tif
expect 1 "$tmp/missing.tif" -- "$bq" quant "$tmp/missing.tif"

: > "$tmp/empty.tif"
expect 1 "$tmp/empty.tif" -- "$bq" quant "$tmp/empty.tif"
echo "this is not an image" > "$tmp/text.png"
expect 1 "$tmp/text.png" -- "$bq" quant "$tmp/text.png"

# A failed run must not create or clobber the output file.
echo "precious" > "$tmp/keep.csv"
expect 1 "$tmp/text.png" -- "$bq" quant -o "$tmp/keep.csv" "$tmp/text.png"
if [ "$(cat "$tmp/keep.csv")" != "precious" ]; then
  echo "FAIL: output clobbered on failure"; fails=$((fails + 1))
fi
expect 1 "" -- "$bq" quant -o "$tmp/new.csv" "$tmp/text.png"
if [ -e "$tmp/new.csv" ] || ls "$tmp"/new.csv.bq-tmp.* > /dev/null 2>&1; then
  echo "FAIL: output or temp file left behind on failure"; fails=$((fails + 1))
fi

# A blank (constant) image has no lanes.
if "$bq" simulate --help > /dev/null 2>&1; then
  : # simulate-based checks live in the quant tests
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
