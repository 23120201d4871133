#!/usr/bin/env bash
# Rotate the libFuzzer targets, one at a time, until a deadline: each slice
# runs one target for SLICE seconds at the lowest priority, keeping what it
# finds in BUILD/work/<target> and BUILD/artifacts/<target>, and appends one
# line per slice to BUILD/fuzz-log.tsv:
#   target  seconds  executions  corpus_files  new_artifacts  exit
# Usage: run_fuzzers.sh BUILD SLICE_SECONDS DEADLINE_EPOCH [TARGET...]
set -u
build=$(cd "$1" && pwd)
slice=$2
deadline=$3
shift 3
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tiff csv quant png jpeg fit lanes scn)
src=$(cd "$(dirname "$0")" && pwd)
log=$build/fuzz-log.tsv

max_len() {
  case $1 in
    csv | lanes) echo 4096 ;;
    fit) echo 2048 ;;
    *) echo 65536 ;;
  esac
}

while :; do
  for t in "${targets[@]}"; do
    now=$(date +%s)
    left=$((deadline - now))
    [ $left -gt 60 ] || exit 0
    secs=$((left < slice ? left : slice))
    mkdir -p "$build/work/$t" "$build/artifacts/$t"
    before=$(ls "$build/artifacts/$t" | wc -l)
    # fork mode with one worker: a crash, timeout or OOM is saved and the
    # slice goes on, instead of ending it
    dict=()
    [ -f "$src/$t.dict" ] && dict=(-dict="$src/$t.dict")
    nice -n 19 "$build/tests/fuzz/fuzz-$t" "${dict[@]}" -rss_limit_mb=2048 -timeout=10 \
      -max_len="$(max_len "$t")" -max_total_time="$secs" \
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -artifact_prefix="$build/artifacts/$t/" "$build/work/$t" "$src/corpus/$t" \
      >"$build/fuzz-$t.last.log" 2>&1
    rc=$?
    # the last status line of fork mode: "#EXECS: cov: ..."
    execs=$(grep -oE '^#[0-9]+: cov' "$build/fuzz-$t.last.log" | tail -1 | tr -dc 0-9)
    took=$(( $(date +%s) - now ))
    after=$(ls "$build/artifacts/$t" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$took" "${execs:-?}" \
      "$(ls "$build/work/$t" | wc -l)" $((after - before)) $rc >>"$log"
    cat "$build/fuzz-$t.last.log" >>"$build/fuzz-$t.all.log"
  done
done
