#!/usr/bin/env bash
# browser.sh BLOTQUANT SAMPLE_DIR BROWSER_CHECK.py - the reports in headless
# Chromium (browser_check.py says what is checked): the KT-253-like blot's
# report with its DC50 visible and printable to PDF, a report whose image
# name and sheet carry markup (shown as text, never run), and a batch's
# index.html with a truncated TIFF among its gels. Skips (77) without
# Chromium or python3.
set -uo pipefail
bq=$1 dir=$2 check=$3
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ] || ! command -v python3 > /dev/null; then
  echo "SKIP: Chromium or python3 not installed (tools/install-deps.sh installs them)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
markup='<img src=x onerror=alert(1)>'
field() { awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } NR == 2 { print $c }' "$2"; }
run_check() { python3 "$check" "$chromium" "$@" || fails=$((fails + 1)); }

# the quick start's blot
"$bq" analyze -q --rows MDM2,ACTB --samples "$dir/kt253_mdm2_actb.samples.csv" -o "$tmp/kt" \
  "$dir/kt253_mdm2_actb.tif" || fails=$((fails + 1))
dc50=$(printf '%.4g' "$(field dc50 "$tmp/kt/fit.csv")")
run_check "$tmp/kt/report.html" --expect "DC50 $dc50 nM" --expect "Normalised table" \
  --expect "MDM2" --min-images 1 --pdf

# markup in the image's name and in every text field of the sheet
mkdir -p "$tmp/gels/sub"
cp "$dir/hook.tif" "$tmp/gels/sub/$markup.tif"
{ echo "image,lane,dose,unit,replicate,group,note"
  tail -n +2 "$dir/hook.samples.csv" |
    awk -F, -v m="$markup" '{ print m ".tif," $1 "," $2 "," $3 ",1," m "," m }'
} > "$tmp/gels/sub/$markup.samples.csv"
"$bq" analyze -q --rows MDM2,ACTB --samples "$tmp/gels/sub/$markup.samples.csv" \
  -o "$tmp/markup" "$tmp/gels/sub/$markup.tif" || fails=$((fails + 1))
dc50=$(printf '%.4g' "$(field dc50 "$tmp/markup/fit.csv")")
run_check "$tmp/markup/report.html" --expect "DC50 $dc50 nM" --injected "$markup" --min-images 1

# a batch with a broken gel
cp "$dir/kt253_mdm2_actb.tif" "$dir/kt253_mdm2_actb.samples.csv" "$tmp/gels/"
head -c 4000 "$dir/clean.tif" > "$tmp/gels/truncated.tif"
"$bq" batch -q -j 1 --rows MDM2,ACTB -o "$tmp/bout" "$tmp/gels"
run_check "$tmp/bout/index.html" --expect "truncated.tif" --expect "DC50 $dc50 nM" \
  --injected "$markup"
run_check "$tmp/bout/sub/${markup}_tif/report.html" --injected "$markup" --min-images 1

echo "browser: $fails page(s) failed"
[ "$fails" -eq 0 ]
