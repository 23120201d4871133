#!/usr/bin/env bash
# analyze.sh BLOTQUANT SAMPLE_DIR - analyze on the sample dose series:
#   - the KT-253-like series: DC50 within 0.05 log10 of the truth, Dmax
#     within 5 points, the truth inside the CI, every output written;
#   - the hooked series: hook=yes, the post-hook doses listed in excluded,
#     DC50 within 0.1 log10 of the truth;
#   - replicate blots: two images fitted jointly (n doubles);
#   - errors: a bad sheet fails naming the sheet, nothing half-written.
set -uo pipefail
bq=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# field NAME FILE: value of column NAME in the first data row of a CSV
field() { awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } NR == 2 { print $c }' "$2"; }
param() { awk -F, -v key="$1" '$1 == key { print $2 }' "$2"; }
# within A B TOL: |log10(A/B)| <= TOL
within_log() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { if (a <= 0 || b <= 0) exit 1; d = log(a / b) / log(10); if (d < 0) d = -d; exit !(d <= t) }'; }

run_series() { # NAME TOL_LOG10
  local name=$1 tol=$2 out=$tmp/$1
  if ! "$bq" analyze -q --rows MDM2,ACTB --samples "$dir/$name.samples.csv" -o "$out" "$dir/$name.tif"; then
    bad "$name: analyze failed"; return
  fi
  for f in bands.csv normalized.csv fit.csv dose_response.svg run.json "$name.overlay.png"; do
    [ -s "$out/$f" ] && ok || bad "$name: missing $f"
  done
  local dc50 truth low high
  dc50=$(field dc50 "$out/fit.csv"); truth=$(param dc50 "$dir/$name.params.csv")
  low=$(field dc50_low "$out/fit.csv"); high=$(field dc50_high "$out/fit.csv")
  within_log "$dc50" "$truth" "$tol" && ok || bad "$name: DC50 $dc50, truth $truth (tolerance $tol log10)"
  echo "$name: DC50 $dc50 [$low, $high], truth $truth"
}

run_series kt253_mdm2_actb 0.05
dmax=$(field dmax "$tmp/kt253_mdm2_actb/fit.csv")
awk -v d="$dmax" 'BEGIN { exit !(d > 0.90 && d < 1.0) }' && ok || bad "kt253: Dmax $dmax, truth 0.95"
[ "$(field hook "$tmp/kt253_mdm2_actb/fit.csv")" = "no" ] && ok || bad "kt253: false hook"
grep -q "<svg" "$tmp/kt253_mdm2_actb/dose_response.svg" && ok || bad "kt253: plot is not SVG"

run_series hook 0.05
[ "$(field hook "$tmp/hook/fit.csv")" = "yes" ] && ok || bad "hook: hook not detected"
# never silent: either the bell-shaped model or the excluded doses are named
model=$(field model "$tmp/hook/fit.csv")
[ "$model" = "bell" ] || [ -n "$(field excluded "$tmp/hook/fit.csv")" ] && ok ||
  bad "hook: neither the bell model nor excluded doses reported (model '$model')"
[ "$(field model "$tmp/kt253_mdm2_actb/fit.csv")" = "4pl" ] && ok || bad "kt253: model is not 4pl"

# saturated actin: those lanes are flagged, left out of the fit, listed in
# the summary; the DC50 from the rest is still within 0.05 log10
"$bq" analyze --rows MDM2,ACTB --samples "$dir/saturated.samples.csv" -o "$tmp/sat" \
  "$dir/saturated.tif" > "$tmp/sat.out" 2>&1 || bad "saturated: analyze failed"
nsat=$(awk -F, '$3 == "ACTB" && $13 == 1' "$dir/saturated.truth.csv" | wc -l)
nflag=$(grep -c "control_saturated" "$tmp/sat/normalized.csv")
[ "$nsat" -gt 0 ] && [ "$nflag" -eq "$nsat" ] && ok ||
  bad "saturated: $nflag lanes flagged control_saturated, truth has $nsat saturated ACTB bands"
[ "$(field n "$tmp/sat/fit.csv")" -eq $((12 - nsat)) ] && ok ||
  bad "saturated: fit.csv n = $(field n "$tmp/sat/fit.csv"), want $((12 - nsat)) unflagged lanes"
listed=$(grep -o "lane [0-9]* (control_saturated)" "$tmp/sat.out" | wc -l)
[ "$listed" -eq "$nsat" ] && ok || bad "saturated: summary lists $listed flagged lanes, want $nsat"
within_log "$(field dc50 "$tmp/sat/fit.csv")" "$(param dc50 "$dir/saturated.params.csv")" 0.05 && ok ||
  bad "saturated: DC50 $(field dc50 "$tmp/sat/fit.csv"), truth $(param dc50 "$dir/saturated.params.csv")"

