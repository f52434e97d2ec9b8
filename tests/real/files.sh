#!/bin/sh
# real.files.CASE: heapcheck's report files cannot be turned against the program, its descriptors stay out of the
# program's range, and no process is lost from the verdict. HC_FILES is the files test program (files.c).
# The attacker's steps run as another user (nobody, with setpriv) when the test runs as root, else as this user.
#
#   json_link_sticky     json_path is a symbolic link planted in a sticky directory (1777): refused, said, the
#                        link's target untouched, nothing else created
#   json_link_open       the same in a directory every user may write to that is not sticky (0777): refused for
#                        the directory, nothing created
#   json_tmp_precreated  the temporary's old, predictable name (<json_path>.tmp.<pid>) planted first, as a file of
#                        the attacker's and as a link to a victim file: the report is written whole anyway, mode
#                        0600 and owned by the user, the planted names untouched
#   log_link_sticky      log_path is a symbolic link in a sticky directory: refused, said, the text on stderr,
#                        the target untouched
#   log_link_open        log_path in a 0777 directory, a link or a new name: refused, nothing created
#   log_other_user       log_path is a file (and another time a FIFO) of another user: refused without writing or
#                        waiting (needs another user: skipped otherwise)
#   log_hardlink         log_path is a second name of a victim file: refused, the victim untouched
#   modes                new report files are 0600; report_mode=umask makes them 0666 less the umask
#   log_full             log_path=/dev/full: the write error is said once on stderr, the report goes there
#   closefds             the program closes every descriptor from 3 up (close_range) after a report and opens
#                        files: the next reports go to the log and the JSON, never into the program's files
#   stdclosed            started with <&- >&- 2>&-: the program's own opens get 0, 1 and 2, and libdw's files
#                        and the log are elsewhere
#   tree, tree_driver    a process tree with json_path lacking %p (preloaded, and through the driver): every
#                        process's report is kept (NAME.PID.json for all but the root), and checking their merge
#                        fails on the children's leaks
#   supp_echo            a suppression file's bad first line is quoted bounded and escaped, never its bytes as
#                        they are
. "$HC_SRC/common.sh"
: "${HC_FILES:?}"
F=$HC_FILES

