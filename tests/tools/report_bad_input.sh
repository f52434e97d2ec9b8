#!/bin/sh
# heapcheck-report on bad input: exit 2 with a message naming the file and what was wrong, for
# every subcommand, and no output written.
. "$HC_TESTLIB"

# bad FIXTURE MESSAGE: each subcommand refuses it
bad() {
    for sub in show check merge diff export; do
        case_ "$sub on $1"
        rm -f "$W/out.json"
        case $sub in
        merge) report merge -o "$W/out.json" "$FIX/clean.json" "$FIX/$1" ;;
        diff) report diff "$FIX/clean.json" "$FIX/$1" ;;
        export) report export --format=sarif -o "$W/out.json" "$FIX/$1" ;;
        *) report "$sub" "$FIX/$1" ;;
        esac
        expect_rc 2
        expect_err "heapcheck-report: "
        expect_err "$2"
        [ -s "$OUT" ] && fail "wrote to stdout"
        [ -e "$W/out.json" ] && fail "wrote the output file"
    done
}

bad missing.json "cannot open '$FIX/missing.json': No such file or directory"
bad empty.json "$FIX/empty.json: empty file, not JSON"
bad truncated.json "$FIX/truncated.json:23:48: invalid JSON: unexpected token near end of file"
bad syntax-error.json "$FIX/syntax-error.json:4:"
bad v3.json "$FIX/v3.json: format version 3 is newer than this tool understands (2)"
bad toplevel-array.json "$FIX/toplevel-array.json: the top-level value is an array, not a heapcheck report object"
bad no-version.json "$FIX/no-version.json: not a heapcheck report (no \"heapcheck_report\" format version)"
bad version-string.json "the format version \"heapcheck_report\" is a string, not an integer"
bad no-kind.json "$FIX/no-kind.json: leaks[1] has no \"kind\""
bad errors-not-array.json "$FIX/errors-not-array.json: \"errors\" is an object, not an array"
bad bytes-string.json "leaks[0]: \"bytes\" is a string, not an integer"

case_ "a directory"
report show "$FIX"
expect_rc 2
expect_err "cannot read '$FIX'"

case_ "binary garbage"
printf '\177ELF\000\001\002' >"$W/garbage.json"
report check "$W/garbage.json"
expect_rc 2
expect_err "garbage.json:1:"

case_ "a NUL byte inside the JSON"
printf '{\n  "heapcheck_report": 1,\n  "errors": \000[]\n}\n' >"$W/nul.json"
report show "$W/nul.json"
expect_rc 2
expect_err "nul.json:3:13: invalid JSON: a NUL byte"

case_ "deeply nested JSON"
i=0; s=""; e=""
while [ $i -lt 3000 ]; do s="$s["; e="$e]"; i=$((i + 1)); done
printf '%s%s\n' "$s" "$e" >"$W/deep.json"
report show "$W/deep.json"
expect_rc 2
expect_err "deep.json:"

case_ "a frame that is not an object"
printf '{"heapcheck_report":1,"leaks":[{"kind":"leak-definite","stack":[1]}]}' >"$W/frame.json"
report show "$W/frame.json"
expect_rc 2
expect_err "frame.json: leaks[0].stack[0] is an integer, not a frame object"

case_ "an error stack that is not an array"
printf '{"heapcheck_report":1,"errors":[{"kind":"double-free","stacks":{"free":{}}}]}' >"$W/stacks.json"
report show "$W/stacks.json"
expect_rc 2
expect_err "stacks.json: errors[0].stacks.free is an object, not an array of frames"

case_ "a frame line that is not an integer"
printf '{"heapcheck_report":1,"leaks":[{"kind":"leak-definite","stack":[{"function":"f","line":"3"}]}]}' >"$W/line.json"
report show "$W/line.json"
expect_rc 2
expect_err "line.json: leaks[0].stack[0]: \"line\" is a string, not an integer"

case_ "a finding that is not an object"
printf '{"heapcheck_report":1,"errors":["double-free"]}' >"$W/str.json"
report show "$W/str.json"
expect_rc 2
expect_err "str.json: errors[0] is a string, not a finding object"

case_ "version 0"
printf '{"heapcheck_report":0}' >"$W/v0.json"
report show "$W/v0.json"
expect_rc 2
expect_err "v0.json: invalid format version 0"

case_ "summary fields of the wrong type"
printf '{"heapcheck_report":1,"summary":{"heap":5}}' >"$W/sum-heap.json"
report merge "$W/sum-heap.json" -o "$W/out.json"
expect_rc 2
expect_err 'sum-heap.json: summary: "heap" is an integer, not an object'
printf '{"heapcheck_report":1,"summary":{"heap":{},"error_count":"a"}}' >"$W/sum-count.json"
report show "$W/sum-count.json"
expect_rc 2
expect_err 'sum-count.json: summary: "error_count" is a string, not an integer'
printf '{"heapcheck_report":1,"summary":{"leaks":{"definite_bytes":-4}}}' >"$W/sum-neg.json"
report check "$W/sum-neg.json"
expect_rc 2
expect_err 'sum-neg.json: summary.leaks: "definite_bytes" is -4, not a count'

