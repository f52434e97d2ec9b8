#!/bin/sh
# heapcheck-report merge: the verdict never depends on the order of the inputs. A leak suppressed
# in one process and not in another stays two findings (the unsuppressed one still fails the
# gate); many processes with the same leak give every pid once.
. "$HC_TESTLIB"

# verdict R: the gate's exit status and its result line
verdict() {
    report check "$1"
    printf '%s %s\n' "$RC" "$(grep '^check ' "$OUT" | sed 's/^check [^:]*: //')"
}

case_ "hand-written: suppressed in one report, not in the other, merged both ways"
sed 's/"suppressed_by": null/"suppressed_by": "leak:parse_args"/' "$FIX/leak2.json" >"$W/leak2-supp.json"
report merge -o "$W/ab.json" "$W/leak2-supp.json" "$FIX/leak2.json"
expect_rc 0
report merge -o "$W/ba.json" "$FIX/leak2.json" "$W/leak2-supp.json"
expect_rc 0
a=$(verdict "$W/ab.json") b=$(verdict "$W/ba.json")
[ "$a" = "$b" ] || fail "merge order changes the verdict: '$a' against '$b'"
case $a in 1\ FAILED:\ 0\ errors,\ 2\ leaks*) ;; *) fail "the unsuppressed leaks do not fail the gate: '$a'" ;; esac
for m in ab ba; do
    cat >"$W/expect.json" <<'JSON'
[ { "kind": "leak-definite", "fingerprint": "aaaabbbbccccdddd", "count": 1, "bytes": 8 },
  { "kind": "leak-definite", "fingerprint": "aaaabbbbccccdddd", "suppressed": true, "count": 1,
    "bytes": 8 },
  { "kind": "leak-definite", "fingerprint": "0b8e7f6a1c2d3e4f", "count": 1, "bytes": 96 },
  { "kind": "leak-definite", "fingerprint": "0b8e7f6a1c2d3e4f", "suppressed": true, "count": 1,
    "bytes": 96 } ]
JSON
    report check --exact --expect "$W/expect.json" "$W/$m.json"
    expect_rc 0
done
report diff "$W/leak2-supp.json" "$W/ab.json"
expect_rc 1
expect_out "2 new, 0 fixed"

case_ "hand-written: two rules for one leak stay apart too"
sed 's/"suppressed_by": null/"suppressed_by": "leak:main"/' "$FIX/leak2.json" >"$W/leak2-supp2.json"
report merge -o "$W/rules.json" "$W/leak2-supp.json" "$W/leak2-supp2.json"
expect_rc 0
report show "$W/rules.json"
expect_count 2 "suppressed by: leak:parse_args"
expect_count 2 "suppressed by: leak:main"

case_ "real reports: suppressed in one process, not in the other"
printf 'leak:other\n' >"$W/other.supp"
under_lib "$W/supp.json" "suppressions=$W/other.supp" "$HC_FP_PLAIN" other
under_lib "$W/plain.json" "" "$HC_FP_PLAIN" other
grep -q '"suppressed_by": "leak:other"' "$W/supp.json" || fail "the library did not suppress the leak"
report merge -o "$W/real-ab.json" "$W/supp.json" "$W/plain.json"
expect_rc 0
report merge -o "$W/real-ba.json" "$W/plain.json" "$W/supp.json"
expect_rc 0
a=$(verdict "$W/real-ab.json") b=$(verdict "$W/real-ba.json")
[ "$a" = "$b" ] || fail "merge order changes the verdict: '$a' against '$b'"
case $a in 1\ FAILED:\ 0\ errors,\ 1\ leak*) ;; *) fail "the unsuppressed leak does not fail the gate: '$a'" ;; esac
report diff "$W/supp.json" "$W/real-ab.json"
expect_rc 1
expect_out "1 new, 0 fixed"

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
