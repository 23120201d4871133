#!/usr/bin/env bash
# Inputs too large to commit, made at test time: each must be read within the
# time bound (-t) by its fuzz target's replay program.
#   - a 300,000-row sample sheet, 3 images x 100,000 lanes (the duplicate
#     check was quadratic: 10 s of CPU at 100,000 rows, about 90 s here)
#   - a 4,000-column CSV header with 200 rows (the duplicate-name check was cubic)
# Usage: big_inputs.sh REPLAY_CSV SECONDS
set -eu
replay=$1
secs=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { print "image,lane,dose,unit"; for (i = 0; i < 300000; i++) printf "blot%d.tif,%d,%g,nM\n", i % 3, int(i / 3) + 1, i * 0.01 }' >"$tmp/sheet_300k_rows.csv"
awk 'BEGIN { for (c = 0; c < 4000; c++) printf "%scol%d", c ? "," : "", c; print "";
             for (r = 0; r < 200; r++) { for (c = 0; c < 4000; c++) printf "%s%d", c ? "," : "", r; print "" } }' >"$tmp/header_4000_columns.csv"
"$replay" -t "$secs" "$tmp"
echo "1 passed, 0 failed"
