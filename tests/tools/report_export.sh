#!/bin/sh
# heapcheck-report export --format=sarif|junit.
. "$HC_TESTLIB"

have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

case_ "SARIF to stdout"
report export --format=sarif "$FIX/overflow.json" "$FIX/suppressed.json"
expect_rc 0
expect_out '"version": "2.1.0"'
expect_out '"ruleId": "heap-buffer-overflow"'
expect_out '"ruleId": "double-free"'
expect_out '"uri": "file:///src/names.c"'
expect_out '"startLine": 27'
expect_out '"heapcheck/v1": "9c1f3a0d5e7b2c11"'
expect_out '"justification": "leak:libfoo.so*"'
if [ $have_python = 1 ]; then
    python3 - "$OUT" <<'PY' || fail "SARIF content"
import json, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][0]
res = run["results"]
assert len(res) == 3, len(res)
top = res[0]["locations"][0]
assert top["physicalLocation"]["region"]["startLine"] == 27
assert top["logicalLocations"][0]["name"] == "copy_name"
assert res[0]["level"] == "error"
assert [s["message"]["text"] for s in res[0]["stacks"]] == ["detected", "alloc"]
assert "suppressions" in res[2] and "suppressions" not in res[0]
assert res[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///usr/lib/libfoo.so.1"
assert res[2]["locations"][0]["physicalLocation"]["address"]["offset"] == 0x1234
assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"heap-buffer-overflow", "double-free", "leak-definite"}
PY
fi

case_ "SARIF levels of leaks"
report export --format=sarif -o "$W/leak.sarif" "$FIX/leak.json"
expect_rc 0
grep -q '"level": "warning"' "$W/leak.sarif" || fail "no warning for the possible leak"
grep -q '"level": "note"' "$W/leak.sarif" || fail "no note for the reachable leak"

case_ "JUnit"
report export --format=junit -o "$W/junit.xml" "$FIX/leak.json" "$FIX/overflow.json" "$FIX/suppressed.json" "$FIX/clean.json"
expect_rc 0
grep -q '<testsuites name="heapcheck" tests="5" failures="4" errors="0" skipped="1">' "$W/junit.xml" || fail "testsuites totals"
[ "$(grep -c '<testcase ' "$W/junit.xml")" -eq 5 ] || fail "not one testcase per finding"
[ "$(grep -c '<testsuite ' "$W/junit.xml")" -eq 4 ] || fail "not one testsuite per report"
grep -q 'classname="heapcheck.double-free"' "$W/junit.xml" || fail "no double-free testcase"
grep -q '<skipped message="leak-reachable (not counted)"/>' "$W/junit.xml" || fail "reachable not skipped"
grep -q 'libfoo' "$W/junit.xml" && fail "suppressed leak exported"
if [ $have_python = 1 ]; then
    python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$W/junit.xml" || fail "not well-formed XML"
fi

case_ "JUnit escapes XML"
cat >"$W/esc.json" <<'JSON'
{ "heapcheck_report": 1, "errors": [ { "kind": "invalid-free", "fingerprint": "0000000000000bad",
  "description": "free(<\"&'>)\u0001",
  "stacks": { "detected": [ { "function": "operator delete<int&>", "file": "a&b.cc", "line": 1 } ] } } ] }
JSON
report export --format=junit "$W/esc.json"
expect_rc 0
expect_out 'free(&lt;&quot;&amp;&apos;&gt;)'
expect_out 'operator delete&lt;int&amp;&gt; a&amp;b.cc:1'
if [ $have_python = 1 ]; then
    python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$OUT" || fail "not well-formed XML"
fi

case_ "bad input writes nothing"
report export --format=junit -o "$W/bad.xml" "$FIX/clean.json" "$FIX/v3.json"
expect_rc 2
[ -e "$W/bad.xml" ] && fail "wrote the output"

finish
