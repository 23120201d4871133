#!/usr/bin/env bash
# symbols.sh LIB.so LIB.a INCLUDE_DIR CC... - the shared library exports
# exactly the public API: every dynamic symbol is a bq_ (or BQ_ constant)
# name declared with BQ_API in a public header, every such declaration is
# exported, and no function of the library that a public header names was
# left without BQ_API (it would be hidden from users); the static library
# defines no global name without the prefix. Every public header
# that declares something is usable from C++ (extern "C").
set -uo pipefail
so=$1 ar=$2 inc=$3
shift 3
cc=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/common.sh"

# The public headers with BQ_API turned into a marker, comments gone.
for h in "$inc"/blotquant/*.h; do
  "${cc[@]}" -E -P -x c -DBQ_API=BQ_API_MARK -I "$inc" "$h" || fail "$h does not preprocess" >&2
done > "$tmp/headers.i"

# The name each marked declaration declares: its first identifier followed
# by '(' (a function) or '[' (an array).
tr '\n' ' ' < "$tmp/headers.i" | tr ';' '\n' | awk '
  sub(/.*BQ_API_MARK/, "") && match($0, /[A-Za-z_][A-Za-z0-9_]*[ \t]*[[(]/) {
    name = substr($0, RSTART, RLENGTH - 1); sub(/[ \t]+$/, "", name); print name
  }' | sort -u > "$tmp/declared"

# A sanitizer build adds its own symbols (AddressSanitizer's __odr_asan.NAME
# for each exported variable); they are the compiler's, not the API.
nm -D --defined-only "$so" | awk '{ print $NF }' |
  grep -vE '^__(odr_asan|asan|ubsan|tsan|sanitizer)' | sort -u > "$tmp/exported"
nm -g --defined-only "$ar" 2> /dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/defined"
# Every identifier of the headers outside comments (preprocessing drops them).
grep -oE '[A-Za-z_][A-Za-z0-9_]*' "$tmp/headers.i" | sort -u > "$tmp/words"

[ -s "$tmp/declared" ] || fail "no BQ_API declarations found under $inc"
[ -s "$tmp/exported" ] || fail "$so exports nothing"

fail_each "$so exports {}, which is not a bq_ name" < <(grep -vE '^(bq_|BQ_)' "$tmp/exported")
# The static library's global names all carry the prefix too: a user's own
# function of the same name would clash with it in a static link.
fail_each "$ar defines the global {}, which is not a bq_ name" \
  < <(grep -vE '^(bq_|BQ_|__(odr_asan|asan|ubsan|tsan|sanitizer))' "$tmp/defined")
fail_each "$so exports {}, which no public header declares with BQ_API" \
  < <(comm -23 "$tmp/exported" "$tmp/declared")
fail_each "{} is declared with BQ_API but $so does not export it" \
  < <(comm -13 "$tmp/exported" "$tmp/declared")
# A library function that a public header names must be marked, or users
# could not link it.
fail_each "{} is defined in the library and named in a public header, but not marked BQ_API" \
  < <(comm -12 "$tmp/defined" "$tmp/words" | comm -23 - "$tmp/declared")

for h in "$inc"/blotquant/*.h; do
  grep -q '^BQ_API ' "$h" || continue
  grep -q 'extern "C"' "$h" || fail "$h declares functions but has no extern \"C\" block for C++"
done

echo "$(wc -l < "$tmp/exported") exported, $(wc -l < "$tmp/declared") declared; $fails failures"
[ "$fails" -eq 0 ]
