#!/usr/bin/env bash
# Outputs named by a device or a named pipe are written in place: the table
# and the overlay reach the reader, and the pipe is still a pipe afterwards
# (a temporary renamed over it would replace it with a file; run as root on
# -o /dev/null that replaced the device).
bq=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { :; }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

"$bq" simulate -q --preset clean --seed 3 -o "$tmp/blot.tif" || bad "simulate"
mkfifo "$tmp/table.pipe" "$tmp/overlay.pipe"
cat "$tmp/table.pipe" > "$tmp/table.csv" &
reader1=$!
cat "$tmp/overlay.pipe" > "$tmp/overlay.png" &
reader2=$!
timeout 60 "$bq" quant -q --rows MDM2,ACTB -o "$tmp/table.pipe" --overlay "$tmp/overlay.pipe" "$tmp/blot.tif"
rc=$?
# a reader still waiting means nothing was written into its pipe
sleep 1
for r in "$reader1" "$reader2"; do
  kill -0 "$r" 2> /dev/null && { kill "$r"; bad "a pipe was never written (reader $r still waiting)"; }
done
wait
[ "$rc" -eq 0 ] && ok || bad "quant into pipes exited $rc"
[ -p "$tmp/table.pipe" ] && ok || bad "the table pipe is no longer a pipe"
[ -p "$tmp/overlay.pipe" ] && ok || bad "the overlay pipe is no longer a pipe"
head -1 "$tmp/table.csv" | grep -q '^image,lane,band,protein,' && ok || bad "the table did not come through the pipe"
[ "$(head -c 8 "$tmp/overlay.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && ok ||
  bad "the overlay did not come through the pipe as a PNG"
ls "$tmp" | grep -q tmp && bad "a temporary was left beside the pipes: $(ls "$tmp")" || ok
# A TIFF needs seeking, so a device cannot take one in place, but the
# writer must refuse it cleanly (libtiff was handed a NULL name and crashed).
ln -s /dev/null "$tmp/null.tif"
timeout 60 "$bq" simulate -q --preset clean --seed 3 --width 128 --height 96 --lanes 4 \
  -o "$tmp/null.tif" 2> "$tmp/tiff.err"
rc=$?
[ "$rc" -le 1 ] && ok || bad "simulate -o a link to /dev/null exited $rc"
[ "$rc" -eq 0 ] || grep -q "^blotquant: $tmp/null.tif: " "$tmp/tiff.err" && ok ||
  bad "simulate -o a link to /dev/null: no message naming the file: $(cat "$tmp/tiff.err")"
[ -c /dev/null ] && ok || bad "/dev/null is no longer a device"
[ "$fails" -eq 0 ] && echo "special targets: pipes written in place, still pipes; a TIFF into a device refused cleanly"
exit $((fails > 0))