# a sheet with groups (two compounds, one blot each): one series per group,
# each fitted on its own lanes, one fit.csv row and one plot each; `fit`
# refuses the pooled table and fits one group with --group
{ echo "image,lane,dose,unit,group"
  tail -n +2 "$dir/kt253_mdm2_actb.samples.csv" | awk -F, '{ print "kt253_mdm2_actb.tif," $1 "," $2 "," $3 ",KT-253" }'
  tail -n +2 "$dir/geometry.samples.csv" | awk -F, '{ print "geometry.tif," $1 "," $2 "," $3 ",cmpd B" }'
} > "$tmp/groups.csv"
if "$bq" analyze -q --rows MDM2,ACTB --samples "$tmp/groups.csv" -o "$tmp/grp" \
    "$dir/kt253_mdm2_actb.tif" "$dir/geometry.tif"; then
  [ "$(wc -l < "$tmp/grp/fit.csv")" -eq 3 ] && ok || bad "groups: fit.csv should have 2 rows"
  gcol() { awk -F, -v g="$1" -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR > 1 && $c["group"] == g { print $c[name] }' "$tmp/grp/fit.csv"; }
  within_log "$(gcol KT-253 dc50)" "$(param dc50 "$dir/kt253_mdm2_actb.params.csv")" 0.05 && ok ||
    bad "groups: KT-253 DC50 $(gcol KT-253 dc50)"
  within_log "$(gcol "cmpd B" dc50)" "$(param dc50 "$dir/geometry.params.csv")" 0.05 && ok ||
    bad "groups: cmpd B DC50 $(gcol "cmpd B" dc50)"
  [ "$(gcol KT-253 n)" -eq 11 ] && [ "$(gcol "cmpd B" n)" -eq 12 ] && ok ||
    bad "groups: points per series $(gcol KT-253 n) / $(gcol "cmpd B" n), want 11 / 12"
  for f in dose_response.svg dose_response.KT-253.svg dose_response.cmpd_B.svg; do
    [ -s "$tmp/grp/$f" ] && ok || bad "groups: missing $f"
  done
  # the combined plot names both series with their DC50s
  grep -q "KT-253: DC50" "$tmp/grp/dose_response.svg" && grep -q "cmpd B: DC50" "$tmp/grp/dose_response.svg" &&
    ok || bad "groups: dose_response.svg does not show both series"
  [ "$(grep -c "<polyline" "$tmp/grp/dose_response.svg")" -eq 2 ] && ok ||
    bad "groups: dose_response.svg should draw two curves"
  "$bq" fit "$tmp/grp/normalized.csv" > /dev/null 2> "$tmp/grp.err"
  [ $? -eq 1 ] && grep -q "more than one dose series" "$tmp/grp.err" && ok ||
    bad "groups: fit pooled two series without complaint"
  d=$("$bq" fit --group "cmpd B" "$tmp/grp/normalized.csv" 2> /dev/null | awk -F, 'NR == 2 { print $7 }')
  within_log "$d" "$(gcol "cmpd B" dc50)" 0.000001 && ok || bad "groups: fit --group gives $d"
  "$bq" fit --group "cmpd B" --format json "$tmp/grp/normalized.csv" 2> /dev/null | grep -q '"group":"cmpd B"' &&
    ok || bad "groups: fit --format json lacks the group"
else
  bad "groups: analyze failed"
fi

# two-channel scans of one membrane: lanes from the control scan, used for both
if "$bq" analyze -q --two-channel --rows MDM2,ACTB --samples "$dir/twochannel.samples.csv" \
    -o "$tmp/tc" "$dir/twochannel.target.tif" "$dir/twochannel.control.tif"; then
  within_log "$(field dc50 "$tmp/tc/fit.csv")" "$(param dc50 "$dir/twochannel.params.csv")" 0.05 && ok ||
    bad "two-channel: DC50 $(field dc50 "$tmp/tc/fit.csv")"
  for f in twochannel.target.overlay.png twochannel.control.overlay.png; do
    [ -s "$tmp/tc/$f" ] && ok || bad "two-channel: missing $f"
  done
  grep -q "twochannel.control.tif,[0-9]*,[0-9]*,ACTB" "$tmp/tc/bands.csv" && ok || bad "two-channel: ACTB not under the control scan"
else
  bad "two-channel: analyze failed"
fi
"$bq" analyze -q --two-channel --rows MDM2,ACTB -o "$tmp/tc1" "$dir/twochannel.target.tif" > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "two-channel with an odd number of images: expected exit 2"

# two replicate blots of one series are fitted jointly
"$bq" analyze -q --rows MDM2,ACTB --samples "$dir/clean.samples.csv" -o "$tmp/rep" \
  "$dir/clean.tif" "$dir/clean.tif" || bad "replicates: analyze failed"
n1=$(awk -F, 'NR > 1' "$tmp/rep/normalized.csv" | wc -l)
n=$(field n "$tmp/rep/fit.csv")
[ "$n" -eq "$n1" ] && [ "$n1" -ge 20 ] && ok || bad "replicates: n=$n from $n1 normalised rows"

# a broken sheet: exit 1 naming the sheet; no fit.csv
printf 'lane,dose,unit\n1,abc,nM\n' > "$tmp/bad.csv"
"$bq" analyze -q --rows MDM2,ACTB --samples "$tmp/bad.csv" -o "$tmp/badrun" "$dir/clean.tif" 2> "$tmp/err"
[ $? -eq 1 ] && ok || bad "bad sheet: wrong exit code"
grep -q "bad.csv" "$tmp/err" && ok || bad "bad sheet: message does not name the sheet: $(cat "$tmp/err")"
[ -e "$tmp/badrun/fit.csv" ] && bad "bad sheet: fit.csv written" || ok

# usage errors
"$bq" analyze -o "$tmp/x" "$dir/clean.tif" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no rows named: expected exit 2"
"$bq" analyze --rows MDM2,ACTB "$dir/clean.tif" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no -o: expected exit 2"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
