#!/bin/bash
# bench/run.sh - the speed table of issue 6, in one command:
#
#     bench/run.sh        (not part of meson test; see bench/README.md)
#
# Knobs (environment): RUNS=10 WARMUP=2 (hyperfine, per command), IJ_RUNS=3
# (whole ImageJ command), IJ_REPS=5 (rolling-ball repetitions in one JVM),
# GELS=20 (batch folder size), BATCH_RUNS=5, JOBS=<cores> (the -j N of the batch row),
# BIG=4096 (side of the large blot), BUILD=build-bench (release build dir),
# NO_IMAGEJ=1 (skip ImageJ even if installed), NO_CALLGRIND=1 (skip the
# instruction counts even if valgrind is installed), BASELINE=/path/to/an/older/
# blotquant (adds its quant to the same hyperfine runs and instruction
# counts, so two builds are compared on numbers measured side by side).
#
# What it does, in one run so that every ratio compares numbers taken on the
# same (shared, noisy) machine minutes apart:
#   1. builds blotquant in release mode in $BUILD and bench/tiff_floor.c;
#   2. simulates the inputs with `blotquant simulate --preset artefacts`
#      (noise, gradient, smear, dust: a realistic, poorly compressible blot):
#      BIGxBIG with 20 lanes and 1340x1040 with 12 lanes, each as an
#      uncompressed 16-bit TIFF (what scanner and camera exports usually are:
#      the typical case) and as a Deflate+predictor one (the codec's cost);
#   3. hyperfine medians of: `true` (process start-up on this machine), the
#      libtiff floor (decode every strip + convert to float), `blotquant quant`
#      (default background) and `quant --background rolling-ball` on each blot;
#   4. ImageJ (if installed): the whole `xvfb-run -a imagej -b` command with
#      hyperfine, and the rolling-ball operation alone, timed inside the JVM
#      with getTime() (bench/imagej_rb.ijm), median over IJ_REPS after one
#      warm-up repetition;
#   5. batch throughput: GELS 1340x1040 gels, `blotquant batch -j 1` and
#      `-j JOBS`, wall time, gels/s and the ratio;
#   6. peak memory (/usr/bin/time -v, max RSS) of quant and of the floor on
#      the large blot against the decoded float image (BIG*BIG*4 bytes);
#   7. (valgrind installed) callgrind instruction counts of quant per stage
#      and of the floor, on both uncompressed blots: load-independent.
# Output: bench/out/results.md (the table), bench/out/*.json (hyperfine),
# bench/out/log.txt. bench/out is git-ignored.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
IJ_RUNS=${IJ_RUNS:-3}
IJ_REPS=${IJ_REPS:-5}
GELS=${GELS:-20}
BATCH_RUNS=${BATCH_RUNS:-5}
JOBS=${JOBS:-$(nproc)}
BIG=${BIG:-4096}
OUT=$ROOT/bench/out
IMG=$OUT/img
LOG=$OUT/log.txt

for tool in hyperfine jq cc pkg-config /usr/bin/time; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench/run.sh: $tool is required (apt-get install hyperfine jq time)" >&2
        exit 1
    fi
done

mkdir -p "$OUT" "$IMG"
: > "$LOG"
start=$(date +%s)

# 1. Build: a release build of the current tree, and the floor program.
if [ ! -d "$BUILD" ]; then
    meson setup "$BUILD" --buildtype=release >>"$LOG"
elif ! meson introspect --buildoptions "$BUILD" |
        jq -e '.[] | select(.name == "buildtype") | .value == "release"' >/dev/null; then
    meson configure "$BUILD" --buildtype=release >>"$LOG"
fi
ninja -C "$BUILD" src/cli/blotquant >>"$LOG"
BQ=$ROOT/$BUILD/src/cli/blotquant
FLOOR=$OUT/tiff_floor
# shellcheck disable=SC2046
cc -std=c11 -O2 -o "$FLOOR" "$ROOT/bench/tiff_floor.c" \
    $(pkg-config --cflags --libs libtiff-4)

