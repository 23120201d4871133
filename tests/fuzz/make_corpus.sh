#!/usr/bin/env bash
# Regenerate the seed corpora under tests/fuzz/corpus/. The files are
# committed; run this only to change them.
# Usage: make_corpus.sh BUILD_DIR   (a configured build of this project)
# Needs tiffcp (libtiff-tools) for the variants made from simulated blots.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
c=$here/corpus
bq=$build/src/cli/blotquant
ninja -C "$build" tests/fuzz/gen_seeds src/cli/blotquant >/dev/null
mkdir -p "$c"/{tiff,png,jpeg,csv,fit,quant,lanes}
rm -f "$c"/tiff/* "$c"/png/* "$c"/jpeg/* "$c"/csv/* "$c"/fit/* "$c"/quant/* "$c"/lanes/*
"$build/tests/fuzz/gen_seeds" "$c/tiff" "$c/png" "$c/jpeg"
# Image Lab .scn files written by the .scn test's own writer
ninja -C "$build" tests/image/test_scn >/dev/null
mkdir -p "$c/scn"
rm -f "$c"/scn/*
"$build/tests/image/test_scn" --seeds "$c/scn" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Small simulated blots for the pipeline, and tiffcp re-encodings of them.
"$bq" simulate -q --seed 3 --width 128 --height 120 --lanes 4 -o "$tmp/clean.tif"
"$bq" simulate -q --seed 4 --preset artefacts --width 112 --height 112 --lanes 3 -o "$tmp/artefacts.tif"
"$bq" simulate -q --seed 5 --preset strips --width 96 --height 140 --lanes 3 -o "$tmp/strips.tif"
"$bq" simulate -q --seed 6 --preset saturated --polarity dark --width 96 --height 112 --lanes 3 -o "$tmp/dark.tif"
for n in clean artefacts strips dark; do cp "$tmp/$n.tif" "$c/quant/sim_$n.tif"; done
tiffcp -c lzw:2 "$tmp/clean.tif" "$c/quant/sim_clean_lzw.tif"
tiffcp -t -w 32 -l 32 -c zip "$tmp/clean.tif" "$c/quant/sim_clean_tiled.tif"
tiffcp -8 -c zip "$tmp/artefacts.tif" "$c/tiff/sim_bigtiff_zip.tif"
tiffcp -c packbits -r 4 "$c/tiff/gray8.tif" "$c/tiff/gray8_packbits_r4.tif"
tiffcp "$c/tiff/gray8.tif" "$tmp/clean.tif" "$c/tiff/two_pages.tif"
cp "$c/tiff/gray16_deflate.tif" "$c/tiff/gel16.tif" "$c/tiff/rgb8.tif" "$c/quant/"
cp "$c/png/gray16.png" "$c/png/rgba8.png" "$c/quant/"
# a figure crop on a white page and a photograph on a black surround: the
# membrane stage masks page, labels and frame lines in these two
python3 "$here/make_page_seeds.py" "$c/quant"

# Sample sheets (the csv target also reads them as plain tables).
cp "$tmp/clean.samples.csv" "$c/csv/sim_samples.csv"
printf 'lane,dose,unit\n1,0,\n2,0.1,nM\n3,1,nM\n4,10,nM\n5,100,nM\n6,1,uM\n' >"$c/csv/basic.csv"
printf '\xef\xbb\xbfimage,lane,dose,unit,replicate,group\r\nblot1.tif,1,0,\xc2\xb5M,1,a\r\nblot1.tif,2,0.5,\xc2\xb5M,1,a\r\ngels/blot2.tif,1,0,uM,2,"b, c"\r\n"blot2",2,"1.5",uM,2,"say ""hi"""\r\n' >"$c/csv/bom_crlf_quoted.csv"
printf 'Lane , Dose ,Unit\n 1 , 0 , nM \n\n2,1e-3,mM\n3,2.5E2,pM\n4,1,M\n' >"$c/csv/blanks_units.csv"
printf 'lane,dose,unit\r1,0,nM\r2,"1\n0",nM\r' >"$c/csv/cr_multiline.csv"
printf 'a,b\n"x""y",2\n' >"$c/csv/plain_table.csv"
printf 'lane,dose,unit\n1,-1,nM\n2,nan,nM\n3,1,MM\n1,2,nM\n' >"$c/csv/bad_values.csv"

# Dose tables for the fit path.
printf 'dose,response\n0,1.00\n0.01,0.98\n0.1,0.90\n1,0.55\n10,0.20\n100,0.12\n1000,0.11\n' >"$c/fit/simple.csv"
printf 'lane,dose,unit,target,control,ratio,relative,replicate,flags\n1,0,nM,100,50,2,1,1,\n2,1,nM,90,50,1.8,0.9,1,\n3,10,nM,60,50,1.2,0.6,1,\n4,100,nM,20,50,0.4,0.2,1,control_faint;excluded\n5,1,uM,10,50,0.2,0.1,1,\n6,10,uM,30,50,0.6,0.3,1,\n7,0,nM,,,,NA,2,\n8,3,nM,80,50,1.6,0.8,2,\n' >"$c/fit/normalized.csv"
printf 'dose,response,replicate\n0,1,1\n0,1.02,2\n0.3,0.97,1\n0.3,0.95,2\n3,0.7,1\n3,0.72,2\n30,0.3,1\n30,0.33,2\n300,0.15,1\n300,0.14,2\n3000,0.4,1\n3000,0.45,2\n' >"$c/fit/hook.csv"
printf 'dose,response\n0,1\n1,1\n10,1\n100,1\n1000,1\n' >"$c/fit/flat.csv"
printf 'dose,response\n0,1\n1,0.9\n' >"$c/fit/too_few.csv"
printf 'dose,response,unit\n0,1,\n1,0.8,pM\n1,0.6,nM\n1,0.3,uM\n1,0.1,mM\n' >"$c/fit/units.csv"
printf 'dose,response\n0,1e308\n1e-300,0.5\n1e300,-1e308\n5,inf\n6,0\n' >"$c/fit/extremes.csv"
cp "$here/../../sample_blots/hook.samples.csv" "$c/csv/hook_samples.csv" 2>/dev/null || true

# Lanes files and band tables for the lanes target; fuzz_lanes.c renders the
# clean blot above in memory, so the files of its lanes reach band detection.
L=$c/lanes
( cd "$tmp" # the image column says clean.tif, not a temporary path
  "$bq" quant -q --save-lanes "$L/clean.lanes.csv" -o "$L/clean.bands.csv" clean.tif
  "$bq" quant -q --lane-centres 20,50,80,110 --save-lanes "$L/clean_given.lanes.csv" clean.tif >/dev/null
  "$bq" quant -q --save-lanes "$L/strips.lanes.csv" -o "$L/strips.bands.csv" strips.tif )
printf 'strip,y_top,y_bottom,lane,x_left,x_right\n1,10,110,1,10,30\n1,10,110,2,45,65\n1,10,110,3,80,100\n' >"$L/minimal.lanes.csv"
printf '\xef\xbb\xbfstrip,y_top,y_bottom,lane,x_left,x_right,y_ref,slope,ladder,empty,roi_x,roi_y,roi_w,roi_h\r\n1,5,55,1,"12.5",30,30,0.05,1,0,2,3,120,110\r\n1,5,55,2,40,58.25,30,0.05,0,0,2,3,120,110\r\n2,60,119,1,14,31,90,-0.02,0,1,2,3,120,110\r\n2,60,119,2,41,60,90,-0.02,0,0,2,3,120,110\r\n' >"$L/two_strips_tilted_crlf.lanes.csv"
printf 'image,lane,band,x_left,x_right,y_top,y_bottom,y_peak,flags\na.tif,1,1,10,30,20,40,30,ladder\na.tif,2,1,45,66,21,41,31,\na.tif,1,2,12,32,80,100,90,ladder;saturated\na.tif,2,2,47,68,81,101,91,weak\n' >"$L/tilted.bands.csv"
printf 'strip,y_top,y_bottom,lane,x_left,x_right\n1,0,99,1,10,30\n1,0,99,1,40,60\n2,50,40,1,1e308,nan\n' >"$L/bad_values.lanes.csv"

du -ab "$c" | sort -n | tail -3
