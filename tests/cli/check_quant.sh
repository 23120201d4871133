#!/usr/bin/env bash
# check_quant.sh BLOTQUANT IMAGE TOL_PP [QUANT_OPTION...] - quantify a
# simulated blot (the options go to quant) and compare with its ground truth
# (IMAGE minus .tif + .truth.csv / .samples.csv):
#   - the lane count equals the truth's and every lane centre is within a
#     quarter of the lane width of the truth;
#   - every band whose truth is saturated is flagged saturated, no other is;
#   - MDM2/ACTB relative abundance (lane ratio / vehicle ratio) is within
#     TOL_PP percentage points of the truth in every lane whose ACTB band is
#     not saturated.
set -euo pipefail
bq=$1 img=$2 tol=$3
shift 3
base=${img%.tif}
truth=$base.truth.csv
samples=$base.samples.csv
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$bq" quant -q --rows MDM2,ACTB "$@" "$img" > "$out"

awk -F, -v tol="$tol" -v name="$(basename "$img")" '
function col(name, hdr,   i) { for (i = 1; i <= NF; i++) if ($i == name) { hdr[name] = i; return } ; print name ": missing column " name > "/dev/stderr"; exit 2 }
FNR == 1 { file++ }
file == 1 && FNR == 1 { col("lane", T); col("protein", T); col("volume", T); col("saturated", T); col("x_center", T); col("x_left", T); col("x_right", T); col("ladder", T); next }
file == 1 {
  l = $T["lane"]; p = $T["protein"]
  tvol[l, p] = $T["volume"]; tsat[l, p] = $T["saturated"]; tx[l] = $T["x_center"]; tw[l] = $T["x_right"] - $T["x_left"]
  if (l > tlanes) tlanes = l
  if ($T["ladder"] == 1) ladder[l] = 1
  next
}
file == 2 && FNR == 1 { col("lane", S); col("dose", S); next }
file == 2 { dose[$S["lane"]] = $S["dose"]; next }
file == 3 && FNR == 1 { col("lane", B); col("protein", B); col("net_volume", B); col("flags", B); col("x_left", B); col("x_right", B); next }
file == 3 {
  l = $B["lane"]; p = $B["protein"]
  net[l, p] = $B["net_volume"]; bflag[l, p] = $B["flags"]
  bx[l] = ($B["x_left"] + $B["x_right"]) / 2
  if (l > blanes) blanes = l
  next
}
END {
  fail = 0
  if (blanes != tlanes) { printf "%s: %d lanes found, truth has %d\n", name, blanes, tlanes; exit 1 }
  for (l = 1; l <= tlanes; l++) {
    d = bx[l] - tx[l]; if (d < 0) d = -d
    if (d > tw[l] / 4) { printf "%s: lane %d centre %.1f, truth %.1f\n", name, l, bx[l], tx[l]; fail = 1 }
    for (k = 1; k <= 2; k++) {
      p = k == 1 ? "MDM2" : "ACTB"
      if (ladder[l] || !((l, p) in tvol)) continue
      flagged = index(bflag[l, p], "saturated") > 0
      if (flagged != (tsat[l, p] == 1)) { printf "%s: lane %d %s saturated flag %d, truth %d\n", name, l, p, flagged, tsat[l, p]; fail = 1 }
    }
  }
  # vehicle reference ratios (ACTB must be usable)
  nv = 0; sv = 0; stv = 0
  for (l = 1; l <= tlanes; l++) if ((l in dose) && dose[l] == 0 && !ladder[l] && !tsat[l, "ACTB"]) {
    nv++; sv += net[l, "MDM2"] / net[l, "ACTB"]; stv += tvol[l, "MDM2"] / tvol[l, "ACTB"]
  }
  if (nv == 0) { printf "%s: no usable vehicle lane\n", name; exit 1 }
  worst = 0; n = 0
  for (l = 1; l <= tlanes; l++) {
    if (ladder[l] || !(l in dose) || tsat[l, "ACTB"] || tsat[l, "MDM2"]) continue
    rel = (net[l, "MDM2"] / net[l, "ACTB"]) / (sv / nv)
    trel = (tvol[l, "MDM2"] / tvol[l, "ACTB"]) / (stv / nv)
    e = 100 * (rel - trel); if (e < 0) e = -e
    if (e > worst) worst = e
    n++
    if (e > tol) { printf "%s: lane %d relative abundance %.4f, truth %.4f (%.2f pp > %.2f)\n", name, l, rel, trel, e, tol; fail = 1 }
  }
  printf "%s: %d lanes, %d compared, max error %.2f pp (tolerance %.2f)\n", name, tlanes, n, worst, tol
  exit fail
}' "$truth" "$samples" "$out"
