#!/usr/bin/env bash
# batch.sh BLOTQUANT - batch over a generated folder: good gels (nested, with
# per-gel and per-folder sheets, one without a sheet), a truncated TIFF, a
# text file named .png and an unrelated file. Checks the exit code,
# errors.csv, that batch equals single-gel analyze, that -j does not change
# the tables, that shards merge into the whole, that inputs are untouched,
# and that --resume skips finished gels.
set -uo pipefail
bq=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

in=$tmp/gels
mkdir -p "$in/2026-11-01" "$in/2026-11-02/exp b" "$in/loose"
"$bq" simulate -q --preset clean --seed 11 -o "$in/2026-11-01/gel1.tif" || bad "simulate gel1"
"$bq" simulate -q --preset artefacts --seed 12 -o "$in/2026-11-01/gel2.tif" || bad "simulate gel2"
"$bq" simulate -q --preset clean --seed 13 --lanes 8 -o "$in/2026-11-02/exp b/gel3.tif" || bad "simulate gel3"
"$bq" simulate -q --preset clean --seed 14 -o "$in/loose/nosheet.tif" || bad "simulate nosheet"
# gel1 and gel2 share a folder sheet; gel3 keeps its own X.samples.csv
mv "$in/2026-11-01/gel1.samples.csv" "$in/2026-11-01/samples.csv"
rm -f "$in/2026-11-01/gel2.samples.csv" "$in/loose/nosheet.samples.csv"
head -c 3000 "$in/2026-11-01/gel1.tif" > "$in/2026-11-01/truncated.tif"
echo "not an image" > "$in/2026-11-02/notes.png"
echo "unrelated" > "$in/2026-11-02/readme.txt"
find "$in" -type f -exec md5sum {} + | sort > "$tmp/before.md5"

"$bq" batch -q -j 2 --rows MDM2,ACTB -o "$tmp/out2" "$in"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "batch exit $rc, expected 1 (two broken files)"
for f in bands.csv normalized.csv fits.csv errors.csv run.json; do
  [ -s "$tmp/out2/$f" ] && ok || bad "missing $f"
done
n_err=$(($(wc -l < "$tmp/out2/errors.csv") - 1))
[ "$n_err" -eq 2 ] && ok || bad "errors.csv has $n_err rows, expected 2"
grep -q "^2026-11-01/truncated.tif,load," "$tmp/out2/errors.csv" && ok || bad "truncated.tif not in errors.csv"
grep -q "^2026-11-02/notes.png,load," "$tmp/out2/errors.csv" && ok || bad "notes.png not in errors.csv"
grep -q "readme.txt" "$tmp/out2/errors.csv" && bad "unrelated file reported" || ok
n_fit=$(($(wc -l < "$tmp/out2/fits.csv") - 1))
[ "$n_fit" -eq 3 ] && ok || bad "fits.csv has $n_fit rows, expected 3 (the gel without a sheet is not fitted)"
head -1 "$tmp/out2/fits.csv" | grep -q "^image,target,control,n,top,bottom,hill,dc50," && ok || bad "fits.csv header"
grep -q "^loose/nosheet.tif," "$tmp/out2/bands.csv" && ok || bad "gel without a sheet not quantified"

