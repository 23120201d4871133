#!/bin/bash
# eval/run.sh - the accuracy table of issue 2 item 9, in one command:
#
#     eval/run.sh            (SEEDS=10 LEVELS="clean artefacts ..." to change)
#
# Method (details in eval/README.md):
#   * Blots: what `blotquant simulate --preset LEVEL --seed S` writes (made by
#     `bq-eval simulate`, which calls the same bq_simulate) for every level
#     (clean -> artefacts: gradients, smear, dust, noise -> geometry: tilt,
#     smile, faint MDM2 -> saturated actin, plus kt253, strips and hard) and seeds
#     1..SEEDS, into eval/out/LEVEL/ (git-ignored). Truth: NAME.truth.csv.
#   * blotquant: fully automatic, only the row names given (what
#     `blotquant quant --rows MDM2,ACTB` does), called in-process through
#     bq_quant_file; its lanes and rows are matched to the truth by position.
#   * ImageJ (Debian's imagej, headless under xvfb-run, one JVM per level):
#     Invert if the bands are dark, Subtract Background rolling=50 (light
#     background off), Measure RawIntDen in PERFECT boxes: the true lane
#     extent x the true band extent, padded 2 px vertically.
#   * Image Studio (LI-COR's documented "Median" background, computed by
#     bq-eval): box total - median of the 3-pixel border just outside the box
#     x box area, in the SAME boxes.
#   * Relative abundance, the same for all: (MDM2/ACTB of a lane) / (mean
#     MDM2/ACTB of the truth's vehicle lanes, dose 0); error = method - truth
#     in percentage points; a sole vehicle lane is left out of the statistics
#     (0 by construction). Ladder lanes are skipped.
#   * Lanes right: blotquant's lane count equals the truth's and every truth
#     lane falls into its own detected lane. Saturation: truth `saturated`
#     vs blotquant's saturated flag, as "not flagged / falsely flagged".
#   * Pass: lanes right on every blot, no flag mismatch, and blotquant's
#     median AND max |error| <= the better of ImageJ and Image Studio.
# Outputs in eval/out/: accuracy.md (the table), blots.csv (one row per
# blot), lanes.csv (one row per lane and blot), notes.md (what went wrong).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-eval}
SEEDS=${SEEDS:-10}
LEVELS=${LEVELS:-"clean artefacts geometry saturated kt253 strips hard"}
OUT=$ROOT/eval/out

if [ ! -d "$BUILD" ]; then
    meson setup "$BUILD" >/dev/null
fi
if ! ninja -C "$BUILD" eval/bq-eval > "$ROOT/$BUILD/eval-build.log" 2>&1; then
    cat "$ROOT/$BUILD/eval-build.log" >&2
    echo "run.sh: build failed" >&2
    exit 1
fi
EV=$ROOT/$BUILD/eval/bq-eval

have_imagej=1
if ! command -v imagej >/dev/null || ! command -v xvfb-run >/dev/null ||
   ! command -v tiffcp >/dev/null; then
    have_imagej=0
    echo "run.sh: imagej, xvfb-run or tiffcp not installed: ImageJ column left out" \
         "(apt-get install imagej xvfb libtiff-tools)" >&2
fi

# Only this script's outputs: eval/out/dc50* belongs to eval/dc50.sh.
for level in $LEVELS; do
    rm -rf "${OUT:?}/$level"
done
rm -f "$OUT/accuracy.md" "$OUT/blots.csv" "$OUT/lanes.csv" "$OUT/notes.md"
mkdir -p "$OUT"
rows=$OUT/rows.md
: > "$rows"
: > "$OUT/notes.md"
start=$(date +%s)

for level in $LEVELS; do
    dir=$OUT/$level
    mkdir -p "$dir"
    blots=()
    for seed in $(seq 1 "$SEEDS"); do
        if ! nice "$EV" simulate "$level" "$seed" "$dir/s$seed.tif" \
                2>>"$dir/simulate.log"; then
            echo "run.sh: simulating preset $level failed (see $dir/simulate.log)" >&2
            break
        fi
        blots+=("$dir/s$seed.tif")
    done
    [ ${#blots[@]} -gt 0 ] || continue

    ij_args=()
    if [ $have_imagej = 1 ]; then
        "$EV" boxes "$dir/jobs.tsv" "${blots[@]}"
        # ImageJ 1.52 reads Deflate+predictor TIFFs as zeros: give it a
        # lossless uncompressed copy.
        for b in "${blots[@]}"; do
            tiffcp -c none "$b" "${b%.tif}.ij.tif"
        done
        # One JVM for the whole level: start-up dominates otherwise. The
        # Debian wrapper exits 1 even on success (its EXIT trap), so success
        # is judged by the results file: one line per box.
        rm -f "$dir/jobs.tsv.out"
        nice xvfb-run -a imagej -b "$ROOT/eval/imagej.ijm" "$dir/jobs.tsv" \
            >"$dir/imagej.log" 2>&1 || true
        if [ -f "$dir/jobs.tsv.out" ] &&
           [ "$(wc -l < "$dir/jobs.tsv.out")" = "$(wc -l < "$dir/jobs.tsv")" ]; then
            ij_args=(--imagej "$dir/jobs.tsv.out")
        else
            echo "run.sh: ImageJ failed on $level (see $dir/imagej.log)" >&2
        fi
    fi
    nice "$EV" score --level "$level" "${ij_args[@]}" --lanes-csv "$OUT/lanes.csv" \
        --blots-csv "$OUT/blots.csv" --notes "$OUT/notes.md" --overlays yes \
        "${blots[@]}" >> "$rows"
    tail -n 1 "$rows"
done

{
    echo "# blotquant accuracy on simulated blots"
    echo
    echo "$SEEDS seeds per level; MDM2/ACTB relative to vehicle, |error| in percentage"
    echo "points over all non-ladder lanes (median / max). blotquant fully automatic;"
    echo "ImageJ and Image Studio given perfect boxes at the true lanes and rows."
    echo "Saturation flags: saturated bands not flagged / unsaturated bands flagged"
    echo "(and how many bands are saturated in the truth). \"miss\": blotquant reported"
    echo "no band for some true band (details in notes.md). Lanes scored: non-vehicle"
    echo "sample lanes over all blots of the level."
    echo
    echo "| level | lanes right | sat. flags missed/false | blotquant median |" \
         "blotquant max | ImageJ median | ImageJ max | Image Studio median |" \
         "Image Studio max | lanes scored | bar met |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    cat "$rows"
    echo
    echo "Reproduce: \`eval/run.sh\` ($(( $(date +%s) - start )) s on this machine)."
    if [ -s "$OUT/notes.md" ]; then
        echo
        echo "## Notes (where blotquant misses)"
        echo
        cat "$OUT/notes.md"
    fi
} > "$OUT/accuracy.md"
rm -f "$rows"
cat "$OUT/accuracy.md"
