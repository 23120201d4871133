#!/usr/bin/env bash
# cli_errors.sh BLOTQUANT - the exit-code contract of every subcommand:
# 0 success, 1 input that cannot be processed, 2 usage error. Each failure
# case states the exit code and a line its message must contain: the option
# and the value refused, or the file at fault and what is wrong with it.
# Usage errors print nothing on standard output; a failed run leaves no file.
set -uo pipefail
bq=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

# run_case CODE TEXT ARG...: blotquant ARG... exits CODE and its stderr holds
# TEXT (a fixed string; @/ stands for the scratch folder, so NAME@KDA
# stays as written).
run_case() {
  local code=$1 text=${2//@\//$tmp/}; shift 2
  local args=() a
  for a in "$@"; do args+=("${a//@\//$tmp/}"); done
  "$bq" "${args[@]}" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "FAIL: 'blotquant ${args[*]}' exited $rc, expected $code"; cat "$tmp/err"
    fails=$((fails + 1)); return
  fi
  if [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/err"; then
    echo "FAIL: 'blotquant ${args[*]}': stderr lacks '$text':"; cat "$tmp/err"
    fails=$((fails + 1)); return
  fi
  if [ "$code" -eq 2 ] && [ -s "$tmp/out" ]; then
    echo "FAIL: 'blotquant ${args[*]}': a usage error wrote to stdout"; fails=$((fails + 1)); return
  fi
  passes=$((passes + 1))
}

# The table: CODE | TEXT | ARGUMENTS (split at blanks). A line per case.
run_table() {
  local code text args
  while IFS='|' read -r code text args; do
    code=${code// /}
    [ -z "$code" ] || [ "${code:0:1}" = "#" ] && continue
    text=${text#"${text%%[! ]*}"}
    text=${text%"${text##*[! ]}"}
    # shellcheck disable=SC2086 # the arguments are words by design
    run_case "$code" "$text" $args
  done
}

# ---- inputs ------------------------------------------------------------
"$bq" simulate -q --width 300 --height 200 --lanes 4 -o "$tmp/small.tif" ||
  { echo "FAIL: cannot simulate the test blot"; exit 1; }
mkdir "$tmp/gels" "$tmp/bad"
cp "$tmp/small.tif" "$tmp/small.samples.csv" "$tmp/gels/"
: > "$tmp/empty.tif"
echo "this is not an image" > "$tmp/text.png"
cp "$tmp/text.png" "$tmp/bad/text.png"
head -c 300 "$tmp/small.tif" > "$tmp/trunc.tif"
echo "a file, not a folder" > "$tmp/afile"
printf 'dose,response\n0,1\n0,1.02\n0.01,0.99\n0.1,0.93\n0.3,0.8\n1,0.52\n3,0.25\n10,0.12\n100,0.1\n' > "$tmp/curve.csv"
printf 'dose,response\n0,1\n1,x\n' > "$tmp/notnum.csv"
printf 'dose,response\n0,1\n1,0.5\n' > "$tmp/twodoses.csv"
printf 'a,b\n1,2\n' > "$tmp/nocol.csv"
long=$(printf 'A%.0s' $(seq 64))
many=$(seq -s, 10 10 1000)

# ---- top level and help ----------------------------------------------------
run_table <<'EOF'
2 | Usage: blotquant COMMAND       |
2 | unknown command 'frobnicate'   | frobnicate
0 |                                | --version
0 |                                | --help
0 |                                | quant --help
0 |                                | fit --help
0 |                                | analyze --help
0 |                                | batch --help
0 |                                | merge --help
0 |                                | simulate --help
EOF

# ---- quant: usage --------------------------------------------------------------
run_table <<'EOF'
2 | quant: missing IMAGE                                                    | quant
2 | quant: one IMAGE at a time                                              | quant a.tif b.tif
2 | quant: unrecognized option '--no-such-option'                           | quant --no-such-option x.tif
2 | quant: option '--lanes' requires an argument                            | quant --lanes
2 | quant: --format wants csv or json, got 'xml'                            | quant --format xml x.tif
2 | quant: --rows wants a comma list of names, got 'A,,B'                   | quant --rows A,,B x.tif
2 | quant: --rows: 'A@purple' is not NAME@KDA (a size in kDa) or NAME@CHANNEL | quant --rows A@purple,B@red x.tif
2 | quant: --rows: name rows by channel or by size, not both      | quant --rows A@red,B@42 x.tif
2 | quant: --rows: give a channel to every name or to none        | quant --rows A@red,B x.tif
2 | quant: --rows: give a size to every name or to none           | quant --rows A,B@42 x.tif
2 | quant: --rows: '@red' has no name before the '@'              | quant --rows @red,B@green x.tif
2 | quant: --lanes wants a number from 1 to 64, got '0'                     | quant --lanes 0 x.tif
2 | quant: --lanes wants a number from 1 to 64, got '3x'                    | quant --lanes 3x x.tif
2 | quant: --lanes wants a number from 1 to 64, got '65'                    | quant --lanes 65 x.tif
2 | quant: --roi wants X,Y,W,H (W and H > 0), got '1,2,3'                   | quant --roi 1,2,3 x.tif
2 | quant: --roi wants X,Y,W,H (W and H > 0), got '0,0,0,5'                 | quant --roi 0,0,0,5 x.tif
2 | quant: --page wants a page number from 1, got '0'                       | quant --page 0 x.tif
2 | quant: --background: unknown method 'magic'                             | quant --background magic x.tif
2 | quant: --channel: unknown channel 'purple'                              | quant --channel purple x.tif
2 | quant: --max-pixels wants a positive number, got '0'                    | quant --max-pixels 0 x.tif
2 | quant: --lane-centres wants a comma list of x positions, got ','        | quant --lane-centres , x.tif
2 | quant: --lane-centres: 'a' is not a pixel column (a number >= 0)        | quant --lane-centres a,b x.tif
2 | quant: --lane-centres: lane centres must increase left to right: 20 follows 30 | quant --lane-centres 30,20 x.tif
2 | quant: --lane-width wants a width in pixels (>= 1), got '0.5'           | quant --lane-width 0.5 x.tif
2 | quant: --lane-width goes with --lane-centres                            | quant --lane-width 5 x.tif
2 | quant: --lane-centres and --lanes-from both set the lanes: give one     | quant --lane-centres 10,20 --lanes-from f.csv x.tif
2 | quant: --lanes counts lanes for the detector; --lane-centres sets them  | quant --lanes 3 --lane-centres 10,20 x.tif
2 | quant: --lanes counts lanes for the detector; --lanes-from sets them    | quant --lanes 3 --lanes-from f.csv x.tif
2 | quant: --roi does not go with --lanes-from                              | quant --lanes-from f.csv --roi 1,1,5,5 x.tif
EOF
run_case 2 "quant: --rows: name too long: '$long'" quant --rows "$long,B" x.tif
run_case 2 "quant: --lane-centres: at most 64 lanes, got 100" quant --lane-centres "$many" x.tif

# ---- quant: inputs that cannot be processed ------------------------------------
run_table <<'EOF'
1 | @/missing.tif: cannot open: No such file or directory           | quant @/missing.tif
1 | @/empty.tif: not a TIFF, PNG, JPEG, Image Lab .scn or .gel file                       | quant @/empty.tif
1 | @/text.png: not a TIFF, PNG, JPEG, Image Lab .scn or .gel file                        | quant @/text.png
1 | @/trunc.tif: not a readable TIFF                                | quant @/trunc.tif
1 | @/small.tif: page 3 requested, the file has 1                   | quant --page 3 @/small.tif
1 | @/small.tif: 300x200 is 60000 pixels, more than the limit of 10 | quant --max-pixels 10 @/small.tif
1 | @/small.tif: lane centre 5000 lies outside the image (x 0..299) | quant --lane-centres 5000,6000 @/small.tif
1 | @/small.tif: lanes: region 5000,5000,10,10 lies outside the 300x200 image | quant --roi 5000,5000,10,10 @/small.tif
1 | @/missing.csv: cannot open: No such file or directory           | quant --lanes-from @/missing.csv @/small.tif
1 | @/nocol.csv:1: neither a lanes file                             | quant --lanes-from @/nocol.csv @/small.tif
1 | @/afile/o.png: cannot create: Not a directory                   | quant --overlay @/afile/o.png @/small.tif
1 | @/afile/o.csv: cannot create: Not a directory                   | quant -o @/afile/o.csv @/small.tif
1 | @/afile/l.csv: cannot create: Not a directory                   | quant --save-lanes @/afile/l.csv @/small.tif
EOF

# ---- fit ---------------------------------------------------------------------
run_table <<'EOF'
2 | fit: missing TABLE.csv                                      | fit
2 | fit: one TABLE.csv at a time                                | fit a.csv b.csv
2 | fit: unrecognized option '--bogus'                          | fit --bogus t.csv
2 | fit: --top wants a number, got 'x'                          | fit --top x t.csv
2 | fit: --bottom wants a number, got 'inf'                     | fit --bottom inf t.csv
2 | fit: --top and --bottom cannot be equal                     | fit --top 1 --bottom 1 t.csv
2 | fit: --ci wants profile or wald, got 'magic'                | fit --ci magic t.csv
2 | fit: --level wants a number in [0.5, 0.9999], got '0.3'     | fit --level 0.3 t.csv
2 | fit: --level wants a number in [0.5, 0.9999], got '1'       | fit --level 1 t.csv
2 | fit: --unit wants pM, nM, uM, mM or M, got 'parsec'         | fit --unit parsec t.csv
2 | fit: --format wants csv or json, got 'xml'                  | fit --format xml t.csv
1 | @/missing.csv: cannot open: No such file or directory       | fit @/missing.csv
1 | @/nocol.csv: no 'dose' column                               | fit @/nocol.csv
1 | @/curve.csv: no 'conc' column                               | fit --dose-col conc @/curve.csv
1 | @/curve.csv: no 'signal' column                             | fit --response-col signal @/curve.csv
1 | @/notnum.csv:3: response 'x' is not a number                | fit @/notnum.csv
1 | @/twodoses.csv: only 2 distinct doses (a 4PL fit needs at least 4) | fit @/twodoses.csv
1 | @/afile/f.csv: cannot create: Not a directory               | fit -o @/afile/f.csv @/curve.csv
1 | @/afile/f.svg: cannot create: Not a directory               | fit --plot @/afile/f.svg @/curve.csv
EOF

# ---- analyze -----------------------------------------------------------------
run_table <<'EOF'
2 | analyze: unrecognized option '--bogus'                        | analyze --bogus -o @/o x.tif
2 | analyze: missing -o DIR                                       | analyze --rows A,B x.tif
2 | analyze: missing IMAGE                                        | analyze --rows A,B -o @/o
2 | analyze: --two-channel wants images in pairs                  | analyze --two-channel --rows A,B -o @/o a.tif
2 | analyze: name the band rows with --rows TARGET,CONTROL        | analyze -o @/o x.tif
2 | analyze: name the band rows with --rows TARGET,CONTROL        | analyze --rows A -o @/o x.tif
2 | analyze: --target and --control name the same row 'A'         | analyze --target A --control A -o @/o x.tif
2 | analyze: --top wants a number, got 'x'                        | analyze --rows A,B --top x -o @/o x.tif
2 | analyze: --bottom wants a number, got 'nan'                   | analyze --rows A,B --bottom nan -o @/o x.tif
2 | analyze: --ci wants profile or wald, got 'x'                  | analyze --rows A,B --ci x -o @/o x.tif
2 | analyze: --lanes wants a number from 1 to 64, got '0'         | analyze --rows A,B --lanes 0 -o @/o x.tif
2 | analyze: --save-lanes writes the lanes of one image           | analyze --rows A,B --save-lanes l.csv -o @/o x.tif
1 | @/missing.tif: cannot open: No such file or directory         | analyze --rows MDM2,ACTB -o @/o1 @/missing.tif
1 | @/text.png: not a TIFF, PNG, JPEG, Image Lab .scn or .gel file                      | analyze --rows MDM2,ACTB -o @/o1 @/text.png
1 | @/missing.csv: cannot open: No such file or directory         | analyze --rows MDM2,ACTB --samples @/missing.csv -o @/o1 @/small.tif
1 | @/nocol.csv:1: no 'lane' column                               | analyze --rows MDM2,ACTB --samples @/nocol.csv -o @/o1 @/small.tif
1 | @/afile/o: cannot create: Not a directory                     | analyze --rows MDM2,ACTB -o @/afile/o @/small.tif
EOF

# ---- batch ---------------------------------------------------------------------
run_table <<'EOF'
2 | batch: unrecognized option '--bogus'                          | batch --bogus -o @/o @/gels
2 | batch: -j wants a number of workers from 1 to 1024, got '0'   | batch --rows A,B -j 0 -o @/o @/gels
2 | batch: -j wants a number of workers from 1 to 1024, got '2000' | batch --rows A,B -j 2000 -o @/o @/gels
2 | batch: --shard wants K/N with 1 <= K <= N, got '3/2'          | batch --rows A,B --shard 3/2 -o @/o @/gels
2 | batch: --shard wants K/N with 1 <= K <= N, got 'x'            | batch --rows A,B --shard x -o @/o @/gels
2 | batch: missing -o OUTDIR                                      | batch --rows A,B @/gels
2 | batch: missing FOLDER                                         | batch --rows A,B -o @/o
2 | batch: one FOLDER at a time                                   | batch --rows A,B -o @/o @/gels @/gels
2 | batch: name the band rows with --rows TARGET,CONTROL          | batch -o @/o @/gels
2 | batch: --ci wants profile or wald, got 'x'                    | batch --rows A,B --ci x -o @/o @/gels
2 | batch: --background: unknown method 'x'                       | batch --rows A,B --background x -o @/o @/gels
2 | batch: --save-lanes writes the lanes of one image             | batch --rows A,B --save-lanes l.csv -o @/o @/gels
1 | @/missing: not a folder                                       | batch --rows MDM2,ACTB -o @/o1 @/missing
1 | @/afile: not a folder                                         | batch --rows MDM2,ACTB -o @/o1 @/afile
1 | @/afile/o: cannot create: Not a directory                     | batch --rows MDM2,ACTB -o @/afile/o @/gels
1 | text.png: load failed: @/bad/text.png: not a TIFF, PNG, JPEG, Image Lab .scn or .gel file | batch -j 1 --rows MDM2,ACTB -o @/ob @/bad
EOF
# the failed gel is also listed in errors.csv, with its stage
if grep -qF "text.png,load,\"$tmp/bad/text.png: not a TIFF, PNG, JPEG, Image Lab .scn or .gel file\"" "$tmp/ob/errors.csv"; then
  passes=$((passes + 1))
else
  echo "FAIL: batch errors.csv does not list the failed gel:"; cat "$tmp/ob/errors.csv"; fails=$((fails + 1))
fi

# ---- merge ---------------------------------------------------------------------
run_table <<'EOF'
2 | merge: unrecognized option '--bogus'                          | merge --bogus -o @/m @/ob
2 | merge: missing -o DIR                                         | merge @/ob
2 | merge: missing SHARD_DIR                                      | merge -o @/m
1 | @/gels: not a batch output folder (no errors.csv)             | merge -o @/m @/gels
1 | @/afile/m: cannot create: Not a directory                     | merge -o @/afile/m @/ob
EOF

# ---- simulate --------------------------------------------------------------------
run_table <<'EOF'
2 | simulate: -o NAME.tif is required                             | simulate
2 | simulate: -o must name a .tif or .tiff file                   | simulate -o @/a.png
2 | simulate: unknown option '--bogus'                            | simulate --bogus -o @/a.tif
2 | simulate: option '--seed' needs a value                       | simulate --seed
2 | simulate: unexpected argument 'extra'                         | simulate -o @/a.tif extra
2 | simulate: unknown preset 'nope'                               | simulate --preset nope -o @/a.tif
2 | simulate: bad --seed '-1'                                     | simulate --seed -1 -o @/a.tif
2 | simulate: bad --seed '12x'                                    | simulate --seed 12x -o @/a.tif
2 | simulate: --width must be 64..20000, got '10'             | simulate --width 10 -o @/a.tif
2 | simulate: --height must be 64..20000, got '100000'        | simulate --height 100000 -o @/a.tif
2 | simulate: --lanes must be 2..30, got '1'                  | simulate --lanes 1 -o @/a.tif
2 | simulate: --vehicles must be 1..29, got '0'               | simulate --vehicles 0 -o @/a.tif
2 | simulate: --ladder must be left, both or none, got 'middle' | simulate --ladder=middle -o @/a.tif
2 | simulate: --rows needs 2 short names, target first, got 'A' | simulate --rows A -o @/a.tif
2 | simulate: --polarity must be bright or dark, got 'grey'   | simulate --polarity grey -o @/a.tif
2 | simulate: --dust must be 0..100000, got '-1'              | simulate --dust -1 -o @/a.tif
2 | simulate: --band-sigma must be a number in 1..30, got '0' | simulate --band-sigma 0 -o @/a.tif
2 | simulate: --adc-step must be 1..256, got '0'              | simulate --adc-step 0 -o @/a.tif
2 | simulate: --strips must be 1 or 2, got '3'                | simulate --strips 3 -o @/a.tif
2 | simulate: --compression wants none, deflate or lzw, got 'zip' | simulate --compression zip -o @/a.tif
2 | simulate: --margin must be a number in 0..0.3, got '0.5'  | simulate --margin 0.5 -o @/a.tif
2 | simulate: --dc50 must be a number in 1e-09..1e+09, got '0' | simulate --dc50 0 -o @/a.tif
2 | simulate: --two-channel scans are fluorescence: not --polarity dark | simulate --two-channel --polarity dark -o @/a.tif
2 | simulate: vehicle lanes 4 must be 1..lanes-1                  | simulate --lanes 4 --vehicles 4 -o @/a.tif
1 | @/afile/a.truth.csv: cannot create: Not a directory           | simulate -o @/afile/a.tif
EOF

# ---- a failed run neither creates nor clobbers its output --------------------
echo "precious" > "$tmp/keep.csv"
run_case 1 "$tmp/text.png: not a TIFF" quant -o "$tmp/keep.csv" "$tmp/text.png"
if [ "$(cat "$tmp/keep.csv")" != "precious" ]; then
  echo "FAIL: output clobbered on failure"; fails=$((fails + 1))
fi
run_case 1 "$tmp/text.png: not a TIFF" quant -o "$tmp/new.csv" "$tmp/text.png"
if [ -e "$tmp/new.csv" ] || ls "$tmp"/new.csv.bq-tmp.* > /dev/null 2>&1; then
  echo "FAIL: output or temp file left behind on failure"; fails=$((fails + 1))
fi
for f in "$tmp/o" "$tmp/m" "$tmp/a.tif" "$tmp/a.truth.csv"; do
  if [ -e "$f" ]; then echo "FAIL: a refused command created $f"; fails=$((fails + 1)); fi
done

echo "$passes passed, $fails failed"
# a table that stopped being read (a quoting slip) must not pass as success
if [ "$passes" -lt 130 ]; then
  echo "FAIL: only $passes cases ran"; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