find "$in" -type f -exec md5sum {} + | sort > "$tmp/after.md5"
cmp -s "$tmp/before.md5" "$tmp/after.md5" && ok || bad "inputs changed"
ls "$tmp/out2"/*.bq-tmp.* > /dev/null 2>&1 && bad "temporary files left" || ok

# -j 1 gives the same tables
"$bq" batch -q -j 1 --rows MDM2,ACTB -o "$tmp/out1" "$in"
for f in bands.csv normalized.csv fits.csv errors.csv; do
  cmp -s "$tmp/out1/$f" "$tmp/out2/$f" && ok || bad "$f differs between -j 1 and -j 2"
done

# batch equals single-gel analyze
"$bq" analyze -q --rows MDM2,ACTB --samples "$in/2026-11-02/exp b/gel3.samples.csv" \
  -o "$tmp/single" "$in/2026-11-02/exp b/gel3.tif" || bad "analyze gel3"
for f in normalized.csv fit.csv; do
  # the image column differs (relative vs given path): compare from column 2 of fit.csv on
  a=$(sed 1d "$tmp/single/$f" | sed 's|^[^,]*gel3.tif,||')
  b=$(sed 1d "$tmp/out2/2026-11-02/exp b/gel3_tif/$f" | sed 's|^[^,]*gel3.tif,||')
  [ "$a" = "$b" ] && ok || bad "$f of batch differs from analyze"
done
cut -d, -f2- "$tmp/single/bands.csv" > "$tmp/a.csv"
cut -d, -f2- "$tmp/out2/2026-11-02/exp b/gel3_tif/bands.csv" > "$tmp/b.csv"
cmp -s "$tmp/a.csv" "$tmp/b.csv" && ok || bad "bands.csv of batch differs from analyze"

# shards + merge = one run
"$bq" batch -q --shard 1/2 --rows MDM2,ACTB -o "$tmp/s1" "$in"
"$bq" batch -q --shard 2/2 --rows MDM2,ACTB -o "$tmp/s2" "$in"
"$bq" merge -q -o "$tmp/merged" "$tmp/s1" "$tmp/s2" || bad "merge failed"
for f in bands.csv normalized.csv fits.csv errors.csv; do
  cmp -s "$tmp/merged/$f" "$tmp/out2/$f" && ok || bad "merged $f differs from one run"
done

# --resume skips what is complete: outputs keep their timestamps, and the
# index still shows the DC50s of the gels an earlier run analysed
dc50s() { grep -oE 'DC50 [0-9.e+-]+ [^ <]+ \[[^]]*\], Dmax [0-9]+ %' "$1" | sort; }
dc50s "$tmp/out2/index.html" > "$tmp/dc50.before"
stamp=$(stat -c %Y.%N "$tmp/out2/2026-11-01/gel1_tif/run.json")
sleep 1
"$bq" batch -q --resume --rows MDM2,ACTB -o "$tmp/out2" "$in"
[ "$(stat -c %Y.%N "$tmp/out2/2026-11-01/gel1_tif/run.json")" = "$stamp" ] && ok || bad "--resume redid a complete gel"
cmp -s "$tmp/out1/bands.csv" "$tmp/out2/bands.csv" && ok || bad "--resume changed bands.csv"
dc50s "$tmp/out2/index.html" > "$tmp/dc50.after"
[ "$(wc -l < "$tmp/dc50.before")" -eq 3 ] && ok || bad "index.html shows $(wc -l < "$tmp/dc50.before") DC50s, expected 3"
cmp -s "$tmp/dc50.before" "$tmp/dc50.after" && ok ||
  bad "index.html after --resume shows other DC50s: $(diff "$tmp/dc50.before" "$tmp/dc50.after")"
grep -q 'done earlier (--resume)' "$tmp/out2/index.html" && ok || bad "index.html does not say which gels were done earlier"

# --samples is the sheet of gels that have none of their own; fit options pass through
"$bq" batch -q --rows MDM2,ACTB --samples "$in/2026-11-01/samples.csv" --ci wald \
  -o "$tmp/fallback" "$in" 2> /dev/null
n_fit=$(($(wc -l < "$tmp/fallback/fits.csv") - 1))
[ "$n_fit" -eq 4 ] && ok || bad "--samples fallback: fits.csv has $n_fit rows, expected 4"
grep -q '"ci": "wald"' "$tmp/fallback/run.json" && ok || bad "run.json does not record --ci wald"
grep -q ",wald-log," "$tmp/fallback/fits.csv" && ok || bad "--ci wald not used by batch"

# JPEGs (.jpg and .jpeg) are gels too, with one lossy warning for the batch
jin=$tmp/jpegs
mkdir -p "$jin"
"$bq" simulate -q --preset clean --seed 15 -o "$tmp/j.tif" || bad "simulate j"
convert "$tmp/j.tif" -depth 8 -quality 95 "$jin/a.jpg" && cp "$jin/a.jpg" "$jin/b.jpeg" ||
  bad "convert to JPEG"
"$bq" batch -j 2 --rows MDM2,ACTB -o "$tmp/jout" "$jin" > /dev/null 2> "$tmp/jerr"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "batch over JPEGs exit $rc: $(cat "$tmp/jerr")"
for g in a.jpg b.jpeg; do
  grep -q "^$g," "$tmp/jout/bands.csv" && ok || bad "bands.csv lacks $g"
done
n_warn=$(grep -c "JPEG is lossy" "$tmp/jerr")
[ "$n_warn" -eq 1 ] && ok || bad "$n_warn lossy warnings for a batch of JPEGs, expected 1"
grep -q "2 of the gels are JPEG" "$tmp/jerr" && ok || bad "the warning does not count the JPEGs"

# usage errors
"$bq" batch -o "$tmp/x" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "batch without FOLDER"
"$bq" batch --shard 3/2 -o "$tmp/x" "$in" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "bad --shard"
"$bq" batch --rows MDM2,ACTB -o "$tmp/x" "$tmp/nonexistent" > /dev/null 2>&1; [ $? -eq 1 ] && ok || bad "missing folder"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
