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

# layout SARIF: the text is the document as jansson formats it whole (indent 2, keys in order),
# which is what export wrote before it streamed: the streamed writer must give the same bytes
layout() {
    python3 - "$1" <<'PY' || fail "SARIF layout of $1"
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
want = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
upper = lambda m: m.group(0).upper().replace("\\U", "\\u")  # jansson writes \u001B, Python \u001b
assert re.sub(r"\\u[0-9a-f]{4}", upper, want) == text, "differs from the whole document's formatting"
PY
}

case_ "SARIF of several reports: the same text as the whole document formatted"
report export --format=sarif -o "$W/all.sarif" "$FIX/overflow.json" "$FIX/suppressed.json" \
    "$FIX/leak.json" "$FIX/leak2.json" "$FIX/unknown-keys.json" "$FIX/no-fingerprint.json" \
    "$FIX/no-fingerprint-v2.json" "$FIX/control-chars.json" "$FIX/clean.json"
expect_rc 0
ls "$W"/all.sarif.tmp.* >/dev/null 2>&1 && fail "a temporary file was left"
if [ $have_python = 1 ]; then
    layout "$W/all.sarif"
    python3 - "$W/all.sarif" "$FIX" <<'PY' || fail "SARIF content of several reports"
import json, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][0]
names = ["overflow", "suppressed", "leak", "leak2", "unknown-keys", "no-fingerprint",
         "no-fingerprint-v2", "control-chars", "clean"]
reports = [json.load(open("%s/%s.json" % (sys.argv[2], n))) for n in names]
findings = [(f, r["heapcheck_report"]) for r in reports
            for key in ("errors", "leaks") for f in (r.get(key) or [])]
res = run["results"]
assert len(res) == len(findings), (len(res), len(findings))
for (f, v), x in zip(findings, res):
    assert x["ruleId"] == f["kind"], (x["ruleId"], f["kind"])
    assert list(x["partialFingerprints"]) == ["heapcheck/v%d" % v]
    if "fingerprint" in f:
        assert x["partialFingerprints"]["heapcheck/v%d" % v] == f["fingerprint"]
kinds = []
for f, v in findings:
    if f["kind"] not in kinds:
        kinds.append(f["kind"])
assert [r["id"] for r in run["tool"]["driver"]["rules"]] == kinds
PY
    report export --format=sarif "$FIX/clean.json"
    expect_rc 0
    layout "$OUT"
    expect_out '"results": []'
fi

case_ "SARIF from standard input: the same as from the file"
report export --format=sarif - <"$FIX/leak.json"
expect_rc 0
cp "$OUT" "$W/stdin.sarif"
report export --format=sarif "$FIX/leak.json"
cmp -s "$OUT" "$W/stdin.sarif" || fail "standard input gives another SARIF"

case_ "SARIF of a report in an order the stream does not take: read whole, the same output"
# leaks before errors, and the version last: only the whole read takes it
cat >"$W/late.json" <<'JSON'
{ "leaks": [ { "kind": "leak-definite", "fingerprint": "00000000000000aa", "bytes": 8, "blocks": 1,
               "stack": [ { "function": "f", "file": "/s/f.c", "line": 2 } ], "suppressed_by": null } ],
  "errors": [ { "kind": "double-free", "fingerprint": "00000000000000bb",
                "stacks": { "detected": [ { "function": "g", "file": "/s/g.c", "line": 5 } ] } } ],
  "heapcheck_report": 2 }
JSON
cat >"$W/early.json" <<'JSON'
{ "heapcheck_report": 2,
  "errors": [ { "kind": "double-free", "fingerprint": "00000000000000bb",
                "stacks": { "detected": [ { "function": "g", "file": "/s/g.c", "line": 5 } ] } } ],
  "leaks": [ { "kind": "leak-definite", "fingerprint": "00000000000000aa", "bytes": 8, "blocks": 1,
               "stack": [ { "function": "f", "file": "/s/f.c", "line": 2 } ], "suppressed_by": null } ] }
JSON
report export --format=sarif "$W/late.json"
expect_rc 0
cp "$OUT" "$W/late.sarif"
report export --format=sarif "$W/early.json"
expect_rc 0
cmp -s "$OUT" "$W/late.sarif" || fail "the whole read and the stream give different SARIF"
expect_out '"ruleId": "double-free"'

