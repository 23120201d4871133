#!/bin/bash
# cli_simulate.sh BLOTQUANT DIR - `blotquant simulate` writes its four files,
# is deterministic, and refuses bad options with exit 2 and no output.
bq=$1
dir=$2/cli_sim
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fail=0
check() { # description, command status
    if [ "$2" != 0 ]; then echo "FAIL: $1"; fail=1; fi
}

"$bq" simulate -q --preset kt253 --seed 4 -o "$dir/a.tif"
check "kt253 run exits 0" $?
for f in a.tif a.truth.csv a.samples.csv a.params.csv; do
    test -s "$dir/$f"; check "$f written" $?
done
head -1 "$dir/a.truth.csv" | grep -qx 'lane,row,protein,dose,unit,x_center,x_left,x_right,y_center,y_top,y_bottom,volume,saturated,ladder'
check "truth header" $?
head -1 "$dir/a.samples.csv" | grep -qx 'lane,dose,unit'
check "samples header" $?
test "$(tail -n +2 "$dir/a.samples.csv" | wc -l)" = 11
check "kt253 has 11 sample lanes" $?
grep -qx 'dc50,0.4' "$dir/a.params.csv"; check "params record dc50" $?
grep -qx 'polarity,dark' "$dir/a.params.csv"; check "params record polarity" $?
ls "$dir" | grep -q tmp; test $? = 1; check "no temporary files left" $?

# knobs override the preset whatever their order
"$bq" simulate -q --lanes 6 --preset clean --noise 0.5 --polarity dark -o "$dir/b.tif"
check "knobs before preset" $?
test "$(tail -n +2 "$dir/b.samples.csv" | wc -l)" = 6; check "--lanes 6 kept" $?
grep -qx 'noise,0.5' "$dir/b.params.csv"; check "--noise kept" $?

"$bq" simulate -q --preset hard --labels --band-sigma 8 --adc-step 16 -o "$dir/h.tif"
check "hard with labels" $?
grep -qx 'labels,1' "$dir/h.params.csv"; check "labels recorded" $?

# determinism through the CLI
"$bq" simulate -q --preset artefacts --seed 9 -o "$dir/c1.tif" &&
"$bq" simulate -q --preset artefacts --seed 9 -o "$dir/c2.tif" &&
"$bq" simulate -q --preset artefacts --seed 10 -o "$dir/c3.tif"
check "determinism runs" $?
cmp -s "$dir/c1.tif" "$dir/c2.tif"; check "same seed, same file" $?
cmp -s "$dir/c1.tif" "$dir/c3.tif"; test $? = 1; check "different seed, different file" $?

"$bq" simulate --help | grep -q -- '--smile'; check "--help lists knobs" $?

# two-channel: a pair of scans instead of NAME.tif; a dark preset turns bright
"$bq" simulate -q --preset kt253 --two-channel --width 640 --height 448 --seed 3 -o "$dir/tc.tif"
check "two-channel run exits 0" $?
for f in tc.target.tif tc.control.tif tc.truth.csv tc.samples.csv tc.params.csv; do
    test -s "$dir/$f"; check "two-channel $f written" $?
done
test ! -e "$dir/tc.tif"; check "two-channel writes no tc.tif" $?
grep -qx 'two_channel,yes' "$dir/tc.params.csv"; check "params record two_channel" $?
grep -qx 'target_file,tc.target.tif' "$dir/tc.params.csv"; check "params name the target scan" $?
grep -qx 'control_file,tc.control.tif' "$dir/tc.params.csv"; check "params name the control scan" $?
grep -qx 'polarity,bright' "$dir/tc.params.csv"; check "two-channel is bright" $?
test "$(tail -n +2 "$dir/tc.samples.csv" | wc -l)" = 11; check "two-channel sample sheet" $?
cmp -s "$dir/tc.target.tif" "$dir/tc.control.tif"; test $? = 1; check "the scans differ" $?
"$bq" simulate -q --preset clean -o "$dir/one.tif" && grep -qx 'two_channel,no' "$dir/one.params.csv"
check "one picture records two_channel,no" $?
"$bq" simulate --help | grep -q -- '--two-channel'; check "--help lists --two-channel" $?

# usage errors: exit 2, nothing written
bad() {
    rm -f "$dir"/u.*
    "$bq" simulate "$@" 2>/dev/null
    rc=$?
    if [ $rc != 2 ]; then echo "FAIL: exit $rc, want 2: simulate $*"; fail=1; fi
    if ls "$dir"/u.* >/dev/null 2>&1; then echo "FAIL: files written by: simulate $*"; fail=1; fi
}
bad --lanes 1 -o "$dir/u.tif"
bad --lanes 31 -o "$dir/u.tif"
bad --lanes 5x -o "$dir/u.tif"
bad --preset nope -o "$dir/u.tif"
bad --tilt abc -o "$dir/u.tif"
bad --tilt 9 -o "$dir/u.tif"
bad --dmax 1.5 -o "$dir/u.tif"
bad --polarity grey -o "$dir/u.tif"
bad --ladder=middle -o "$dir/u.tif"
bad --seed -3 -o "$dir/u.tif"
bad --strips 3 -o "$dir/u.tif"
bad --vehicles 12 -o "$dir/u.tif"
bad --bogus -o "$dir/u.tif"
bad -o "$dir/u.png"
bad --preset clean
bad -o "$dir/u.tif" extra
bad --noise
bad --seed 99999999999999999999999 -o "$dir/u.tif"
bad --width 20000 --height 20000 -o "$dir/u.tif"
bad --adc-step 0 -o "$dir/u.tif"
bad --band-sigma 100 -o "$dir/u.tif"
bad --two-channel --polarity dark -o "$dir/u.tif"
bad --polarity dark --two-channel -o "$dir/u.tif"
bad --two-channel --width 6000 --height 4000 -o "$dir/u.tif"
# a directory that does not exist: exit 1
"$bq" simulate -q -o "$dir/missing/x.tif" 2>/dev/null
test $? = 1; check "unwritable output exits 1" $?

exit $fail
