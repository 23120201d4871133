#!/bin/sh
# regenerate.sh [BLOTQUANT] - rebuild every sample blot with the simulator.
# BLOTQUANT defaults to the executable of the build dir ../build. The output
# depends only on the options and seeds below, so running this again gives
# byte-identical files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bq=${1:-$here/../build/src/cli/blotquant}
if [ ! -x "$bq" ]; then
    echo "regenerate.sh: no blotquant executable at $bq (build first, or pass its path)" >&2
    exit 1
fi

gen() {
    name=$1
    shift
    "$bq" simulate -q "$@" -o "$here/$name.tif"
}

# Sizes are modest (the flagship kt253 blot 1000x700, the others 800x560, the
# size of a typical ChemiDoc crop) and the noise lower than the presets' so
# the folder stays under 4.5 MB: Deflate cannot compress noise. The presets
# themselves are described in README.md.
gen clean           --preset clean     --seed 101 --width 1000 --height 700
gen artefacts       --preset artefacts --seed 102 --width 800 --height 560 --noise 0.5
gen geometry        --preset geometry  --seed 103 --width 800 --height 560 --noise 0.3
gen saturated       --preset saturated --seed 104 --width 800 --height 560 --noise 0.3
gen strips          --preset strips    --seed 105 --width 800 --height 600 --noise 0.3
gen hook            --preset hook      --seed 106 --width 800 --height 560 --noise 0.2
gen kt253_mdm2_actb --preset kt253     --seed 253 --width 1000 --height 700 --noise 0.5
# two-channel (LI-COR style): twochannel.target.tif (MDM2, 800 nm) and
# twochannel.control.tif (ACTB, 700 nm) of one membrane; fluorescence, so
# bright bands on a low background
gen twochannel      --preset kt253     --seed 255 --width 800 --height 560 --noise 0.3 \
    --two-channel --offset 1500