case_ "SARIF: a bad finding late in a report writes nothing"
sed 's/"bytes": 8,/"bytes": -8,/' "$W/early.json" >"$W/bad-late.json"
report export --format=sarif -o "$W/bad.sarif" "$FIX/leak.json" "$W/bad-late.json"
expect_rc 2
expect_err 'bad-late.json: leaks[0]: "bytes" is -8, not a count'
[ -e "$W/bad.sarif" ] && fail "wrote the output"
ls "$W"/bad.sarif.tmp.* >/dev/null 2>&1 && fail "a temporary file was left"
report export --format=sarif "$FIX/leak.json" "$W/bad-late.json"
expect_rc 2
[ -s "$OUT" ] && fail "wrote to stdout"

# The memory of a large export is bounded by its largest finding, not by the report (the whole
# document in memory took 1.6 GB for this one). Not under valgrind: the peak would be valgrind's.
if [ $have_python = 1 ] && [ -z "${HC_WRAP:-}" ]; then
    case_ "SARIF of 100000 findings in bounded memory"
    python3 - "$W/big.json" <<'PY'
import sys
n = 100000
with open(sys.argv[1], "w") as out:
    out.write('{"heapcheck_report": 2, "pid": 7, "errors": [\n')
    out.write(",\n".join('{"kind": "double-free", "stacks": {"detected": [{"function": "e%d", '
                         '"file": "/src/e.c", "line": %d}]}}' % (i, i) for i in range(n // 10)))
    out.write('],\n"leaks": [\n')
    out.write(",\n".join('{"kind": "leak-%s", "bytes": %d, "blocks": 1, "stack": [{"function": "f%d", '
                         '"file": "/src/f.c", "line": %d}, {"function": "main", "file": "/src/m.c", '
                         '"line": 3}], "suppressed_by": null}'
                         % (("definite", "possible", "reachable")[i % 3], i + 1, i, i)
                         for i in range(n - n // 10)))
    out.write("]}\n")
PY
    python3 - "$HC_REPORT" "$W/big.json" "$W/big.sarif" <<'PY' || fail "peak memory"
import resource, subprocess, sys
subprocess.run([sys.argv[1], "export", "--format=sarif", "-o", sys.argv[3], sys.argv[2]], check=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print("peak RSS of the export: %d MiB" % peak)
assert peak < 200, "the export took %d MiB" % peak
PY
    [ "$(grep -c '"ruleId": ' "$W/big.sarif")" -eq 100000 ] || fail "not one result per finding"
    [ "$(grep -c '"heapcheck/v2": ' "$W/big.sarif")" -eq 100000 ] || fail "not one fingerprint per finding"
    [ "$(grep -o '"name": "f[0-9]*"' "$W/big.sarif" | tail -n 1)" = '"name": "f89999"' ] ||
        fail "the last finding is not last"
    rm -f "$W/big.json" "$W/big.sarif"
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

case_ "JUnit follows the report's policy and fails what check fails on"
cat >"$W/policy.json" <<'JSON'
{ "heapcheck_report": 2, "errors": [],
  "leaks": [ { "kind": "leak-possible", "fingerprint": "1111222233334444", "bytes": 16, "blocks": 1,
               "stack": [ { "function": "grow", "file": "g.c", "line": 4 } ], "suppressed_by": null } ],
  "summary": { "counted_leak_kinds": ["leak-definite"], "incomplete": true,
               "incomplete_reason": "no memory was left for the leak scan's tables",
               "options_rejected": ["unwind"] } }
JSON
report export --format=junit "$W/policy.json"
expect_rc 0
expect_out '<testsuite name="'"$W"'/policy.json" tests="3" failures="2" errors="0" skipped="1">'
expect_out '<skipped message="leak-possible (not counted)"/>'
expect_out '<failure type="incomplete" message="the leak check did not complete: no memory was left for the leak scan&apos;s tables"/>'
expect_out '<failure type="option-rejected" message="option rejected at start-up: unwind"/>'
if [ $have_python = 1 ]; then
    python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$OUT" || fail "not well-formed XML"
fi
sed 's/"counted_leak_kinds": \["leak-definite"\]/"counted_leak_kinds": ["leak-possible"]/' "$W/policy.json" >"$W/policy2.json"
report export --format=junit "$W/policy2.json"
expect_out 'tests="3" failures="3" errors="0" skipped="0"'

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
