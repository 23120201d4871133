#!/usr/bin/env bash
# completion.sh BLOTQUANT COMPLETION - the bash completion, sourced into
# bash, completes the commands of `blotquant --help`, for each command
# exactly the options its --help mentions, and the values of options with a
# fixed set of words; bash-completion's loader, when installed, finds it.
set -uo pipefail
bq=$1 completion=$2
. "$(dirname "$0")/common.sh"

# shellcheck source=/dev/null
. "$completion" || fail "$completion cannot be sourced"
fn=$(complete -p blotquant 2> /dev/null | sed -nE 's/.*-F ([^ ]+).*/\1/p')
[ -n "$fn" ] || { fail "$completion registers no completion function for blotquant"; exit 1; }

# complete WORD... - what bash offers for the last word of "blotquant WORD...",
# one per line, sorted.
complete_line() {
  COMP_WORDS=(blotquant "$@")
  COMP_CWORD=$#
  COMP_LINE="blotquant $*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  "$fn" blotquant "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() { # expect EXPECTED-LINES WORD... (the last word is the one completed)
  local want=$1 got
  shift
  got=$(complete_line "$@")
  [ "$got" = "$want" ] || fail "blotquant $*<TAB>: offers [$(echo $got)]," \
    "missing [$(comm -13 <(echo "$got") <(echo "$want") | xargs)]," \
    "unexpected [$(comm -23 <(echo "$got") <(echo "$want") | xargs)]"
}

commands=$(commands_of "$bq")
[ -n "$commands" ] || fail "no commands in blotquant --help"
expect "$(printf '%s\n' $commands --help --version | sort)" ""
expect "quant" qu
expect "--version" --v

for cmd in $commands; do
  expect "$("$bq" "$cmd" --help | options_of)" "$cmd" -
done

expect "--overlay" quant --rows MDM2,ACTB --ov
expect "$(printf '%s\n' auto border-median none rolling-ball)" quant --background ""
expect "wald" fit --ci w
expect "kt253" simulate --preset k
expect "json" analyze --format j
# a value that is not a fixed word, and a non-option word, complete as files
expect "" quant --rows ""
expect "" quant bl

# With the bash-completion package, its loader finds the file under the
# name and in the directory meson installs it to.
loader=/usr/share/bash-completion/bash_completion
if [ -r "$loader" ]; then
  xdg=$(mktemp -d)
  mkdir -p "$xdg/bash-completion/completions"
  cp "$completion" "$xdg/bash-completion/completions/blotquant"
  XDG_DATA_DIRS=$xdg bash -c '. "$1" && __load_completion blotquant && complete -p blotquant' \
    _ "$loader" 2>&1 | grep -q -- "-F $fn blotquant" ||
    fail "bash-completion does not load $completion as bash-completion/completions/blotquant"
  rm -rf "$xdg"
else
  echo "bash-completion not installed: its loader is not tried"
fi

echo "$fails failures"
[ "$fails" -eq 0 ]
