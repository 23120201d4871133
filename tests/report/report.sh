#!/usr/bin/env bash
# report.sh BLOTQUANT SAMPLE_DIR - report.html and index.html as text:
#   - analyze on the KT-253-like blot: the DC50 of fit.csv on the page, the
#     overlay inlined (its base64 decodes to the overlay file itself), the
#     inputs' SHA-256 as sha256sum gives them, the command line, every band
#     and lane in the tables, nothing fetched (no http(s) or protocol-relative
#     src/href, no script);
#   - the saturated blot: the saturated bands and excluded lanes marked;
#   - markup in the image's name, the sheet's group and an extra column and
#     a row name shows as text (escaped), never as markup, in the report and
#     the plot;
#   - a 16-megapixel blot: the report stays under 5 MB, its overlay shrunk
#     to at most 2 megapixels while the overlay file keeps full size;
#   - batch: index.html links every gel's report (the links resolve), lists
#     the truncated TIFF with its reason, escapes markup, plots the DC50s.
set -uo pipefail
bq=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
field() { awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } NR == 2 { print $c }' "$2"; }
has() { grep -qF -- "$2" "$1"; }                     # has FILE TEXT
count() { grep -oF -- "$2" "$1" | wc -l; }           # count FILE TEXT
markup='<img src=x onerror=alert(1)>'
escaped='&lt;img src=x onerror=alert(1)&gt;'

# no_fetch FILE: nothing on the page would be fetched from anywhere
no_fetch() {
  if grep -qiE '(src|href)="?(https?:|//)|<script|<link|<iframe|@import|url\(' "$1"; then
    bad "$1: refers to something outside the page: $(grep -oiE '(src|href)="?(https?:|//)[^"]*|<script|<link|<iframe|@import|url\(' "$1" | head -3)"
  else ok; fi
}

# ---- analyze: the KT-253-like series ------------------------------------
kt=$tmp/kt
"$bq" analyze -q --rows MDM2,ACTB --samples "$dir/kt253_mdm2_actb.samples.csv" -o "$kt" \
  "$dir/kt253_mdm2_actb.tif" || bad "kt253: analyze failed"
page=$kt/report.html
[ -s "$page" ] && ok || bad "kt253: no report.html"
dc50=$(printf '%.4g' "$(field dc50 "$kt/fit.csv")")
has "$page" "DC50 $dc50 nM" && ok || bad "kt253: 'DC50 $dc50 nM' (fit.csv) not in the report"
has "$page" "<svg" && has "$page" "DC50 $(printf '%.3g' "$(field dc50 "$kt/fit.csv")")" && ok ||
  bad "kt253: the plot with its DC50 mark is not inline"
has "$page" 'class="ci-band"' && ok || bad "kt253: the plot has no CI band"
no_fetch "$page"
# the inlined overlay is the overlay file, byte for byte (a small blot is not shrunk)
sed -n 's/.*src="data:image\/png;base64,\([^"]*\)".*/\1/p' "$page" | base64 -d > "$tmp/inlined.png" 2> /dev/null
cmp -s "$tmp/inlined.png" "$kt/kt253_mdm2_actb.overlay.png" && ok ||
  bad "kt253: the inlined overlay does not decode to kt253_mdm2_actb.overlay.png"
for f in "$dir/kt253_mdm2_actb.tif" "$dir/kt253_mdm2_actb.samples.csv"; do
  sum=$(sha256sum "$f" | cut -d' ' -f1)
  has "$page" "$sum" && ok || bad "kt253: SHA-256 of $f ($sum) not in the report"
done
has "$page" "blotquant analyze -q --rows MDM2,ACTB" && ok || bad "kt253: command line missing"
nbands=$(($(wc -l < "$kt/bands.csv") - 1))
nrows=$(sed -n '/<table class="bands/,/<\/table>/p' "$page" | grep -c '^<tr.*<td')
[ "$nrows" -eq "$nbands" ] && ok || bad "kt253: band table has $nrows rows, bands.csv $nbands"
nlanes=$(($(wc -l < "$kt/normalized.csv") - 1))
nrows=$(sed -n '/<table class="normalized/,/<\/table>/p' "$page" | grep -c '^<tr.*<td')
[ "$nrows" -eq "$nlanes" ] && ok || bad "kt253: normalised table has $nrows rows, normalized.csv $nlanes"
has "$page" '<table class="fit">' && has "$page" "<td>no</td><td>4pl</td>" && ok ||
  bad "kt253: fit table (hook no, model 4pl) missing"

# ---- the saturated blot: flags highlighted ------------------------------
sat=$tmp/sat
"$bq" analyze -q --rows MDM2,ACTB --samples "$dir/saturated.samples.csv" -o "$sat" \
  "$dir/saturated.tif" || bad "saturated: analyze failed"
want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "flags") c = i } NR > 1 && $c ~ /saturated/' "$sat/bands.csv" | wc -l)
got=$(count "$sat/report.html" '<tr class="saturated">')
[ "$want" -gt 0 ] && [ "$got" -eq "$want" ] && ok ||
  bad "saturated: $got band rows marked saturated, bands.csv has $want"