case_ "the summary's policy and problems of the wrong type"
printf '{"heapcheck_report":2,"summary":{"counted_leak_kinds":"leak-definite"}}' >"$W/sum-kinds.json"
report check "$W/sum-kinds.json"
expect_rc 2
expect_err 'sum-kinds.json: summary: "counted_leak_kinds" is a string, not an array'
printf '{"heapcheck_report":2,"summary":{"options_rejected":["a",1]}}' >"$W/sum-rejected.json"
report check "$W/sum-rejected.json"
expect_rc 2
expect_err 'sum-rejected.json: summary: "options_rejected" holds an integer, not only a string'
printf '{"heapcheck_report":2,"summary":{"incomplete":"yes"}}' >"$W/sum-incomplete.json"
report merge -o "$W/out.json" "$W/sum-incomplete.json"
expect_rc 2
expect_err 'sum-incomplete.json: summary: "incomplete" is a string, not true or false'
printf '{"heapcheck_report":2,"summary":{"text_lost":1}}' >"$W/sum-lost.json"
report show "$W/sum-lost.json"
expect_rc 2
expect_err 'sum-lost.json: summary: "text_lost" is an integer, not true or false'
printf '{"heapcheck_report":2,"summary":{"incomplete":true,"incomplete_reason":[]}}' >"$W/sum-reason.json"
report check "$W/sum-reason.json"
expect_rc 2
expect_err 'sum-reason.json: summary: "incomplete_reason" is an array, not a string'

case_ "occurrences and pids that merge cannot add up"
printf '{"heapcheck_report":1,"leaks":[{"kind":"leak-definite","bytes":1,"blocks":1,"occurrences":-9223372036854775807,"stack":[]}]}' >"$W/occ.json"
report merge "$W/occ.json" "$W/occ.json" -o "$W/out.json"
expect_rc 2
expect_err 'occ.json: leaks[0]: "occurrences" is -9223372036854775807, not a count'
printf '{"heapcheck_report":1,"pids":[1,"x"]}' >"$W/pids.json"
report show "$W/pids.json"
expect_rc 2
expect_err 'pids.json: "pids" holds a string, not a process id'

# count NAME JSON MESSAGE [SUBCOMMAND...]: these subcommands (default merge, which adds counts up)
# refuse the report JSON with MESSAGE; they all read reports through one loader
count() {
    printf '%s' "$2" >"$W/$1.json"
    name=$1 msg=$3
    shift 3
    [ $# -gt 0 ] || set -- merge
    for sub in "$@"; do
        case_ "$sub: a count that is not one: $name"
        rm -f "$W/out.json"
        case $sub in
        merge) report merge -o "$W/out.json" "$FIX/clean.json" "$W/$name.json" ;;
        diff) report diff "$FIX/clean.json" "$W/$name.json" ;;
        export) report export --format=sarif -o "$W/out.json" "$W/$name.json" ;;
        *) report "$sub" "$W/$name.json" ;;
        esac
        expect_rc 2
        expect_err "$name.json: $msg"
        [ -s "$OUT" ] && fail "wrote to stdout"
        [ -e "$W/out.json" ] && fail "wrote the output file"
    done
}

count bytes-neg '{"heapcheck_report":2,"leaks":[{"kind":"leak-definite","bytes":-16,"blocks":1,"stack":[]}]}' \
    'leaks[0]: "bytes" is -16, not a count' show check merge diff export
count blocks-huge '{"heapcheck_report":1,"leaks":[{"kind":"leak-definite","bytes":1,"blocks":9007199254740993,"stack":[]}]}' \
    'leaks[0]: "blocks" is 9007199254740993, not a count'
count indirect-neg '{"heapcheck_report":2,"leaks":[{"kind":"leak-possible","bytes":1,"blocks":1,"indirect_bytes":-1,"stack":[]}]}' \
    'leaks[0]: "indirect_bytes" is -1, not a count'
count indirect-blocks-real '{"heapcheck_report":2,"leaks":[{"kind":"leak-definite","indirect_blocks":1.5}]}' \
    'leaks[0]: "indirect_blocks" is a real number, not an integer'
count occurrences-huge '{"heapcheck_report":2,"errors":[{"kind":"double-free","occurrences":9223372036854775807}]}' \
    'errors[0]: "occurrences" is 9223372036854775807, not a count'
count block-size-neg '{"heapcheck_report":2,"errors":[{"kind":"double-free","block_size":-8}]}' \
    'errors[0]: "block_size" is -8, not a count'
count finding-pids '{"heapcheck_report":2,"leaks":[{"kind":"leak-definite","pids":[3,"4"]}]}' \
    'leaks[0]: "pids" holds a string, not a process id'
count matched-neg '{"heapcheck_report":2,"suppressions":[{"rule":"leak:f","source":"s:1","matched":-2}]}' \
    'suppressions[0]: "matched" is -2, not a count'
count merged-neg '{"heapcheck_report":2,"merged_reports":-3}' \
    'report: "merged_reports" is -3, not a count'

case_ "counts at their limits are counts"
printf '{"heapcheck_report":2,"leaks":[{"kind":"leak-definite","bytes":9007199254740992,"blocks":0,"occurrences":9007199254740992,"stack":[]}]}' >"$W/limits.json"
report show "$W/limits.json"
expect_rc 0
expect_out "9007199254740992 bytes in 0 blocks"

case_ "minimal valid report"
printf '{"heapcheck_report":1}' >"$W/minimal.json"
report check "$W/minimal.json"
expect_rc 0
report show "$W/minimal.json"
expect_rc 0
expect_out "(no summary in the report)"

finish
