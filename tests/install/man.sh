#!/bin/sh
# install.man: the installed man pages are well-formed troff (groff -ww: every warning, none allowed) and
# render with man -l; heapcheck.1 documents every option of libcheck/options.def and every Valgrind flag of
# the installed driver's help, heapcheck-report.1 every usage line and command of the installed tool's.
. "$(dirname "$0")/lib.sh"
D="$HC_PREFIX/share/man/man1"
command -v groff >/dev/null 2>&1 || { echo "FAIL: groff not found (scripts/install-deps.sh installs groff-base)"; exit 1; }

for page in heapcheck heapcheck-report; do
    case_ "groff -man -ww $page.1"
    run groff -man -Tutf8 -ww -z "$D/$page.1"
    expect_rc 0
    [ -s "$ERR" ] && fail "groff warns"
    # the text as a reader sees it, in ASCII (a minus is "-"), in wide lines (no break inside a usage line)
    groff -man -Tascii -rLL=300n -P-cbou "$D/$page.1" >"$HC_WORK/$page.txt" 2>/dev/null
    [ -s "$HC_WORK/$page.txt" ] || fail "renders to nothing"

    if command -v man >/dev/null 2>&1; then
        case_ "man -l $page.1"
        MANWIDTH=100 MAN_KEEP_FORMATTING= run man -l "$D/$page.1"
        expect_rc 0
        expect_out "SYNOPSIS"
        [ -s "$ERR" ] && fail "man warns"
    fi
done

case_ "heapcheck.1 has every option of options.def"
n=0
for name in $(sed -n 's/^LC_OPTION([a-z]*, *\([a-z_]*\),.*/\1/p' "$HC_SOURCE/libcheck/options.def"); do
    n=$((n + 1))
    grep -q -e "^ *--$name=" "$HC_WORK/heapcheck.txt" || fail "no entry for --$name"
done
[ "$n" -ge 29 ] || fail "only $n options read from options.def"

case_ "heapcheck.1 has every Valgrind flag of heapcheck --help"
HEAPCHECK_LIBRARY= run "$HC_PREFIX/bin/heapcheck" --help
sed -n '/^Valgrind.s flags/,/^$/s/^  \(-[^ ]*\) .*/\1/p' "$OUT" >"$HC_WORK/vgflags"
n=0
while IFS= read -r flag; do
    n=$((n + 1))
    grep -q -F -x -e "       $flag" "$HC_WORK/heapcheck.txt" || grep -q -F -e "       $flag  " "$HC_WORK/heapcheck.txt" ||
        fail "no entry for $flag"
done <"$HC_WORK/vgflags"
[ "$n" -ge 9 ] || fail "only $n Valgrind flags in the help"

case_ "heapcheck-report.1 has every usage line of heapcheck-report --help"
run "$HC_PREFIX/bin/heapcheck-report" --help
n=0
sed -n 's/^\(usage:\)\{0,1\} *\(heapcheck-report .*\)$/\2/p' "$OUT" >"$HC_WORK/usage"
while IFS= read -r line; do
    n=$((n + 1))
    grep -q -F -e "$line" "$HC_WORK/heapcheck-report.txt" || fail "no synopsis line '$line'"
done <"$HC_WORK/usage"
[ "$n" -ge 5 ] || fail "only $n usage lines"
sed -n '/^COMMANDS/,/^[A-Z]/p' "$HC_WORK/heapcheck-report.txt" >"$HC_WORK/commands"
n=0
for verb in $(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$OUT"); do
    n=$((n + 1))
    grep -q -e "^ *$verb " "$HC_WORK/commands" || fail "no COMMANDS entry for $verb"
done
[ "$n" -ge 5 ] || fail "only $n commands in the help"

finish
