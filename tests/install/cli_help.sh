# cli_help.sh - sourced by the install tests: what `blotquant --help` and
# `blotquant COMMAND --help` say, as lists to compare the manual page and
# the shell completion with.

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
