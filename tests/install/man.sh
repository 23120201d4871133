#!/usr/bin/env bash
# man.sh BLOTQUANT MANPAGE - the manual page documents the CLI as it is: the
# commands of `blotquant --help` are those of the page's COMMANDS section,
# and for each command every option its --help mentions is an item of the
# page's OPTIONS section under a heading naming that command, and every
# such item is mentioned by its --help. The page renders without warnings.
set -uo pipefail
bq=$1 man=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/common.sh"

commands_of "$bq" > "$tmp/commands.help"

# The page with troff's escapes for '-' and fonts taken out.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$man" > "$tmp/page"

awk '/^\.SH/ { on = ($2 == "COMMANDS") } on && prev == ".TP" && /^\.B / { print $2 } { prev = $1 }' \
  "$tmp/page" | sort > "$tmp/commands.man"
[ -s "$tmp/commands.help" ] || fail "no commands in blotquant --help"
diff "$tmp/commands.help" "$tmp/commands.man" > "$tmp/diff" ||
  fail "commands of --help (<) and of the COMMANDS section (>) differ: $(tr '\n' ' ' < "$tmp/diff")"

# Each item's tag line under OPTIONS, prefixed with the commands of its heading
# (".SS \"quant, analyze, batch: lanes and bands\"" -> "quant analyze batch").
awk '
  /^\.SH/ { on = ($2 == "OPTIONS"); next }
  !on { next }
  /^\.SS/ { h = $0; sub(/^\.SS "?/, "", h); sub(/:.*/, "", h); gsub(/,/, " ", h); next }
  prev == ".TP" { print h "\t" $0 }
  { prev = $1 }' "$tmp/page" > "$tmp/items"

while read -r cmd; do
  "$bq" "$cmd" --help > "$tmp/$cmd.help" 2>&1 || fail "blotquant $cmd --help exited $?"
  options_of < "$tmp/$cmd.help" > "$tmp/$cmd.opts.help"
  awk -F '\t' -v cmd="$cmd" '{ n = split($1, c, " "); for (i = 1; i <= n; i++) if (c[i] == cmd) print $2 }' \
    "$tmp/items" | options_of > "$tmp/$cmd.opts.man"
  [ -s "$tmp/$cmd.opts.man" ] || fail "the OPTIONS section has no heading naming $cmd"
  fail_each "blotquant $cmd --help mentions {}, the man page does not document it for $cmd" \
    < <(comm -23 "$tmp/$cmd.opts.help" "$tmp/$cmd.opts.man")
  fail_each "the man page documents {} for $cmd, blotquant $cmd --help does not mention it" \
    < <(comm -13 "$tmp/$cmd.opts.help" "$tmp/$cmd.opts.man")
done < "$tmp/commands.help"

for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" EXAMPLES; do
  grep -qE "^\.SH \"?$section\"?\$" "$man" || fail "the man page has no $section section"
done
for code in 0 1 2; do
  awk '/^\.SH/ { on = ($0 ~ /EXIT STATUS/) } on' "$man" | grep -qx "\.B $code" ||
    fail "EXIT STATUS does not describe exit code $code"
done

if command -v groff > /dev/null; then
  groff -man -Tutf8 -ww -z "$man" 2> "$tmp/groff" || fail "groff cannot render $man"
  [ -s "$tmp/groff" ] && fail "groff warns about $man: $(head -n 5 "$tmp/groff")"
fi

echo "$(wc -l < "$tmp/commands.help") commands checked; $fails failures"
[ "$fails" -eq 0 ]
