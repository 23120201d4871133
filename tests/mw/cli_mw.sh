#!/usr/bin/env bash
# blotquant quant --ladder / --rows NAME@KDA on a simulated blot with a
# ladder lane: sizes in bands.csv, rows named by size, usage errors exit 2.
bq=$1 tmp=$2/cli_mw
mkdir -p "$tmp"
fails=0
ok() { :; }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

"$bq" simulate -q --preset kt253 --mw-curve 0.2 -o "$tmp/kt.tif" || bad "simulate"
"$bq" quant -q --rows MDM2@90,ACTB@42 -o "$tmp/sized.csv" "$tmp/kt.tif" || bad "quant --rows NAME@KDA"
head -1 "$tmp/sized.csv" | grep -q ',flags,mw_kda$' && ok || bad "bands.csv lacks mw_kda"
# every sample band of MDM2 within 8 % of 90 kDa, of ACTB of 42
awk -F, 'NR > 1 && $15 !~ /ladder/ {
    want = $4 == "MDM2" ? 90 : ($4 == "ACTB" ? 42 : 0)
    if (!want || $16 == "" || $16 / want > 1.08 || $16 / want < 0.92) { print; bad = 1 }
  } END { exit bad }' "$tmp/sized.csv" && ok || bad "sizes or names off in sized.csv"
"$bq" quant -q --ladder 250,150,100,75,50,37,25,20,15,10 --rows MDM2,ACTB -o "$tmp/list.csv" "$tmp/kt.tif" || bad "quant --ladder LIST"
cmp -s "$tmp/sized.csv" "$tmp/list.csv" && ok || bad "the list and the preset give different tables"
"$bq" quant -q --ladder none --rows MDM2,ACTB -o "$tmp/none.csv" "$tmp/kt.tif" || bad "quant --ladder none"
awk -F, 'NR > 1 && $16 != "" { bad = 1 } END { exit bad }' "$tmp/none.csv" && ok || bad "--ladder none still sized bands"
# the overlay of a calibrated blot carries the kDa scale and sizes: it differs
# from the one without sizes, and is wider (the scale needs a margin)
"$bq" quant -q --overlay "$tmp/sized.png" -o /dev/null "$tmp/kt.tif" || bad "overlay with sizes"
"$bq" quant -q --ladder none --overlay "$tmp/plain.png" -o /dev/null "$tmp/kt.tif" || bad "overlay without sizes"
w() { od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }
[ "$(w "$tmp/sized.png")" -gt "$(w "$tmp/plain.png")" ] && ok || bad "the overlay with sizes is no wider"
# no ladder on the blot: said in words, rows by order with a warning
"$bq" simulate -q --preset clean -o "$tmp/clean.tif" || bad "simulate clean"
"$bq" quant --rows MDM2@90,ACTB@42 -o "$tmp/clean.csv" "$tmp/clean.tif" 2> "$tmp/clean.err" || bad "quant without a ladder lane"
grep -q "no ladder lane found" "$tmp/clean.err" && grep -q "named by order" "$tmp/clean.err" && ok || bad "no warning without a ladder: $(cat "$tmp/clean.err")"
grep -q ",MDM2," "$tmp/clean.csv" && ok || bad "order naming lost without a ladder"

for args in "--ladder nosuch" "--ladder 100,250" "--rows MDM2@x,ACTB@42" "--rows MDM2@90,ACTB" "--rows @90"; do
  # shellcheck disable=SC2086
  "$bq" quant $args "$tmp/kt.tif" > /dev/null 2>&1
  [ $? -eq 2 ] && ok || bad "'$args' is not a usage error"
done
exit $((fails > 0))