want=$(grep -c 'control_saturated' "$sat/normalized.csv")
got=$(count "$sat/report.html" '<tr class="excluded">')
[ "$got" -eq "$want" ] && ok || bad "saturated: $got lanes marked excluded, want $want"
has "$sat/report.html" "left out of the fit" && has "$sat/report.html" "saturated (pixels" && ok ||
  bad "saturated: the warnings do not say so"

# ---- markup in every name from input ------------------------------------
mk=$tmp/markup
mkdir -p "$mk/in"
img="$mk/in/$markup.tif"
cp "$dir/hook.tif" "$img"
{ echo "image,lane,dose,unit,replicate,group,note"
  tail -n +2 "$dir/hook.samples.csv" |
    awk -F, -v m="$markup" '{ print m ".tif," $1 "," $2 "," $3 ",1," m "," m }'
} > "$mk/in/$markup.samples.csv"
"$bq" analyze -q --rows "MDM2,ACTB" --samples "$mk/in/$markup.samples.csv" -o "$mk/out" "$img" ||
  bad "markup: analyze failed"
page=$mk/out/report.html
[ "$(count "$page" "$escaped")" -ge 5 ] && ok ||
  bad "markup: the escaped markup appears $(count "$page" "$escaped") times, want the image, group and paths"
has "$page" "$markup" && bad "markup: raw markup in report.html" || ok
grep -qF '<img' "$mk/out/dose_response.svg" && bad "markup: raw markup in the SVG" || ok
has "$mk/out/dose_response.svg" "$escaped" && ok || bad "markup: the group is not in the SVG's title"
[ "$(grep -o '<img' "$page" | wc -l)" -eq 1 ] && ok || bad "markup: more <img> elements than the overlay"
no_fetch "$page"

# ---- 16 megapixels --------------------------------------------------------
if "$bq" simulate -q --preset kt253 --seed 3 --width 4096 --height 4096 -o "$tmp/big.tif"; then
  "$bq" analyze -q --rows MDM2,ACTB --samples "$tmp/big.samples.csv" -o "$tmp/big" "$tmp/big.tif" ||
    bad "16 MP: analyze failed"
  size=$(stat -c %s "$tmp/big/report.html")
  echo "16 MP report: $size bytes"
  [ "$size" -lt 5000000 ] && ok || bad "16 MP: report.html is $size bytes, want < 5 MB"
  read -r w h < <(sed -n 's/.*<img alt="[^"]*" width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$tmp/big/report.html")
  [ -n "$w" ] && [ $((w * h)) -le 2000000 ] && [ "$w" -ge 800 ] && ok ||
    bad "16 MP: inlined overlay ${w:-?}x${h:-?}, want at most 2 MP and at least 800 wide"
  fw=$(od -An -tu1 -j16 -N4 "$tmp/big/big.overlay.png" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  [ "$fw" -ge 4096 ] && ok || bad "16 MP: overlay file is $fw wide, want full size"
else
  bad "16 MP: simulate failed"
fi

# ---- batch: index.html ----------------------------------------------------
gels=$tmp/gels
mkdir -p "$gels/sub"
cp "$dir/kt253_mdm2_actb.tif" "$dir/kt253_mdm2_actb.samples.csv" "$gels/"
cp "$img" "$mk/in/$markup.samples.csv" "$gels/sub/"
head -c 4000 "$dir/clean.tif" > "$gels/truncated.tif"
"$bq" batch -q -j 1 --rows MDM2,ACTB -o "$tmp/bout" "$gels"
[ $? -eq 1 ] && ok || bad "batch: exit code should be 1 with a broken gel"
index=$tmp/bout/index.html
[ -s "$index" ] && ok || bad "batch: no index.html"
links=$(grep -o 'href="[^"]*report.html"' "$index" | sed 's/^href="//; s/"$//')
[ "$(printf '%s\n' "$links" | grep -c .)" -eq 2 ] && ok || bad "batch: want 2 report links, got: $links"
while IFS= read -r l; do
  [ -n "$l" ] || continue
  f=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$l")
  [ -s "$tmp/bout/$f" ] && ok || bad "batch: link $l does not lead to a report"
done <<< "$links"
reason=$(awk -F, '$1 == "truncated.tif" { print $3 }' "$tmp/bout/errors.csv")
[ -n "$reason" ] && sed -n '/<table class="errors/,/<\/table>/p' "$index" | grep -qF "$reason" && ok ||
  bad "batch: truncated.tif and its reason '$reason' not in the errors table"
has "$index" "$escaped" && ! has "$index" "$markup" && ok || bad "batch: markup not escaped in index.html"
has "$index" "DC50 $dc50 nM" && ok || bad "batch: kt253's DC50 $dc50 not in index.html"
[ "$(sed -n '/<h2>DC50 by compound/,/<\/figure>/p' "$index" | grep -c '<circle')" -eq 2 ] && ok ||
  bad "batch: the summary plot should have 2 DC50s"
no_fetch "$index"

echo "report: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
