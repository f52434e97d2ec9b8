#!/bin/sh
# Fingerprints, on reports the real library writes for fp_leaks.c: heapcheck-report recomputes each
# one from the frames in the JSON and finds the library's value (check --fingerprints), for frames
# with function names, for a stripped program and without symbolization; a fingerprint that does
# not match its frames is flagged; two leaks of one function are two findings through diff; an
# edit elsewhere in the file, another install path and another format version change nothing.
. "$HC_TESTLIB"

SRC="${HC_TESTLIB%/*}/fp_leaks.c"
L1=$(grep -n 'sink = malloc(16);' "$SRC" | cut -d: -f1)
L2=$(grep -n 'if (both) sink = malloc(32);' "$SRC" | cut -d: -f1)
F=$(grep -n 'static void two_sites(int both)' "$SRC" | cut -d: -f1)

under_lib "$W/base.json" "" "$HC_FP_PLAIN" base
under_lib "$W/more.json" "" "$HC_FP_PLAIN" more
under_lib "$W/shifted.json" "" "$HC_FP_SHIFTED" base
under_lib "$W/stripped.json" "" "$HC_FP_STRIPPED" more
under_lib "$W/nosym.json" "symbolize=0" "$HC_FP_PLAIN" more

case_ "the library writes format 2 and the function's first line"
grep -q '"heapcheck_report": 2,' "$W/base.json" || fail "base.json is not format version 2"
grep -q "\"function\": \"two_sites\", \"file\": \"[^\"]*fp_leaks.c\", \"line\": $L1, \"function_line\": $F," \
    "$W/base.json" || fail "no two_sites frame at line $L1 of the function at line $F"

for r in base more shifted stripped nosym; do
    case_ "$r: every fingerprint the library wrote is what the tool computes from the frames"
    report check --fingerprints "$W/$r.json"
    expect_rc 0
    expect_out "check $W/$r.json: fingerprints passed:"
    expect_no_out "MISMATCH"
    expect_no_out " 0 of 0 "
done

case_ "the stripped program's frames have no function: the module counts"
grep -q '"module": "[^"]*/fp_leaks_stripped", "build_id": [^,]*, "offset": "0x[0-9a-f]*", "function": null' \
    "$W/stripped.json" || fail "no frame of the stripped program without a function"
grep -q '"function": null' "$W/nosym.json" || fail "symbolize=0 gave function names"

case_ "a fingerprint that is not what the frames give is flagged"
sed '0,/"fingerprint": "[0-9a-f]*"/s//"fingerprint": "0123456789abcdef"/' "$W/base.json" >"$W/bad-fp.json"
report check --fingerprints "$W/bad-fp.json"
expect_rc 1
expect_out "MISMATCH leaks[0] leak-definite: the report says 0123456789abcdef, its frames give"
expect_out "fingerprints FAILED:"
sed 's/"function": "two_sites"/"function": "two_sitez"/' "$W/base.json" >"$W/bad-frame.json"
report check --fingerprints "$W/bad-frame.json"
expect_rc 1
expect_count 1 "MISMATCH"
sed 's/"function_line": \([0-9][0-9]*\)/"function_line": 1\1/' "$W/more.json" >"$W/bad-line.json"
report check --fingerprints "$W/bad-line.json"
expect_rc 1
expect_out "MISMATCH"

case_ "fingerprints left out of the report are computed as the library computed them"
sed 's/"fingerprint": "[0-9a-f]*", //' "$W/more.json" >"$W/more-nofp.json"
grep -q '"fingerprint"' "$W/more-nofp.json" && fail "fingerprints not removed"
report show "$W/more.json"
mv "$OUT" "$W/show-more"
report show "$W/more-nofp.json"
expect_rc 0
sed "s|$W/more-nofp.json|$W/more.json|" "$OUT" | cmp -s - "$W/show-more" || fail "other fingerprints than the library's"