# A scratch tree another user can reach (the build tree may not be): /tmp is sticky and open to all.
T=$(mktemp -d "${TMPDIR:-/tmp}/hc-files.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
S=$T/sticky
O=$T/open
mkdir "$S" "$O"
chmod 1777 "$S"
chmod 0777 "$O"
printf 'VICTIM\n' >"$T/victim"
chmod 644 "$T/victim"

AS=
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
   setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
  AS="setpriv --reuid=65534 --regid=65534 --clear-groups --"
fi
# plant CMD...: the attacker's step.
plant() { $AS "$@" || fail "could not plant: $*"; }
needs_other() { [ -n "$AS" ] || { echo "skip: needs root and setpriv to act as another user"; exit 77; }; }

# run OPTS ARGS...: the files program under the library; stdout in $W/out, stderr in $W/err, $RC.
run() {
  o=$1; shift
  HEAPCHECK_OPTIONS="$o" LD_PRELOAD="$HC_LIB" "$F" "$@" >"$W/out" 2>"$W/err"
  RC=$?
}
expect_rc() { [ "$RC" -eq "$1" ] || { fail "exit status $RC, expected $1"; show "$W/err"; }; }
expect_err() { grep -F -q -e "$1" "$W/err" || { fail "stderr lacks: $1"; show "$W/err"; }; }
no_fail_out() { ! grep -q FAIL "$W/out" || { fail "the program says:"; show "$W/out"; }; }
victim_intact() { [ "$(cat "$T/victim")" = VICTIM ] || fail "the victim file was written: $(head -c 120 "$T/victim")"; }
report_on_stderr() { grep -q "definitely lost" "$W/err" || { fail "the text report is not on stderr"; show "$W/err"; }; }
# only DIR NAME...: DIR holds exactly these names.
only() {
  d=$1; shift
  got=$(ls -A "$d" | sort | tr '\n' ' ')
  want=$(for n in "$@"; do echo "$n"; done | sort | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "$d holds '$got', expected '$want'"
}
json_ok() { "$HC_PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

case "${1:-}" in
  json_link_sticky | json_link_open)
    d=$S; why="it is a symbolic link"
    [ "$1" = json_link_open ] && { d=$O; why="its directory is writable by every user and not sticky"; }
    plant ln -s "$T/victim" "$d/r.json"
    run "json_path=$d/r.json" leak
    expect_rc 23
    victim_intact
    [ -L "$d/r.json" ] || fail "the link was replaced"
    expect_err "heapcheck: cannot write json_path '$d/r.json': $why"
    only "$d" r.json
    if [ "$1" = json_link_open ]; then
      run "json_path=$d/fresh.json" leak
      expect_err "heapcheck: cannot write json_path '$d/fresh.json': $why"
      only "$d" r.json
    fi
    ;;

  json_tmp_precreated)
    for kind in file link; do
      rm -rf "$S"/* "$S"/.[!.]* 2>/dev/null
      # The shell's pid is the program's (exec): the old name of the temporary is known before the program runs.
      AS="$AS" T="$T" S="$S" F="$F" HC_LIB="$HC_LIB" KIND=$kind sh -c '
        n="$S/r.json.tmp.$$"
        if [ "$KIND" = file ]; then $AS sh -c "printf ATTACKER >\"\$1\"; chmod 666 \"\$1\"" sh "$n"
        else $AS ln -s "$T/victim" "$n"; fi
        exec env HEAPCHECK_OPTIONS="json_path=$S/r.json" LD_PRELOAD="$HC_LIB" "$F" leak' >"$W/out" 2>"$W/err"
      RC=$?
      expect_rc 23
      planted=$(ls -A "$S" | grep -v '^r\.json$')
      case "$planted" in r.json.tmp.[0-9]*) ;; *) fail "$kind: $S holds '$(ls -A "$S" | tr '\n' ' ')'" ;; esac
      json_ok "$S/r.json" || { fail "$kind: no whole report at r.json"; show "$W/err"; continue; }
      [ "$(stat -c %a "$S/r.json")" = 600 ] || fail "$kind: r.json has mode $(stat -c %a "$S/r.json")"
      [ "$(stat -c %u "$S/r.json")" = "$(id -u)" ] || fail "$kind: r.json belongs to uid $(stat -c %u "$S/r.json")"
      if [ "$kind" = file ]; then
        [ "$(cat "$S/$planted")" = ATTACKER ] || fail "the planted file was written to"
      else
        [ -L "$S/$planted" ] || fail "the planted link is gone"
        victim_intact
      fi
    done
    ;;

  log_link_sticky | log_link_open)
    d=$S; why="it is a symbolic link"
    [ "$1" = log_link_open ] && { d=$O; why="its directory is writable by every user and not sticky"; }
    plant ln -s "$T/victim" "$d/log"
    run "log_path=$d/log" leak
    expect_rc 23
    victim_intact
    [ -L "$d/log" ] || fail "the link was replaced"
    expect_err "heapcheck: cannot open log_path '$d/log': $why"
    report_on_stderr
    if [ "$1" = log_link_open ]; then
      run "log_path=$d/fresh.log" leak
      expect_err "heapcheck: cannot open log_path '$d/fresh.log': $why"
      report_on_stderr
    fi
    only "$d" log
    ;;

  log_other_user)
    needs_other
    plant sh -c 'printf "ATTACKER\n" >"$1"; chmod 666 "$1"' sh "$S/log"
    run "log_path=$S/log" leak
    expect_rc 23
    [ "$(cat "$S/log")" = ATTACKER ] || fail "the report went into another user's file"
    expect_err "heapcheck: cannot open log_path '$S/log': it belongs to another user"
    report_on_stderr
    # A FIFO of another user's: it would hand the report over, or hold the program until someone reads.
    plant mkfifo "$S/fifo"
    timeout 60 env HEAPCHECK_OPTIONS="log_path=$S/fifo" LD_PRELOAD="$HC_LIB" "$F" leak >"$W/out" 2>"$W/err"
    RC=$?
    expect_rc 23
    expect_err "heapcheck: cannot open log_path '$S/fifo': it belongs to another user"
    ;;

  log_hardlink)
    ln "$T/victim" "$S/log"
    run "log_path=$S/log" leak
    expect_rc 23
    victim_intact
    expect_err "heapcheck: cannot open log_path '$S/log': it has other names (hard links)"
    report_on_stderr
    ;;

  modes)
    umask 022
    run "log_path=$T/m.log:json_path=$T/m.json" leak
    expect_rc 23
    for f in m.log m.json; do
      [ "$(stat -c %a "$T/$f" 2>/dev/null)" = 600 ] || fail "$f: mode $(stat -c %a "$T/$f" 2>&1), expected 600"
    done
    run "log_path=$T/u.log:json_path=$T/u.json:report_mode=umask" leak
    expect_rc 23
    for f in u.log u.json; do
      [ "$(stat -c %a "$T/$f" 2>/dev/null)" = 644 ] || fail "$f: mode $(stat -c %a "$T/$f" 2>&1), expected 644 (report_mode=umask, umask 022)"
    done
    grep -q "rejected" "$W/err" && fail "an option was rejected: $(cat "$W/err")"
    ;;

  log_full)
    [ -c /dev/full ] || { echo "skip: no /dev/full"; exit 77; }
    run "log_path=/dev/full" leak
    expect_rc 23
    msg="heapcheck: cannot write log_path '/dev/full': No space left on device; writing to stderr"
    n=$(grep -c -F -e "$msg" "$W/err")
    [ "$n" -eq 1 ] || { fail "the write error is said $n times, expected once"; show "$W/err"; }
    report_on_stderr
    grep -q "in exec_leak " "$W/err" || { fail "the leak's stack is not on stderr"; show "$W/err"; }
    ;;

  closefds)
    mkdir "$T/data"
    run "log_path=$T/cf.log:json_path=$T/cf.json" closefds "$T/data"
    expect_rc 23
    no_fail_out
    i=0
    while [ $i -lt 40 ]; do
      [ "$(cat "$T/data/f$i")" = "program f$i" ] || { fail "the program's file f$i holds more than its own text"; show "$T/data/f$i" 10; }
      i=$((i + 1))
    done
    n=$(grep -c "heapcheck: double-free: " "$T/cf.log")
    [ "$n" -eq 2 ] || { fail "the log has $n double-free reports, expected 2"; show "$T/cf.log" 80; }
    # Symbolized after the close: libdw's files were opened again.
    grep -q " in second_error " "$T/cf.log" || { fail "the second report is not symbolized"; show "$T/cf.log" 80; }
    grep -q " in closefds_leak " "$T/cf.log" || { fail "the leak is not in the log"; show "$T/cf.log" 80; }
    grep -q "heapcheck" "$W/err" && { fail "heapcheck wrote to stderr"; show "$W/err"; }
    "$HC_PY" - "$T/cf.json" <<'PY' || fail "the JSON report is not as expected"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["summary"]["error_count"] == 2, r["summary"]
assert any(l["bytes"] == 300 and any(f.get("function") == "closefds_leak" for f in l["stack"]) for l in r["leaks"]), r["leaks"]
PY
    ;;

  stdclosed)
    mkdir "$T/sd"
    HEAPCHECK_OPTIONS="log_path=$T/sd.log:json_path=$T/sd.json" LD_PRELOAD="$HC_LIB" "$F" stdclosed "$T/sd" <&- >&- 2>&-
    RC=$?
    expect_rc 23
    [ "$(cat "$T/sd/status" 2>&1)" = ok ] || fail "the program found: $(cat "$T/sd/status" 2>&1)"
    for i in 0 1 2; do
      [ "$(cat "$T/sd/$i")" = "program $i" ] || { fail "the program's file $i holds more than its own text"; show "$T/sd/$i"; }
    done
    n=$(grep -c "heapcheck: double-free: " "$T/sd.log")
    [ "$n" -eq 2 ] || { fail "the log has $n double-free reports, expected 2"; show "$T/sd.log" 80; }
    grep -q " in stdclosed_leak " "$T/sd.log" || { fail "the leak is not in the log"; show "$T/sd.log" 80; }
    json_ok "$T/sd.json" || fail "no JSON report"
    ;;

  tree | tree_driver)
    # The preloaded tree names r.json (children: r.PID.json), the driver's a name without an extension (rep.PID).
    D=$T/tree
    mkdir "$D"
    if [ "$1" = tree ]; then
      name=r.json
      run "json_path=$D/$name" tree
    else
      name=rep
      "$HC_DRIVER" --json_path="$D/$name" -- "$F" tree >"$W/out" 2>"$W/err"
      RC=$?
    fi
    expect_rc 0
    no_fail_out
    root=$(sed -n 's/^root \([0-9]*\)$/\1/p' "$W/out")
    "$HC_PY" - "$D" "$root" "$name" <<'PY' || fail "the reports are not one per process"
import json, os, re, sys
d, root, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
stem, ext = os.path.splitext(name)
names = sorted(os.listdir(d))
assert len(names) == 3 and name in names, names
seen = {}
for n in names:
    r = json.load(open(os.path.join(d, n)))
    if n == name:
        assert r["pid"] == root, (n, r["pid"], root)
    else:
        m = re.fullmatch(re.escape(stem) + r"\.(\d+)" + re.escape(ext), n)
        assert m and int(m.group(1)) == r["pid"] and r["pid"] != root, (n, r["pid"])
        assert r["ppid"] == root, (n, r["ppid"])
    seen[n] = {f.get("function") for l in r["leaks"] for f in l["stack"]}
assert not seen[name] & {"fork_leak", "exec_leak"}, seen
children = [v for k, v in seen.items() if k != name]
assert any("fork_leak" in v for v in children) and any("exec_leak" in v for v in children), seen
PY
    "$HC_REPORT" check "$D/$name" >/dev/null 2>&1 || fail "the root's own report is not clean"
    "$HC_REPORT" merge -o "$T/all.json" "$D/${name%.json}"* || fail "merge failed"
    "$HC_REPORT" check "$T/all.json" >"$W/check" 2>&1
    [ $? -eq 1 ] || { fail "check of all the reports did not fail on the children's leaks"; show "$W/check"; }
    ;;

  supp_echo)
    # A first line no suppression file has: a C1 control (CSI, as UTF-8), then text the message must not repeat.
    printf '\302\233[31mXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXsecret-tail-0123456789:pattern\nleak:nothing_here\n' >"$T/s.supp"
    run "suppressions=$T/s.supp" leak
    expect_rc 23
    expect_err "heapcheck: suppressions $T/s.supp:1: unknown kind \"\\xc2\\x9b[31mXXXXXXXXXXXXXXXXXXXXXXXXXX...\""
    grep -q "secret-tail" "$W/err" && fail "more of the line than the excerpt was echoed"
    LC_ALL=C grep -q "$(printf '[\200-\377]')" "$W/err" && fail "bytes of the file were echoed as they are"
    ;;

  *) fail "unknown case '${1:-}'" ;;
esac
finish
