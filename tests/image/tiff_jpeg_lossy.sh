#!/usr/bin/env bash
# tiff_jpeg_lossy.sh BLOTQUANT - a TIFF whose strips are JPEG-compressed is
# as lossy as a JPEG file: quant warns once, as for a .jpg; the same picture
# stored losslessly (Deflate) gets no warning.
set -uo pipefail
bq=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
"$bq" simulate -q --preset clean --seed 21 -o "$tmp/blot.tif" || { echo "FAIL: simulate"; exit 1; }
convert "$tmp/blot.tif" -depth 8 "$tmp/blot8.tif" || { echo "FAIL: convert to 8 bits"; exit 1; }
tiffcp -c jpeg:90 "$tmp/blot8.tif" "$tmp/jpeg.tif" || { echo "FAIL: tiffcp -c jpeg"; exit 1; }
tiffcp -c zip "$tmp/blot8.tif" "$tmp/zip.tif" || { echo "FAIL: tiffcp -c zip"; exit 1; }
"$bq" quant -q -o "$tmp/j.csv" "$tmp/jpeg.tif" 2> "$tmp/j.err" || { echo "FAIL: quant on the JPEG TIFF"; fails=$((fails + 1)); }
n=$(grep -c "JPEG is lossy" "$tmp/j.err")
[ "$n" -eq 1 ] || { echo "FAIL: $n lossy warnings for a JPEG-compressed TIFF, expected 1"; fails=$((fails + 1)); }
"$bq" quant -q -o "$tmp/z.csv" "$tmp/zip.tif" 2> "$tmp/z.err" || { echo "FAIL: quant on the Deflate TIFF"; fails=$((fails + 1)); }
grep -q "lossy" "$tmp/z.err" && { echo "FAIL: a Deflate TIFF called lossy"; fails=$((fails + 1)); }
echo "$fails failures"
[ "$fails" -eq 0 ]
