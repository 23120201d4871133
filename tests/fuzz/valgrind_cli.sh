#!/usr/bin/env bash
# valgrind memcheck over the CLI on sample_blots/: quant on every blot,
# analyze, fit on analyze's normalized.csv, batch -j 2, simulate. Any memory
# error or leak makes valgrind exit 99 and this script fail. Slow (minutes),
# so not part of `meson test`; results are recorded in docs/fuzzing.md.
# Usage: valgrind_cli.sh BLOTQUANT SAMPLE_BLOTS_DIR   (a build without -Db_sanitize)
set -u
bq=$1
blots=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vg=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes)
passed=0
failed=0

run() { # run NAME CMD...
  local name=$1
  shift
  local t0=$(date +%s)
  "${vg[@]}" --log-file="$tmp/vg.log" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local took=$(( $(date +%s) - t0 ))
  if [ $rc -eq 99 ] || [ -s "$tmp/vg.log" ]; then
    echo "FAIL $name (exit $rc, ${took}s):"; sed -n 1,60p "$tmp/vg.log"
    failed=$((failed + 1))
  else
    echo "ok   $name (exit $rc, ${took}s)"
    passed=$((passed + 1))
  fi
}

for f in "$blots"/*.tif; do
  run "quant $(basename "$f")" "$bq" quant -q --rows MDM2,ACTB --overlay "$tmp/ov.png" -o "$tmp/bands.csv" "$f"
done
run "analyze clean+hook" "$bq" analyze -q --rows MDM2,ACTB --samples "$blots/clean.samples.csv" \
  -o "$tmp/an" "$blots/clean.tif"
run "fit normalized.csv" "$bq" fit -q --plot "$tmp/fit.svg" -o "$tmp/fit.csv" "$tmp/an/normalized.csv"
mkdir -p "$tmp/gels"
cp "$blots"/clean.* "$blots"/hook.* "$blots"/strips.* "$tmp/gels/"
run "batch -j 2" "$bq" batch -q -j 2 --rows MDM2,ACTB -o "$tmp/batch" "$tmp/gels"
run "simulate artefacts" "$bq" simulate -q --preset artefacts --seed 7 -o "$tmp/sim.tif"
echo hello >"$tmp/x.tif"
run "quant (error path: text as .tif)" "$bq" quant "$tmp/x.tif"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
