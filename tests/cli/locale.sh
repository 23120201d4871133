#!/usr/bin/env bash
# locale.sh BLOTQUANT PIPELINE SAMPLE_BLOTS FIT_DATA - numbers are read and
# written in the C locale whatever the locale: the command (quant, fit,
# analyze) and a program that embeds the library after setlocale(LC_ALL, "")
# (PIPELINE, locale_pipeline.c) give byte-identical files under
# LC_ALL=de_DE.UTF-8 (decimal comma) and LC_ALL=C. The German locale must
# exist: in CI (CI set) its absence fails the test, elsewhere it skips.
set -uo pipefail
bq=$1 pipeline=$2 blots=$3 data=$4
de=de_DE.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

if ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then
  if [ -n "${CI:-}" ]; then
    echo "FAIL: locale $de is not installed (tools/install-deps.sh generates it)"
    exit 1
  fi
  echo "SKIP: locale $de is not installed (run tools/install-deps.sh)"
  exit 77
fi

blot=$blots/hook.tif
[ -f "$blot" ] || blot=$blots/clean.tif
run() { # LOCALE OUTDIR
  local loc=$1 out=$2
  mkdir -p "$out/an" "$out/lib"
  LC_ALL=$loc "$bq" quant --rows MDM2,ACTB -o "$out/bands.csv" "$blot" 2>"$out/quant.err" ||
    bad "$loc: quant failed"
  LC_ALL=$loc "$bq" fit "$data/ryegrass.csv" >"$out/fit.csv" 2>"$out/fit.err" ||
    bad "$loc: fit failed"
  LC_ALL=$loc "$bq" analyze -q --rows MDM2,ACTB --samples "${blot%.tif}.samples.csv" \
    -o "$out/an" "$blot" >"$out/analyze.out" 2>&1 || bad "$loc: analyze failed"
  rm -f "$out/an/run.json" # records the command line and paths, which differ
  # the report's command line and time differ too; its numbers must not
  sed -i '/^<p>Command: /d; /^<p>blotquant .*, written /d' "$out/an/report.html"
  LC_ALL=$loc "$pipeline" "$blot" "$data/ryegrass.csv" "$out/lib" >"$out/point" 2>&1 ||
    bad "$loc: library pipeline failed: $(cat "$out/point")"
}
run C "$tmp/c"
run "$de" "$tmp/de"
[ "$(head -1 "$tmp/de/point")" = "," ] || bad "$de did not give a decimal comma to the program"
grep -q '0\.[0-9]' "$tmp/c/lib/fit.csv" || bad "no decimal numbers in fit.csv to compare"
n=0
while IFS= read -r f; do
  rel=${f#"$tmp/c/"}
  [ "$rel" = point ] && continue
  n=$((n + 1))
  cmp -s "$f" "$tmp/de/$rel" || bad "$rel differs between C and $de: $(diff "$f" "$tmp/de/$rel" | head -4)"
done < <(find "$tmp/c" -type f | sort)
[ "$fails" -eq 0 ] && echo "locale: $n files identical under C and $de"
exit $((fails > 0))
