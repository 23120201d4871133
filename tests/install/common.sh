# common.sh - sourced by the install tests: failure counting, and what
# `blotquant --help` and `blotquant COMMAND --help` say, as lists to compare
# the manual page and the shell completion with.

fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# fail_each MESSAGE: one failure per line of standard input, "{}" in MESSAGE
# standing for the line. Feed it with < <(...), not a pipe, so the count stays.
fail_each() {
  local line
  while read -r line; do
    fail "${1//\{\}/$line}"
  done
}

# Option tokens of standard input, one per line, sorted: -x or --word at the
# start or after a space, a comma or a parenthesis (so that "dose-response"
# is not an option).
options_of() {
  grep -oE '(^|[ ,(])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[ ,(]//' | sort -u
}

# The commands `BLOTQUANT --help` lists under "Commands:", sorted.
commands_of() {
  "$1" --help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }' | sort
}
