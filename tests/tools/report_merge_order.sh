#!/bin/sh
# heapcheck-report merge: many processes with the same leak give every pid once.
. "$HC_TESTLIB"

case_ "many processes, one leak: every pid once, summed in any order"
i=0
while [ $i -lt 120 ]; do
    sed "s/\"pid\": 1002,/\"pid\": $((5000 + i)),/" "$FIX/leak2.json" >"$W/many.$i.json"
    i=$((i + 1))
done
report merge -o "$W/many.json" "$W"/many.*.json "$W"/many.0.json
expect_rc 0
report show "$W/many.json"
expect_out "merged from 120 processes (pids 5000, "
expect_count 2 "occurrences: 121 (pids "
cat >"$W/many-expect.json" <<'JSON'
[ { "kind": "leak-definite", "fingerprint": "0b8e7f6a1c2d3e4f", "count": 1, "bytes": 11616,
    "blocks": 363 } ]
JSON
report check --expect "$W/many-expect.json" "$W/many.json"
expect_rc 0
n=$(tr ',' '\n' <"$W/many.json" | grep -c '^ *5[0-9]\{3\}$' || true)
[ "$n" -eq 360 ] || fail "the pids lists hold $n pids, expected 120 in each of three"

finish
