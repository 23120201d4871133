#!/usr/bin/env bash
# headers.sh INCLUDE_DIR MESON_BUILD - every public header under INCLUDE_DIR
# is in the install list of MESON_BUILD (include/blotquant/meson.build), and
# every header it lists exists: a header the umbrella includes but the
# install leaves out breaks every program built against the installed library.
set -uo pipefail
dir=$1 list=$2
fails=0
for h in "$dir"/*.h; do
  name=$(basename "$h")
  grep -q "'$name'" "$list" || { echo "FAIL: $name is not installed (missing from $list)"; fails=$((fails + 1)); }
done
for name in $(grep -o "'[a-z_]*\.h'" "$list" | tr -d "'"); do
  [ -e "$dir/$name" ] || { echo "FAIL: $list installs $name, which does not exist"; fails=$((fails + 1)); }
done
echo "$(ls "$dir"/*.h | wc -l) headers, $fails failures"
[ "$fails" -eq 0 ]
