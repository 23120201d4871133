#!/usr/bin/env bash
# The README's first command: install the dependencies, build, and quantify
# the KT-253-like MDM2 / beta-actin sample blot (band table on standard
# output, QC picture in kt253_overlay.png), then analyse it into results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build
./build/src/cli/blotquant quant --rows MDM2,ACTB --overlay kt253_overlay.png \
  sample_blots/kt253_mdm2_actb.tif
./build/src/cli/blotquant analyze --rows MDM2,ACTB \
  --samples sample_blots/kt253_mdm2_actb.samples.csv -o results \
  sample_blots/kt253_mdm2_actb.tif
