#!/bin/bash
# eval/dc50.sh - DC50 accuracy of issue 3 item 5, in one command:
#
#     eval/dc50.sh     (SEEDS=20 PRESETS="kt253 artefacts ..." to change)
#
# For every preset and seed 1..SEEDS:
#   * the blot: `blotquant simulate --preset P --seed S -o DIR/sS.tif`
#     (truth DC50 in DIR/sS.params.csv, doses in DIR/sS.samples.csv);
#   * blotquant: `blotquant analyze -q --rows MDM2,ACTB --samples
#     DIR/sS.samples.csv -o DIR/sS DIR/sS.tif`, fully automatic; its wall
#     time is recorded (DIR/sS.time); on presets with saturated actin also
#     with --keep-flagged (DIR/sS.kf), the "I know, fit them anyway" run;
#   * the manual workflow: ImageJ (headless, eval/imagej.ijm: rolling ball
#     50 + RawIntDen) in PERFECT boxes at the true lanes and rows (written by
#     `bq-eval boxes`, the same boxes as eval/run.sh), then eval/dc50.py
#     fits a plain 4PL with scipy's curve_fit to MDM2/ACTB relative to
#     vehicle, every lane included, Wald CI on log DC50.
# eval/dc50.py scores both against the truth and writes eval/out/dc50.md
# (the table) and eval/out/dc50/seeds.csv (one row per blot and method).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-eval}
SEEDS=${SEEDS:-20}
PRESETS=${PRESETS:-"kt253 artefacts geometry saturated hook hard"}
# Presets whose actin saturates: also run blotquant with --keep-flagged.
KEEP_FLAGGED=${KEEP_FLAGGED:-"saturated hard"}
OUT=$ROOT/eval/out/dc50

if [ ! -d "$BUILD" ]; then
    meson setup "$BUILD" >/dev/null
fi
if ! nice ninja -C "$BUILD" src/cli/blotquant eval/bq-eval \
        > "$ROOT/$BUILD/dc50-build.log" 2>&1; then
    cat "$ROOT/$BUILD/dc50-build.log" >&2
    echo "dc50.sh: build failed" >&2
    exit 1
fi
BQ=$ROOT/$BUILD/src/cli/blotquant
EV=$ROOT/$BUILD/eval/bq-eval

# The manual fit needs scipy; Debian's python3-scipy lives under
# /usr/bin/python3, which a pyenv or venv python3 earlier in PATH hides.
PY=
for cand in python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import scipy' 2>/dev/null; then
        PY=$cand
        break
    fi
done
if [ -z "$PY" ]; then
    echo "dc50.sh: no python3 with scipy (apt-get install python3-scipy)" >&2
    exit 1
fi
have_imagej=1
if ! command -v imagej >/dev/null || ! command -v xvfb-run >/dev/null ||
   ! command -v tiffcp >/dev/null; then
    have_imagej=0
    echo "dc50.sh: imagej, xvfb-run or tiffcp missing: manual column left out" \
         "(apt-get install imagej xvfb libtiff-tools)" >&2
fi

rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)

for preset in $PRESETS; do
    dir=$OUT/$preset
    mkdir -p "$dir"
    blots=()
    for seed in $(seq 1 "$SEEDS"); do
        b=$dir/s$seed
        if ! nice "$BQ" simulate --preset "$preset" --seed "$seed" -o "$b.tif" \
                >>"$dir/simulate.log" 2>&1; then
            echo "dc50.sh: simulating $preset seed $seed failed (see $dir/simulate.log)" >&2
            continue
        fi
        blots+=("$b.tif")
        t0=$(date +%s.%N)
        nice "$BQ" analyze -q --rows MDM2,ACTB --samples "$b.samples.csv" -o "$b" "$b.tif" \
            >"$b.analyze.log" 2>&1 || echo "exit $?" >>"$b.analyze.log"
        t1=$(date +%s.%N)
        echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' > "$b.time"
        case " $KEEP_FLAGGED " in
        *" $preset "*)
            nice "$BQ" analyze -q --keep-flagged --rows MDM2,ACTB \
                --samples "$b.samples.csv" -o "$b.kf" "$b.tif" \
                >"$b.kf.log" 2>&1 || echo "exit $?" >>"$b.kf.log"
            ;;
        esac
    done
    [ ${#blots[@]} -gt 0 ] || continue

    if [ $have_imagej = 1 ]; then
        "$EV" boxes "$dir/jobs.tsv" "${blots[@]}"
        # ImageJ 1.52 reads Deflate+predictor TIFFs as zeros: give it a
        # lossless uncompressed copy (as eval/run.sh does).
        for b in "${blots[@]}"; do
            tiffcp -c none "$b" "${b%.tif}.ij.tif"
        done
        # One JVM per preset. The Debian wrapper exits 1 even on success, so
        # success is judged by the results file: one line per box.
        nice xvfb-run -a imagej -b "$ROOT/eval/imagej.ijm" "$dir/jobs.tsv" \
            >"$dir/imagej.log" 2>&1 || true
        if [ ! -f "$dir/jobs.tsv.out" ] ||
           [ "$(wc -l < "$dir/jobs.tsv.out")" != "$(wc -l < "$dir/jobs.tsv")" ]; then
            echo "dc50.sh: ImageJ failed on $preset (see $dir/imagej.log)" >&2
            rm -f "$dir/jobs.tsv.out"
        fi
        rm -f "$dir"/*.ij.tif
    fi
    echo "dc50.sh: $preset done ($(( $(date +%s) - start )) s)" >&2
done

nice "$PY" "$ROOT/eval/dc50.py" --out "$ROOT/eval/out/dc50.md" --seeds-csv "$OUT/seeds.csv" \
    --elapsed "$(( $(date +%s) - start ))" --seeds "$SEEDS" "$OUT" $PRESETS
cat "$ROOT/eval/out/dc50.md"
