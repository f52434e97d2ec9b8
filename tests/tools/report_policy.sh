#!/bin/sh
# One exit-status policy: the process (exitcode, leak_exitcode_kinds) and heapcheck-report check on
# the report it wrote agree on what fails, for policy.c's findings run under the real library. The
# report records the policy (summary.counted_leak_kinds); check --leak-kinds widens or narrows it;
# rejected options and lost text are in the JSON.
. "$HC_TESTLIB"

# lib JSON OPTS MODE: policy MODE under the library, its report in JSON; exit status in $ST
lib() {
    rm -f "$1"
    HEAPCHECK_OPTIONS="json_path=$1${2:+:$2}" LD_PRELOAD="$HC_LIB" "$HC_POLICY" "$3" \
        >/dev/null 2>"$W/lib.err"
    ST=$?
    [ -s "$1" ] || fail "no report from policy $3 ($2)"
}

# agree JSON STATUS: the process ended with STATUS (0 or 23) and check on JSON says the same
agree() {
    report check "$1"
    case $2 in
    0) expect_rc 0; expect_out "passed:" ;;
    23) expect_rc 1; expect_out "FAILED:" ;;
    esac
    [ "$ST" -eq "$2" ] || fail "the process exited $ST, expected $2"
}

kinds() { # kinds JSON: the recorded counted_leak_kinds, comma separated
    python3 -c 'import json, sys; print(",".join(json.load(open(sys.argv[1]))["summary"]["counted_leak_kinds"]))' "$1"
}

case_ "a possible leak, default policy: the process exits 0 and check passes"
lib "$W/possible.json" "" possible
grep -q '"kind": "leak-possible"' "$W/possible.json" || fail "no possible leak in the report"
[ "$(kinds "$W/possible.json")" = leak-definite ] || fail "counted_leak_kinds is $(kinds "$W/possible.json")"
agree "$W/possible.json" 0
expect_out "(counted leak kinds: leak-definite, from the report; 1 leak group not counted)"
expect_no_out "LEAK "

case_ "a possible leak, leak_exitcode_kinds=definite,possible: both fail"
lib "$W/possible2.json" "leak_exitcode_kinds=definite,possible" possible
[ "$(kinds "$W/possible2.json")" = leak-definite,leak-possible ] || fail "counted_leak_kinds"
agree "$W/possible2.json" 23
expect_out "LEAK  leak-possible"

case_ "a possible leak left out of the list (show_possibly=0) still fails both when counted"
lib "$W/hidden.json" "leak_exitcode_kinds=possible:show_possibly=0" possible
grep -q '"kind": "leak-possible"' "$W/hidden.json" && fail "show_possibly=0 listed the leak"
agree "$W/hidden.json" 23
expect_out "LEAK  summary: 1 leak-possible blocks counted in the report's summary but not in its list"
expect_out "1 more leaked block in the summary"

case_ "a definite leak: both fail by default, both pass when only possible leaks count"
lib "$W/definite.json" "" definite
agree "$W/definite.json" 23
lib "$W/definite-p.json" "leak_exitcode_kinds=possible" definite
agree "$W/definite-p.json" 0

for kinds in "" "leak_exitcode_kinds=" "leak_exitcode_kinds=definite,possible,reachable"; do
    case_ "an error fails both (${kinds:-default})"
    lib "$W/error.json" "$kinds" error
    agree "$W/error.json" 23
    expect_out "ERROR double-free"
done

case_ "a clean run passes both"
lib "$W/clean.json" "" clean
agree "$W/clean.json" 0

case_ "check --leak-kinds widens and narrows the recorded policy"
report check --leak-kinds=definite,possible "$W/possible.json"
expect_rc 1
expect_out "(counted leak kinds: leak-definite, leak-possible, from --leak-kinds)"
report check --leak-kinds=definite "$W/possible2.json"
expect_rc 0
report check --leak-kinds= "$W/definite.json"
expect_rc 0
expect_out "counted leak kinds: none, from --leak-kinds"
report check --leak-kinds= "$W/error.json"
expect_rc 1
report check --leak-kinds=possible "$W/hidden.json"
expect_rc 1

case_ "check --leak-kinds takes the option's words only"
report check --leak-kinds=definit "$W/clean.json"
expect_rc 2
expect_err "--leak-kinds takes definite, possible and reachable separated by commas (or nothing), not 'definit'"
report check --leak-kinds=definite --expect "$W/clean.json" "$W/clean.json"
expect_rc 2
expect_err "--leak-kinds is for the gate"

case_ "merged reports fail as any of their processes did"
for order in "possible.json error.json" "error.json possible.json" \
             "possible.json possible2.json" "possible2.json possible.json"; do
    set -- $order
    report merge -o "$W/merged.json" "$W/$1" "$W/$2"
    expect_rc 0
    report check "$W/merged.json"
    expect_rc 1
done
report merge -o "$W/merged.json" "$W/possible.json" "$W/clean.json"
report check "$W/merged.json"
expect_rc 0

case_ "a rejected option: the process fails, the JSON names it, check fails"
lib "$W/rejected.json" "leak_check=fulll" clean
grep -q '"options_rejected": \["leak_check"\]' "$W/rejected.json" || fail "options_rejected"
agree "$W/rejected.json" 23
expect_out "OPTION rejected at start-up: leak_check"
expect_out ", 1 rejected option"
report merge -o "$W/merged.json" "$W/clean.json" "$W/rejected.json"
report check "$W/merged.json"
expect_rc 1
expect_out "OPTION rejected at start-up: leak_check"

case_ "exitcode=0: the process keeps its status, check still judges the findings"
lib "$W/exit0.json" "exitcode=0" definite
[ "$ST" -eq 0 ] || fail "exit status $ST"
report check "$W/exit0.json"
expect_rc 1

case_ "text that could not be written is noted in the JSON"
rm -f "$W/lost.json" "$W/kept.json"
HEAPCHECK_OPTIONS="json_path=$W/lost.json" LD_PRELOAD="$HC_LIB" "$HC_POLICY" definite >/dev/null 2>&-
HEAPCHECK_OPTIONS="json_path=$W/kept.json" LD_PRELOAD="$HC_LIB" "$HC_POLICY" definite >/dev/null 2>/dev/null
grep -q '"text_lost": true' "$W/lost.json" || fail "stderr closed: text_lost is not true"
grep -q '"text_lost": false' "$W/kept.json" || fail "stderr open: text_lost is not false"
grep -q '"kind": "leak-definite"' "$W/lost.json" || fail "the leak is not in the JSON"
if [ -w /dev/full ]; then
    rm -f "$W/full.json"
    HEAPCHECK_OPTIONS="json_path=$W/full.json" LD_PRELOAD="$HC_LIB" "$HC_POLICY" definite >/dev/null 2>/dev/full
    grep -q '"text_lost": true' "$W/full.json" || fail "stderr full: text_lost is not true"
fi

finish
