#!/usr/bin/env bash
# batch_temps.sh BLOTQUANT [RUNS] - a batch removes the temporaries an
# interrupted run left in its output folder (its own naming only, untouched
# for ten minutes, also with --resume), keeps a fresh one another writer may
# be filling, and under umask 022 `batch -j 2` creates nothing group- or
# world-writable, over RUNS repeated runs (default 10).
set -uo pipefail
bq=$1
runs=${2:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

in=$tmp/gels
mkdir -p "$in"
for s in 1 2 3; do
  "$bq" simulate -q --preset clean --seed $s -o "$in/gel$s.tif" || bad "simulate gel$s"
done
out=$tmp/out
"$bq" batch -q -j 2 --rows MDM2,ACTB -o "$out" "$in" || bad "first batch failed"

# stale temporaries (an hour old), other files, and a fresh temporary that
# another process writing into the folder may be filling right now
plant() {
  touch -d '1 hour ago' "$out/bands.csv.bq-tmp.Ab3xYz" "$out/gel1_tif/fit.csv.bq-tmp.QQQQQQ" \
        "$out/gel2_tif/overlay.png.bq-tmp.k9k9k9"
  touch -d '1 hour ago' "$out/notes.tmp.keep" "$out/fit.csv.bq-tmp.short" "$out/mine.tmp.ABCDEF"
  touch "$out/gel3_tif/bands.csv.bq-tmp.Live01"
}
check_removed() {
  local left
  left=$(find "$out" -name '*.bq-tmp.??????' ! -name '*.bq-tmp.Live01' | wc -l)
  [ "$left" -eq 0 ] || bad "$1: $left stale temporaries left"
  for f in notes.tmp.keep fit.csv.bq-tmp.short mine.tmp.ABCDEF gel3_tif/bands.csv.bq-tmp.Live01; do
    [ -e "$out/$f" ] || bad "$1: removed $f, which is not a stale temporary"
  done
}
[ -d "$out/gel1_tif" ] && [ -d "$out/gel2_tif" ] && [ -d "$out/gel3_tif" ] ||
  bad "per-gel folders not where expected"

plant
"$bq" batch -q --resume -j 2 --rows MDM2,ACTB -o "$out" "$in" || bad "--resume batch failed"
check_removed "--resume"

plant
msg=$("$bq" batch -j 2 --rows MDM2,ACTB -o "$out" "$in" 2>&1 >/dev/null) || bad "new batch failed"
check_removed "new batch"
grep -q "removed 3 temporary files left by an interrupted run" <<<"$msg" ||
  bad "no message about the removed temporaries: $msg"

# modes: nothing group/world-writable, whatever the workers do at once
umask 022
for i in $(seq 1 "$runs"); do
  rm -rf "$tmp/m"
  "$bq" batch -q -j 2 --rows MDM2,ACTB -o "$tmp/m" "$in" || bad "run $i failed"
  w=$(find "$tmp/m" -perm /022 | wc -l)
  [ "$w" -eq 0 ] || { bad "run $i: $w group/world-writable entries"; find "$tmp/m" -perm /022; }
done

[ "$fails" -eq 0 ] && echo "batch temporaries and modes: ok ($runs runs)"
exit $((fails > 0))