# 2. Inputs (deterministic: same seed, same pixels). NAME.tif uncompressed,
# NAME-deflate.tif the same pixels Deflate-compressed.
for c in none deflate; do
    sfx=""
    [ $c = deflate ] && sfx="-deflate"
    "$BQ" simulate -q --preset artefacts --width "$BIG" --height "$BIG" --lanes 20 \
        --seed 1 --compression $c -o "$IMG/big$sfx.tif"
    "$BQ" simulate -q --preset artefacts --width 1340 --height 1040 --lanes 12 \
        --seed 1 --compression $c -o "$IMG/typ$sfx.tif"
done
rm -rf "$IMG/gels"
mkdir -p "$IMG/gels"
for s in $(seq 1 "$GELS"); do
    "$BQ" simulate -q --preset artefacts --width 1340 --height 1040 --lanes 12 \
        --seed "$s" --compression none -o "$IMG/gels/gel$s.tif"
done
rm -f "$IMG/gels"/*.truth.csv "$IMG/gels"/*.params.csv
ROWS=MDM2,ACTB

# 3. Floor vs quant, one hyperfine run per blot.
hf() {  # hf NAME [hyperfine args...]: run hyperfine, JSON to $OUT/NAME.json
    local name=$1
    shift
    echo "== hyperfine $name" >>"$LOG"
    hyperfine --style basic --export-json "$OUT/$name.json" "$@" >>"$LOG" 2>&1
}
BLOTS="typ typ-deflate big big-deflate"
CMDS="true floor quant quant-rb"
base_args=()
if [ -n "${BASELINE:-}" ]; then
    CMDS="true floor quant-base quant quant-rb"
fi
for b in $BLOTS; do
    if [ -n "${BASELINE:-}" ]; then
        base_args=(-n quant-base "$BASELINE quant -q --rows $ROWS $IMG/$b.tif")
    fi
    hf "$b" -N --warmup "$WARMUP" --runs "$RUNS" "${base_args[@]}" \
        -n true true \
        -n floor "$FLOOR $IMG/$b.tif" \
        -n quant "$BQ quant -q --rows $ROWS $IMG/$b.tif" \
        -n quant-rb "$BQ quant -q --rows $ROWS --background rolling-ball $IMG/$b.tif"
done

# 4. ImageJ, on the uncompressed blots (ImageJ 1.52 reads Deflate+predictor
# TIFFs as zeros). The Debian wrapper exits 1 even on success, and 1.52
# cannot run truly headless (java.awt.HeadlessException), hence xvfb-run.
have_ij=0
if [ "${NO_IMAGEJ:-0}" != 1 ] && command -v imagej >/dev/null &&
   command -v xvfb-run >/dev/null; then
    have_ij=1
    for b in typ big; do
        rm -f "$OUT/$b.ij1.txt"
        hf "$b-imagej" -i --warmup 0 --runs "$IJ_RUNS" -n imagej \
            "xvfb-run -a imagej -b $ROOT/bench/imagej_rb.ijm '$IMG/$b.tif 1 $OUT/$b.ij1.txt'"
        rm -f "$OUT/$b.ij.txt"
        xvfb-run -a imagej -b "$ROOT/bench/imagej_rb.ijm" \
            "$IMG/$b.tif $((IJ_REPS + 1)) $OUT/$b.ij.txt" >>"$LOG" 2>&1 || true
        if [ ! -s "$OUT/$b.ij.txt" ] || [ ! -s "$OUT/$b.ij1.txt" ]; then
            echo "bench/run.sh: ImageJ produced no timings on $b (see $LOG)" >&2
            have_ij=0
        fi
    done
else
    echo "bench/run.sh: imagej or xvfb-run missing: ImageJ rows left out" >&2
fi

# 5. Batch throughput.
hf batch --warmup 1 --runs "$BATCH_RUNS" --prepare "rm -rf $OUT/batch" \
    -n j1 "$BQ batch -q -j 1 --rows $ROWS -o $OUT/batch $IMG/gels" \
    -n jN "$BQ batch -q -j $JOBS --rows $ROWS -o $OUT/batch $IMG/gels"

# 6. Peak memory (KiB).
maxrss() {
    /usr/bin/time -v "$@" 2>&1 >/dev/null |
        awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
}
rss_quant=$(maxrss "$BQ" quant -q --rows $ROWS "$IMG/big.tif")
rss_quant_d=$(maxrss "$BQ" quant -q --rows $ROWS "$IMG/big-deflate.tif")
rss_quant_rb=$(maxrss "$BQ" quant -q --rows $ROWS --background rolling-ball "$IMG/big.tif")
rss_floor=$(maxrss "$FLOOR" "$IMG/big.tif")
rss_floor_d=$(maxrss "$FLOOR" "$IMG/big-deflate.tif")

# 7. Instruction counts (callgrind), per stage of quant and for the floor.
have_cg=0
STAGES="bq_image_load bq_image_detect_polarity bq_lanes_detect bq_bands_detect bq_quantify"
if [ "${NO_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null &&
   command -v callgrind_annotate >/dev/null; then
    have_cg=1
    for b in typ big; do
        cg=$OUT/$b.callgrind
        valgrind --tool=callgrind --callgrind-out-file="$cg.quant" \
            "$BQ" quant -q --rows $ROWS "$IMG/$b.tif" >/dev/null 2>>"$LOG"
        valgrind --tool=callgrind --callgrind-out-file="$cg.floor" \
            "$FLOOR" "$IMG/$b.tif" >/dev/null 2>>"$LOG"
        ws="quant floor"
        if [ -n "${BASELINE:-}" ]; then
            valgrind --tool=callgrind --callgrind-out-file="$cg.base" \
                "$BASELINE" quant -q --rows $ROWS "$IMG/$b.tif" >/dev/null 2>>"$LOG"
            ws="quant base floor"
        fi
        for w in $ws; do
            callgrind_annotate --inclusive=yes --threshold=100 "$cg.$w" 2>/dev/null > "$cg.$w.txt"
        done
    done
fi

# The table.
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
get() {  # get FILE NAME FIELD: a hyperfine result field (median, user, system)
    jq -r --arg n "$2" --arg f "$3" \
        '.results[] | select(.command == $n) | .[$f]' "$OUT/$1.json"
}
cpu() { awk -v u="$(get "$1" "$2" user)" -v s="$(get "$1" "$2" system)" 'BEGIN { print u + s }'; }
pass() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "yes" : "**no**" }'; }
median_col() {  # median of column 2 of a file, skipping the first line (warm-up)
    tail -n +2 "$1" | cut -f2 | sort -n |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2] / 1000;
                                  else print (v[NR / 2] + v[NR / 2 + 1]) / 2000 }'
}

{
    echo "# blotquant speed"
    echo
    dirty=""
    git -C "$ROOT" diff --quiet HEAD -- src include 2>/dev/null || dirty=" + uncommitted changes in src/include"
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" log -1 --format='commit %h')$dirty," \
         "$(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(nproc) cores," \
         "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo "Release build ($BUILD). Medians of $RUNS runs after $WARMUP warm-up (hyperfine -N)."
    echo "CPU = user + system, mean per run. Blots: \`blotquant simulate --preset artefacts"
    echo "--seed 1\` (noise, gradient, smear, dust), 16-bit, uncompressed (\`--compression none\`,"
    echo "as scanner and camera exports usually are) and Deflate+predictor (\`-deflate\`)."
    echo
    echo "| blot | command | wall median ms | wall min ms | CPU ms | wall / floor | CPU / floor | target |"
    echo "|---|---|---|---|---|---|---|---|"
    for b in $BLOTS; do
        case $b in
            typ) label="1340×1040" ;;
            typ-deflate) label="1340×1040 Deflate" ;;
            big) label="${BIG}×${BIG}" ;;
            big-deflate) label="${BIG}×${BIG} Deflate" ;;
        esac
        fw=$(get $b floor median)
        fc=$(cpu $b floor)
        for c in $CMDS; do
            w=$(get $b $c median)
            u=$(cpu $b $c)
            target=""
            if [ $c = quant ] && [ "${b%-deflate}" = typ ]; then
                target="≤ 20 ms wall: $(pass "$(ms "$w")" 20)"
            elif [ $c = quant ] && [ "${b%-deflate}" = big ]; then
                target="≤ 5× floor: $(pass "$(ratio "$w" "$fw")" 5) (aim 3×)"
            fi
            case $c in
                true) cmd="\`true\` (process start-up)" ;;
                floor) cmd="libtiff floor (\`bench/tiff_floor\`)" ;;
                quant) cmd="\`blotquant quant\`" ;;
                quant-rb) cmd="\`quant --background rolling-ball\`" ;;
                quant-base) cmd="\`blotquant quant\`, baseline (\`BASELINE\`)" ;;
            esac
            echo "| $label | $cmd | $(ms "$w") | $(ms "$(get $b $c min)") | $(ms "$u") | $(ratio "$w" "$fw") | $(ratio "$u" "$fc") | $target |"
        done
    done
    echo
    if [ $have_ij = 1 ]; then
        echo "## ImageJ rolling ball (radius 50), same blots (uncompressed)"
        echo
        echo "Whole command = \`xvfb-run -a imagej -b\` (JVM start-up, open, one Subtract"
        echo "Background), median of $IJ_RUNS. Operation alone = getTime() around"
        echo "\`run(\"Subtract Background...\", \"rolling=50\")\` inside one JVM, median of $IJ_REPS"
        echo "after one warm-up. Speed-up = ImageJ / \`blotquant quant\` (whole program, wall)."
        echo
        echo "| blot | ImageJ whole command ms | ImageJ rolling ball alone ms | quant ms | speed-up vs whole | speed-up vs operation | quant-rb ms | speed-up vs operation (rb) | target ≥ 100× vs operation |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for b in typ big; do
            if [ $b = typ ]; then label="1340×1040"; else label="${BIG}×${BIG}"; fi
            ijw=$(get "$b-imagej" imagej median)
            ijop=$(median_col "$OUT/$b.ij.txt")
            q=$(get $b quant median)
            qrb=$(get $b quant-rb median)
            sop=$(ratio "$ijop" "$q")
            t=""
            [ $b = big ] && t=$(awk -v s="$sop" 'BEGIN { print (s >= 100) ? "yes" : "**no**" }')
            echo "| $label | $(ms "$ijw") | $(ms "$ijop") | $(ms "$q") | $(ratio "$ijw" "$q")× | ${sop}× | $(ms "$qrb") | $(ratio "$ijop" "$qrb")× | $t |"
        done
        echo
    fi
    echo "## Batch throughput ($GELS gels, 1340×1040, \`blotquant batch\` = quant + normalise + fit + plots)"
    echo
    j1=$(get batch j1 median)
    jn=$(get batch jN median)
    j1m=$(get batch j1 min)
    jnm=$(get batch jN min)
    echo "| -j | wall median s | wall min s | gels/s (median) | CPU s |"
    echo "|---|---|---|---|---|"
    for j in 1 N; do
        if [ $j = 1 ]; then t=$j1; tm=$j1m; c=j1; lab=1; else t=$jn; tm=$jnm; c=jN; lab=$JOBS; fi
        echo "| $lab | $(awk -v t="$t" 'BEGIN { printf "%.2f", t }') | $(awk -v t="$tm" 'BEGIN { printf "%.2f", t }') | $(awk -v t="$t" -v n="$GELS" 'BEGIN { printf "%.1f", n / t }') | $(awk -v t="$(cpu batch $c)" 'BEGIN { printf "%.2f", t }') |"
    done
    echo
    echo "Wall(-j $JOBS) / wall(-j 1) = $(ratio "$jn" "$j1") on medians, $(ratio "$jnm" "$j1m") on minima" \
         "(target ≤ 0.6: $(pass "$(ratio "$jn" "$j1")" 0.6) / $(pass "$(ratio "$jnm" "$j1m")" 0.6))."
    echo "$BATCH_RUNS runs after 1 warm-up. The machine is shared, so -j $JOBS only gains what the"
    echo "other users leave idle (load average above); the minimum is the least disturbed run."
    echo
    echo "## Peak memory, ${BIG}×${BIG} blot"
    echo
    dec=$((BIG * BIG * 4 / 1024))
    echo "Decoded float image: $((dec / 1024)) MiB."
    echo
    echo "| program | max RSS MiB | / decoded image | target |"
    echo "|---|---|---|---|"
    echo "| libtiff floor | $((rss_floor / 1024)) | $(ratio "$rss_floor" "$dec") | |"
    echo "| libtiff floor, Deflate | $((rss_floor_d / 1024)) | $(ratio "$rss_floor_d" "$dec") | |"
    echo "| \`blotquant quant\` | $((rss_quant / 1024)) | $(ratio "$rss_quant" "$dec") | ≤ 3×: $(pass "$(ratio "$rss_quant" "$dec")" 3) |"
    echo "| \`blotquant quant\`, Deflate | $((rss_quant_d / 1024)) | $(ratio "$rss_quant_d" "$dec") | ≤ 3×: $(pass "$(ratio "$rss_quant_d" "$dec")" 3) |"
    echo "| \`quant --background rolling-ball\` | $((rss_quant_rb / 1024)) | $(ratio "$rss_quant_rb" "$dec") | |"
    echo
    if [ $have_cg = 1 ]; then
        echo "## Instructions (callgrind, millions; uncompressed blots)"
        echo
        echo "Inclusive instruction counts of \`blotquant quant --rows $ROWS\` by stage, the"
        echo "whole process (start-up and dynamic linking included) and the floor: independent"
        echo "of the load on the machine."
        echo
        if [ -n "${BASELINE:-}" ]; then
            echo "| stage | 1340×1040 baseline | 1340×1040 | ${BIG}×${BIG} baseline | ${BIG}×${BIG} |"
            echo "|---|---|---|---|---|"
        else
            echo "| stage | 1340×1040 | ${BIG}×${BIG} |"
            echo "|---|---|---|"
        fi
        mi() {  # mi FILE FUNCTION: inclusive Ir of FUNCTION in millions
            awk -v f="$2" '$0 ~ ":" f " " { gsub(",", "", $1); printf "%.1f", $1 / 1e6; found = 1; exit }
                           END { if (!found) printf "-" }' "$1"
        }
        total() { awk '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.1f", $1 / 1e6; exit }' "$1"; }
        cgrow() {  # cgrow LABEL CMD ARG: one row, CMD (mi or total) over the blots
            local label=$1 fn=$2 arg=${3:-} line="| $1 |"
            for b in typ big; do
                if [ -n "${BASELINE:-}" ]; then
                    line="$line $($fn "$OUT/$b.callgrind.base.txt" $arg) |"
                fi
                line="$line $($fn "$OUT/$b.callgrind.quant.txt" $arg) |"
            done
            echo "$line"
        }
        for st in $STAGES; do
            cgrow "\`$st\`" mi "$st"
        done
        cgrow "whole \`quant\` process" total
        line="| libtiff floor process |"
        for b in typ big; do
            [ -n "${BASELINE:-}" ] && line="$line |"
            line="$line $(total "$OUT/$b.callgrind.floor.txt") |"
        done
        echo "$line"
        echo
    fi
    echo "Reproduce: \`bench/run.sh\` ($(( $(date +%s) - start )) s on this machine)."
} > "$OUT/results.md"
cat "$OUT/results.md"