case_ "two leaks allocated in one function are two findings"
cat >"$W/two.json" <<JSON
[ { "kind": "leak-definite", "frame": "two_sites", "line": $L1, "bytes": 16, "count": 1 },
  { "kind": "leak-definite", "frame": "two_sites", "line": $L2, "bytes": 32, "count": 1 },
  { "kind": "leak-definite", "frame": "other", "bytes": 48, "count": 1 } ]
JSON
report check --exact --expect "$W/two.json" "$W/more.json"
expect_rc 0

case_ "a new leak in the same function is new through diff"
report diff "$W/base.json" "$W/more.json"
expect_rc 1
expect_out "new   leak-definite "
expect_out "32 bytes in 1 block at two_sites fp_leaks.c:$L2"
expect_out "1 new, 0 fixed"
report diff "$W/more.json" "$W/base.json"
expect_rc 0
expect_out "0 new, 1 fixed"

case_ "merge keeps the two leaks of one function apart"
report merge -o "$W/merged.json" "$W/base.json" "$W/more.json"
expect_rc 0
cat >"$W/merged-expect.json" <<JSON
[ { "kind": "leak-definite", "frame": "two_sites", "line": $L1, "bytes": 32, "blocks": 2, "count": 1 },
  { "kind": "leak-definite", "frame": "two_sites", "line": $L2, "bytes": 32, "blocks": 1, "count": 1 },
  { "kind": "leak-definite", "frame": "other", "bytes": 96, "blocks": 2, "count": 1 } ]
JSON
report check --exact --expect "$W/merged-expect.json" "$W/merged.json"
expect_rc 0
report check --fingerprints "$W/merged.json"
expect_rc 0

case_ "code added elsewhere in the file changes no fingerprint"
grep -q "\"function\": \"two_sites\", \"file\": \"[^\"]*fp_leaks.c\", \"line\": $L1," "$W/shifted.json" \
    && fail "the shifted build did not move two_sites"
report diff "$W/base.json" "$W/shifted.json"
expect_rc 0
expect_out "0 new, 0 fixed"

case_ "another install path changes no fingerprint, with or without symbols"
mkdir -p "$W/elsewhere/bin"
cp "$HC_FP_PLAIN" "$HC_FP_STRIPPED" "$W/elsewhere/bin/"
under_lib "$W/moved.json" "" "$W/elsewhere/bin/${HC_FP_PLAIN##*/}" more
under_lib "$W/moved-stripped.json" "" "$W/elsewhere/bin/${HC_FP_STRIPPED##*/}" more
grep -q "$W/elsewhere/bin/" "$W/moved-stripped.json" || fail "the module path did not change"
report diff "$W/more.json" "$W/moved.json"
expect_rc 0
expect_out "0 new, 0 fixed"
report diff "$W/stripped.json" "$W/moved-stripped.json"
expect_rc 0
expect_out "0 new, 0 fixed"

case_ "a version 1 report: compared and merged on fingerprints without the line"
sed 's/"heapcheck_report": 2,/"heapcheck_report": 1,/; s/"fingerprint": "[0-9a-f]*"/"fingerprint": "ffffffffffffffff"/' \
    "$W/base.json" >"$W/base-v1.json"
report diff "$W/base-v1.json" "$W/base.json"
expect_rc 0
expect_err "note: $W/base-v1.json is a version 1 report, $W/base.json a version 2 one"
expect_out "0 new, 0 fixed"
report merge -o "$W/mixed.json" "$W/base.json" "$W/base-v1.json"
expect_rc 0
expect_err "the output is a version 1 report"
grep -q '"heapcheck_report": 1,' "$W/mixed.json" || fail "a mixed merge is not version 1"
cat >"$W/mixed-expect.json" <<JSON
[ { "kind": "leak-definite", "frame": "two_sites", "bytes": 32, "blocks": 2, "count": 1 },
  { "kind": "leak-definite", "frame": "other", "bytes": 96, "blocks": 2, "count": 1 } ]
JSON
report check --exact --expect "$W/mixed-expect.json" "$W/mixed.json"
expect_rc 0
report check --fingerprints "$W/base-v1.json"
expect_rc 2
expect_err "base-v1.json: a version 1 report"

finish
