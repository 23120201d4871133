#!/usr/bin/env bash
# The lanes' confidence reaches the user: the JSON band table carries it,
# and quant warns on stderr when it is low. The clean sample's 12 lanes are
# a regular comb; forcing 7 lanes onto it cannot be.
bq=$1
blot=$2
fails=0
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

json=$("$bq" quant -q --format json "$blot") || bad "quant --format json failed"
conf=$(printf '%s' "$json" | head -1 | sed -n 's/.*"lanes_confidence": \([0-9.]*\).*/\1/p')
printf '%s' "$json" | head -1 | grep -q '"lanes_uncertain": false' || bad "clean blot: lanes_uncertain is not false"
# 12 evenly loaded simulated lanes: the comb is regular to well under 10 %
awk -v c="$conf" 'BEGIN { exit !(c >= 0.9 && c <= 1.0) }' || bad "clean blot: lanes_confidence '$conf' not in 0.9..1"
"$bq" quant "$blot" 2>&1 >/dev/null | grep -q "lanes uncertain" && bad "clean blot: warned lanes uncertain"

err=$("$bq" quant --lanes 7 --format json -o /dev/null "$blot" 2>&1 >/dev/null)
printf '%s' "$err" | grep -q "warning: lanes uncertain (confidence 0\.[0-4][0-9]): check the overlay" ||
  bad "7 lanes forced on 12: no 'lanes uncertain' warning: $err"
"$bq" quant -q --lanes 7 --format json "$blot" | head -1 | grep -q '"lanes_uncertain": true' ||
  bad "7 lanes forced on 12: lanes_uncertain is not true"
[ "$fails" -eq 0 ] && echo "lanes confidence: clean $conf, forced count flagged"
exit $((fails > 0))
