#!/bin/sh
# The README's options table says what libcheck/options.def says: one row per option, in its order, with its
# type, default, the values it takes (range, words, length), what secure execution does with it, and its help.
#
#   readme_options.sh TOP            compare README.md's rows with the ones options.def gives
#   readme_options.sh TOP --print    print the rows options.def gives (to paste into README.md)
set -eu
top=$1
def="$top/libcheck/options.def"
readme="$top/README.md"
strmax=$(sed -n 's/^#define LC_OPTION_STR_MAX \([0-9][0-9]*\).*/\1/p' "$top/libcheck/options.h")
[ -n "$strmax" ] || { echo "FAIL: no LC_OPTION_STR_MAX in libcheck/options.h"; exit 1; }

expected=$(awk -v strmax="$strmax" '
  function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
  function unquote(s) { if (s ~ /^".*"$/) s = substr(s, 2, length(s) - 2); return s }
  # The first n comma-separated fields of the macro call on this line into f[1..n], the rest into f[n+1].
  function fields(line, n,    i, p) {
    line = substr(line, index(line, "(") + 1)
    for (i = 1; i <= n; i++) { p = index(line, ","); f[i] = trim(substr(line, 1, p - 1)); line = substr(line, p + 1) }
    f[n + 1] = trim(line)
  }
  /^LC_WORD\(/ || /^LC_ALIAS\(/ {
    fields($0, 2); w = f[3]; sub(/\).*$/, "", w); w = "`" trim(w) "`"
    if ($0 ~ /^LC_WORD/) { words[f[1]] = nwords[f[1]]++ ? words[f[1]] ", " w : w }
    else { aliases[f[1]] = naliases[f[1]]++ ? aliases[f[1]] ", " w : w }
    next
  }
  /^LC_OPTION\(/ {
    fields($0, 6)
    type = f[1]; name = f[2]; def = unquote(f[3]); min = f[4]; max = f[5]; secure = f[6]
    help = f[7]; sub(/\)[ \t]*$/, "", help); help = unquote(help)
    if (type == "bool") values = "`0`, `1`"
    else if (type == "int") values = "`" min "` to `" max "`"
    else if (type == "enum") values = words[name] (naliases[name] ? " (or " aliases[name] ")" : "")
    else if (type == "list") values = "comma-separated " words[name] ", or empty"
    else values = "up to " (strmax - 1) " bytes"
    printf "| `%s` | %s | %s | %s | %s | %s |\n", name, type, def == "" ? "(empty)" : "`" def "`", values,
           secure == "taken" ? "taken" : "ignored (" secure ")", help
  }' "$def")

if [ "${2:-}" = "--print" ]; then printf '%s\n' "$expected"; exit 0; fi

count=$(printf '%s\n' "$expected" | grep -c '^| `')
[ "$count" -ge 29 ] || { echo "FAIL: only $count options read from $def"; exit 1; }
# Every row of the README that names an option in its first cell, in order.
actual=$(grep '^| `[a-z_]*` |' "$readme" || true)
if [ "$actual" != "$expected" ]; then
  echo "FAIL: README.md's options table differs from libcheck/options.def (- README, + options.def):"
  tmp=$(mktemp -d)
  printf '%s\n' "$actual" >"$tmp/readme"
  printf '%s\n' "$expected" >"$tmp/def"
  diff -u "$tmp/readme" "$tmp/def" | tail -n +3 || true
  rm -rf "$tmp"
  echo "(tests/docs/readme_options.sh TOP --print prints the rows)"
  exit 1
fi
echo "ok: $count options documented"
