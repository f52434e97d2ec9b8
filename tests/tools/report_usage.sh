#!/bin/sh
# heapcheck-report: usage, --help, --version, unknown subcommands and options.
. "$HC_TESTLIB"

case_ "no subcommand"
report
expect_rc 2
expect_err "heapcheck-report: no subcommand"
expect_err "usage: heapcheck-report show"

case_ "--help"
report --help
expect_rc 0
for sub in show merge diff check export; do
    expect_out "heapcheck-report $sub"
done

case_ "subcommand --help"
report check --help
expect_rc 0
expect_out "usage:"

case_ "--version"
report --version
expect_rc 0
expect_out "heapcheck-report $HC_VERSION"

case_ "unknown subcommand"
report frobnicate x.json
expect_rc 2
expect_err "unknown subcommand 'frobnicate'"
expect_err "usage:"

case_ "unknown top-level option"
report --frob
expect_rc 2
expect_err "unknown option '--frob'"

case_ "unknown subcommand option"
report check --bogus "$FIX/clean.json"
expect_rc 2
expect_err "check: unknown option '--bogus'"
expect_err "usage:"

case_ "unknown short option"
report diff -z "$FIX/clean.json" "$FIX/clean.json"
expect_rc 2
expect_err "diff: unknown option '-z'"

case_ "option missing its value"
report merge "$FIX/clean.json" -o
expect_rc 2
expect_err "merge: option '-o' needs a value"

case_ "merge without -o"
report merge "$FIX/clean.json"
expect_rc 2
expect_err "no output file"

case_ "show without reports"
report show
expect_rc 2
expect_err "show: no report given"

case_ "diff with one report"
report diff "$FIX/clean.json"
expect_rc 2
expect_err "needs exactly two reports"

case_ "check with two reports"
report check "$FIX/clean.json" "$FIX/leak.json"
expect_rc 2
expect_err "needs exactly one report"

case_ "check --exact without --expect"
report check --exact "$FIX/clean.json"
expect_rc 2
expect_err "--exact needs --expect"

case_ "export without --format"
report export "$FIX/clean.json"
expect_rc 2
expect_err "no --format"

case_ "export with an unknown format"
report export --format=html "$FIX/clean.json"
expect_rc 2
expect_err "unknown format 'html'"

finish
