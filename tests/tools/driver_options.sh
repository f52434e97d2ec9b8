#!/bin/sh
# heapcheck (the driver): every option's values against libcheck/options.def. Each int option one past
# either end of its range, each bool 2 and -1, each word of an enum or list option misspelled: exit 2
# with the option, the value and what it takes (the phrase is built here from options.def); both ends
# of each range and every word are passed on. A bad HEAPCHECK_OPTIONS already in the environment is
# refused too. A setuid program gets a warning exactly when the loader drops LD_PRELOAD for it.
. "$HC_TESTLIB"

HEAPCHECK_LIBRARY="$HC_PRELOAD_A"
export HEAPCHECK_LIBRARY
unset HEAPCHECK_OPTIONS LD_PRELOAD
def="$HC_OPTIONS_DEF"

# "type name min max" per option
options=$(sed -n 's/^LC_OPTION(\([a-z]*\), *\([a-z_]*\), *"\{0,1\}[^",]*"\{0,1\}, *\(-\{0,1\}[0-9]*\), *\([0-9]*\),.*/\1 \2 \3 \4/p' "$def")
[ "$(printf '%s\n' "$options" | wc -l)" -ge 29 ] || { echo "FAIL: options not found in $def"; exit 1; }
words() { sed -n "s/^LC_WORD($1, *[A-Z_]*, *\([a-z]*\)).*/\1/p" "$def"; }
aliases() { sed -n "s/^LC_ALIAS($1, *[A-Z_]*, *\([a-z]*\)).*/\1/p" "$def"; }
joined() { tr '\n' ' ' | sed 's/ $//; s/ /, /g'; }

# takes TYPE NAME MIN MAX: what the driver must say the option takes
takes() {
    case "$1" in
    bool) echo "0 or 1" ;;
    int) echo "an integer from $3 to $4" ;;
    enum)
        a=$(aliases "$2" | joined)
        echo "one of $(words "$2" | joined)${a:+ (or $a)}" ;;
    list) echo "a comma-separated list of $(words "$2" | joined) (may be empty)" ;;
    str) echo "at most 511 bytes" ;;
    esac
}

refused() { # refused NAME VALUE TAKES
    case_ "--$1=$2 refused"
    run "$HC_DRIVER" "--$1=$2" -- "$HC_ENVPRINT"
    expect_rc 2
    expect_err "heapcheck: option '--$1' takes $3, not '$2'"
    [ -s "$OUT" ] && fail "ran the program"
}

accepted() { # accepted NAME VALUE
    case_ "--$1=$2 accepted"
    run "$HC_DRIVER" "--$1=$2" -- "$HC_ENVPRINT"
    expect_rc 0
    expect_out "HEAPCHECK_OPTIONS=$1=$2:root_pid="
    expect_no_err "heapcheck"
}

nint=0 nword=0
while read -r type name min max; do
    t=$(takes "$type" "$name" "$min" "$max")
    case "$type" in
    int | bool)
        refused "$name" $((min - 1)) "$t"
        refused "$name" $((max + 1)) "$t"
        accepted "$name" "$min"
        accepted "$name" "$max"
        nint=$((nint + 1)) ;;
    enum | list)
        for w in $(words "$name") $(aliases "$name"); do
            refused "$name" "${w%?}" "$t"
            refused "$name" "${w}x" "$t"
            accepted "$name" "$w"
            nword=$((nword + 1))
        done ;;
    esac
done <<EOF
$options
EOF
case_ "the table was read"
[ "$nint" -ge 20 ] || fail "only $nint int and bool options"
[ "$nword" -ge 9 ] || fail "only $nword words"

# The values that let a CI gate pass silently, spelled out.
refused leak_exitcode_kinds definit "a comma-separated list of definite, possible, reachable (may be empty)"
refused leak_exitcode_kinds "definite," "a comma-separated list of definite, possible, reachable (may be empty)"
refused exitcode 256 "an integer from 0 to 255"
refused exitcode -1 "an integer from 0 to 255"
refused leak_check fulll "one of full, summary, no (or yes)"
refused unwind fpp "one of libunwind, fp"
refused max_frames 1000 "an integer from 1 to 64"
refused quarantine_mb -5 "an integer from 0 to 65536"
accepted leak_check yes
accepted leak_exitcode_kinds definite,possible,reachable
accepted leak_exitcode_kinds ""

case_ "a str value longer than the library holds"
long=$(printf '%0600d' 0)
run "$HC_DRIVER" "--log_path=/$long" -- "$HC_ENVPRINT"
expect_rc 2
expect_err "heapcheck: option '--log_path' takes at most 511 bytes, not a value of 601 bytes"

case_ "a bad HEAPCHECK_OPTIONS in the environment is refused before the program runs"
HEAPCHECK_OPTIONS="verbosity=1:leak_check=fulll:exitcode=256" run "$HC_DRIVER" -- "$HC_ENVPRINT"
expect_rc 2
expect_err "heapcheck: HEAPCHECK_OPTIONS: option leak_check=fulll rejected: expected one of full, summary, no (or yes); using full"
expect_err "heapcheck: HEAPCHECK_OPTIONS: option exitcode=256 rejected: expected an integer from 0 to 255; using 23"
[ -s "$OUT" ] && fail "ran the program"

case_ "a good HEAPCHECK_OPTIONS in the environment is kept"
HEAPCHECK_OPTIONS="leak_check=yes:leak_exitcode_kinds=" run "$HC_DRIVER" -- "$HC_ENVPRINT"
expect_rc 0
expect_out "HEAPCHECK_OPTIONS=leak_check=yes:leak_exitcode_kinds=:root_pid="

# A setuid (or setgid) copy of envprint. The loader's own verdict is the oracle: in secure execution it
# removes LD_PRELOAD from the environment, so envprint prints "(unset)".
case_ "a setuid or setgid program: a warning when the loader ignores LD_PRELOAD"
cp "$HC_ENVPRINT" "$W/privileged"
chmod 755 "$W/privileged" "$W"
made=
if [ "$(id -u)" -eq 0 ]; then
    chown 65534 "$W/privileged" && chmod 4755 "$W/privileged" && made=setuid
else
    for g in $(id -G); do
        if [ "$g" != "$(id -g)" ] && chgrp "$g" "$W/privileged" 2>/dev/null; then
            chmod 2755 "$W/privileged" && made=setgid
            break
        fi
    done
fi
if [ -z "$made" ]; then
    echo "note: cannot make a setuid or setgid program here (not root, no other group): case not run"
else
    run "$HC_DRIVER" -- "$W/privileged"
    expect_rc 0
    if grep -q '^LD_PRELOAD=(unset)$' "$OUT"; then
        expect_err "heapcheck: warning: '$W/privileged' is $made: the loader runs it in secure execution, which ignores LD_PRELOAD, so it is not checked"
    else
        # A nosuid mount: the bit is not honoured, the program is checked, nothing to say.
        expect_no_err "warning"
    fi
    case_ "found on PATH, the same"
    PATH="$W:$PATH" run "$HC_DRIVER" privileged
    grep -q '^LD_PRELOAD=(unset)$' "$OUT" && expect_err "is $made"
fi

case_ "an ordinary program: no warning"
run "$HC_DRIVER" -- "$HC_ENVPRINT"
expect_rc 0
expect_no_err "warning"
grep -q "^LD_PRELOAD=$HC_PRELOAD_A\$" "$OUT" || fail "LD_PRELOAD lost"

finish
