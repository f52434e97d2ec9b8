#!/bin/sh
# The README's options table lists exactly the options of libcheck/options.def, with their defaults.
set -eu
top=$1
def="$top/libcheck/options.def"
readme="$top/README.md"
fail=0
names=$(sed -n 's/^LC_OPTION([a-z]*, *\([a-z_]*\),.*/\1/p' "$def")
[ -n "$names" ] || { echo "FAIL: no options found in $def"; exit 1; }
for n in $names; do
  default=$(sed -n "s/^LC_OPTION([a-z]*, *$n, *\"\{0,1\}\([^\",]*\)\"\{0,1\},.*/\1/p" "$def")
  row=$(grep -F "| \`$n\` |" "$readme" || true)
  if [ -z "$row" ]; then echo "FAIL: option $n is missing from README.md"; fail=1; continue; fi
  if [ -n "$default" ] && ! printf '%s' "$row" | grep -qF "\`$default\`"; then
    echo "FAIL: README.md gives option $n another default than $default: $row"; fail=1
  fi
done
rows=$(grep -c '^| `[a-z_]*` | \(bool\|int\|str\) |' "$readme")
count=$(printf '%s\n' $names | wc -l)
[ "$rows" -eq "$count" ] || { echo "FAIL: README.md has $rows option rows, options.def has $count options"; fail=1; }
[ $fail -eq 0 ] && echo "ok: $count options documented"
exit $fail
