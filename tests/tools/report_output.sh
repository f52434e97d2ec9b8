#!/bin/sh
# heapcheck-report when its output cannot be written (a full disk: /dev/full; a closed stdout):
# exit 2 with a message that says so, for every subcommand that prints, short output or long.
. "$HC_TESTLIB"

[ -w /dev/full ] || { echo "no /dev/full: nothing to test"; finish; }

# full CASE ARGS...: heapcheck-report ARGS > /dev/full must fail and say why
full() {
    case_ "$1 > /dev/full"
    shift
    # shellcheck disable=SC2086
    ${HC_WRAP:-} "$HC_REPORT" "$@" >/dev/full 2>"$ERR"
    RC=$?
    : >"$OUT"
    expect_rc 2
    expect_err "heapcheck-report: cannot write to standard output: No space left on device"
}

# a long report: its text is more than one stdio buffer, so writes fail before the end too
i=0 set --
while [ $i -lt 40 ]; do
    sed "s/\"pid\": 1001,/\"pid\": $((7000 + i)),/" "$FIX/leak.json" >"$W/r.$i.json"
    set -- "$@" "$W/r.$i.json"
    i=$((i + 1))
done
report merge -o "$W/long.json" "$@" "$FIX/overflow.json"
expect_rc 0

full "show" show "$FIX/leak.json"
full "show, long" show "$W/long.json" "$W/long.json" "$W/long.json"
full "check" check "$FIX/leak.json"
printf '[ { "kind": "leak-definite" } ]\n' >"$W/expect.json"
full "check --expect" check --expect "$W/expect.json" "$FIX/leak.json"
full "check --fingerprints" check --fingerprints "$FIX/no-fingerprint-v2.json"
full "diff" diff "$FIX/clean.json" "$FIX/leak.json"
full "diff, nothing new" diff "$FIX/leak.json" "$FIX/leak.json"
full "diff --json" diff --json "$FIX/clean.json" "$W/long.json"
full "merge -o -" merge -o - "$FIX/leak.json"
full "export" export --format=sarif "$FIX/leak.json"
full "--help" --help
full "--version" --version

case_ "stdout closed"
# shellcheck disable=SC2086
${HC_WRAP:-} "$HC_REPORT" show "$FIX/leak.json" >&- 2>"$ERR"
RC=$?
expect_rc 2
expect_err "heapcheck-report: cannot write to standard output: Bad file descriptor"

case_ "a writable stdout: no such message"
report show "$W/long.json"
expect_rc 0
expect_no_err "cannot write"

finish
