#!/bin/sh
# real.exec.CASE / real.fork.CASE: which processes of a program under heapcheck are checked and write
# a report (json_path=.../r.%p.json: one file per pid). HC_EXEC_FORK is the exec_fork test program.
#
#   spawn_true     exec_fork spawn /bin/true (fork + exec): two reports, the child's is /bin/true's
#                  with the parent's pid as ppid; both clean
#   spawn_work     the same with "exec_fork work" as the child: its 5000 allocations are in its report
#   driver_trace1  heapcheck (the driver) -- exec_fork spawn exec_fork work: two reports
#   driver_trace0  heapcheck --trace_children=0 -- the same: one report, the parent's (the driver's
#                  root_pid mechanism), while the child still ran (its output is there)
#   preload_trace0 trace_children=0 with LD_PRELOAD alone (no driver): the child counts as started by the
#                  program because its parent runs with libheapcheck; one report, the parent's
#   skip_child     trace_children_skip=true: /bin/true (exec'd child) writes no report, the parent does
#   skip_by_link   trace_children_skip=hc-alias, the child started as hc-alias, a link to exec_fork: skipped
#                  by the name it was started by (argv[0]), as sh (dash) or cc (gcc-12) are
#   skip_not_root  trace_children_skip=exec_fork: the program itself is never skipped (two reports)
#   log_path       log_path=.../log.%p: each process writes its text report to its own file
#   exec_direct    exec_fork exec exec_fork work (execv in the same process, no fork): one report, from
#                  the exec'd image, with the pid the program had before the exec
#   fork           fork without exec: two reports; the parent's is clean, the child's is its own (one
#                  definite leak of 4242 bytes in child_leak), and its exit status became 23
#   fork_noreport  the same with report_forked_children=0: only the parent's report, child exit 0
#   fork_threads   40 forks while 4 threads allocate and free: every child works and exits 0; 41
#                  reports, none with a heap error (leak_check=no: the blocks the threads held are lost in
#                  a child, where those threads do not exist; the exit-time check of every block runs)
. "$HC_SRC/common.sh"
: "${HC_EXEC_FORK:?}" "${HC_DRIVER:?}"
EF=$HC_EXEC_FORK
D=$W/reports
mkdir -p "$D"

# under OPTS CMD...: runs CMD with the library preloaded; stdout in $W/out, stderr in $W/err, $RC.
under() {
  o=$1; shift
  HEAPCHECK_OPTIONS="json_path=$D/r.%p.json${o:+:$o}" LD_PRELOAD="$HC_LIB" "$@" >"$W/out" 2>"$W/err"
  RC=$?
}

# driver OPTS... -- CMD...: runs CMD through build/bin/heapcheck.
driver() {
  "$HC_DRIVER" --json_path="$D/r.%p.json" "$@" >"$W/out" 2>"$W/err"
  RC=$?
}

# py 'python code': runs the code with `reports` = [(file name, parsed report), ...] sorted by pid,
# `out` = the program's stdout, and `bad(msg)` to record a failure. Invalid JSON is a failure.
py() {
  "$HC_PY" - "$D" "$W/out" "$1" <<'EOF'
import glob, json, os, sys
d, outf, code = sys.argv[1], sys.argv[2], sys.argv[3]
problems = []
def bad(msg): problems.append(msg)
reports = []
for f in sorted(glob.glob(os.path.join(d, "r.*.json"))):
    try:
        with open(f, "rb") as fp:
            reports.append((f, json.loads(fp.read().decode("utf-8"))))
    except (ValueError, UnicodeDecodeError) as e:
        bad("%s: not valid JSON: %s" % (f, e))
reports.sort(key=lambda fr: fr[1].get("pid", 0))
out = open(outf).read()
def clean(r):
    s = r["summary"]
    lk = [l for l in r.get("leaks", []) if l.get("suppressed_by") is None and l["kind"] in ("leak-definite", "leak-possible")]
    return s["error_count"] == 0 and not r.get("errors") and not lk
def describe(r):
    s = r["summary"]
    return "pid %s ppid %s %s: %s errors, %s definite blocks" % (r["pid"], r["ppid"], " ".join(r["command"])[:60],
        s["error_count"], (s.get("leaks") or {}).get("definite_blocks"))
for f, r in reports:
    print("report " + describe(r))
exec(code)
for p in problems:
    print("BAD: " + p)
sys.exit(1 if problems else 0)
EOF
  [ $? -eq 0 ] || { fail "the reports are not as expected"; show "$W/out"; show "$W/err" 60; }
}

expect_rc() { [ "$RC" -eq "$1" ] || { fail "exit status $RC, expected $1"; show "$W/err" 60; }; }

case "${1:?which case}" in
  spawn_true)
    under "" "$EF" spawn /bin/true
    expect_rc 0
    py '
if len(reports) != 2: bad("%d reports, expected 2" % len(reports))
else:
    (_, p), (_, c) = reports
    if os.path.basename(p["command"][0]) != "exec_fork": bad("the first report is not the parent'"'"'s")
    if c["command"] != ["/bin/true"]: bad("the second report is not /bin/true'"'"'s: %r" % c["command"])
    if c["ppid"] != p["pid"]: bad("the child'"'"'s ppid %s is not the parent'"'"'s pid %s" % (c["ppid"], p["pid"]))
    for r in (p, c):
        if not clean(r): bad("not clean: " + describe(r))
'
    ;;
  spawn_work)
    under "" "$EF" spawn "$EF" work
    expect_rc 0
    py '
if len(reports) != 2: bad("%d reports, expected 2" % len(reports))
else:
    (_, p), (_, c) = reports
    if c["command"][1:] != ["work"] or c["ppid"] != p["pid"]: bad("the second report is not the child'"'"'s")
    if c["summary"]["heap"]["total_allocs"] < 5000: bad("the child'"'"'s 5000 allocations are not in its report")
    if p["summary"]["heap"]["total_allocs"] < 2000: bad("the parent'"'"'s 2000 allocations are not in its report")
    for r in (p, c):
        if not clean(r): bad("not clean: " + describe(r))
if "work %d: blocks intact" % reports[-1][1]["pid"] not in out: bad("the child did not say its blocks were intact")
'
    ;;
  driver_trace1)
    driver -- "$EF" spawn "$EF" work
    expect_rc 0
    py '
if len(reports) != 2: bad("%d reports, expected 2 (trace_children=1)" % len(reports))
for f, r in reports:
    if not clean(r): bad("not clean: " + describe(r))
'
    ;;
  driver_trace0)
    driver --trace_children=0 -- "$EF" spawn "$EF" work
    expect_rc 0
    py '
if len(reports) != 1: bad("%d reports, expected 1: the exec'"'"'d child must not report with trace_children=0" % len(reports))
elif reports[0][1]["command"][1:2] != ["spawn"]: bad("the report is not the parent'"'"'s: %r" % reports[0][1]["command"])
elif not clean(reports[0][1]): bad("not clean: " + describe(reports[0][1]))
import re
if not re.search(r"^work \d+: blocks intact$", out, re.M): bad("the child did not run to its end")
'
    ;;
  preload_trace0)
    under "trace_children=0" "$EF" spawn "$EF" work
    expect_rc 0
    py '
if len(reports) != 1: bad("%d reports, expected 1: without the driver the child must be told apart by its parent" % len(reports))
elif reports[0][1]["command"][1:2] != ["spawn"]: bad("the report is not the parent'"'"'s: %r" % reports[0][1]["command"])
import re
if not re.search(r"^work \d+: blocks intact$", out, re.M): bad("the child did not run to its end")
'
    ;;
  skip_child)
    under "trace_children_skip=true" "$EF" spawn /bin/true
    expect_rc 0
    py '
if len(reports) != 1: bad("%d reports, expected 1 (true is skipped by name)" % len(reports))
elif os.path.basename(reports[0][1]["command"][0]) != "exec_fork": bad("the report is not the parent'"'"'s")
'
    ;;
  skip_by_link)
    ln -sf "$EF" "$W/hc-alias"
    under "trace_children_skip=hc-alias" "$EF" spawn "$W/hc-alias" work
    expect_rc 0
    py '
import re
if len(reports) != 1: bad("%d reports, expected 1 (hc-alias is skipped by the name it was started by)" % len(reports))
elif reports[0][1]["command"][1:2] != ["spawn"]: bad("the report is not the parent'"'"'s: %r" % reports[0][1]["command"])
if not re.search(r"^work \d+: blocks intact$", out, re.M): bad("the child did not run to its end")
'
    ;;
  skip_not_root)
    under "trace_children_skip=exec_fork" "$EF" spawn /bin/true
    expect_rc 0
    py '
if len(reports) != 2: bad("%d reports, expected 2 (the skip list names children, never the program)" % len(reports))
'
    ;;
  log_path)
    HEAPCHECK_OPTIONS="log_path=$D/log.%p:verbosity=1" LD_PRELOAD="$HC_LIB" "$EF" spawn /bin/true >"$W/out" 2>"$W/err"
    RC=$?
    expect_rc 0
    n=$(ls "$D" | grep -c '^log\.[0-9][0-9]*$')
    [ "$n" -eq 2 ] || fail "$n log files, expected 2 (one per process)"
    for f in "$D"/log.*; do grep -q "HEAP SUMMARY" "$f" || fail "$f has no report"; done
    grep -q "HEAP SUMMARY" "$W/err" && fail "the report went to stderr instead of log_path"
    ;;
  exec_direct)
    under "" "$EF" exec "$EF" work
    expect_rc 0
    py '
import re
m = re.search(r"^pid (\d+) execs ", out, re.M)
if not m: bad("the program did not say its pid")
if len(reports) != 1: bad("%d reports, expected 1 (the pre-exec image never exits)" % len(reports))
elif m:
    r = reports[0][1]
    if r["pid"] != int(m.group(1)): bad("report pid %s, the program had pid %s" % (r["pid"], m.group(1)))
    if r["command"][1:] != ["work"]: bad("the report is not the exec'"'"'d image'"'"'s: %r" % r["command"])
    if r["summary"]["heap"]["total_allocs"] < 5000: bad("the exec'"'"'d image'"'"'s allocations are missing")
    if not clean(r): bad("not clean: " + describe(r))
'
    ;;
  fork)
    under "" "$EF" fork
    expect_rc 0
    py '
if len(reports) != 2: bad("%d reports, expected 2" % len(reports))
else:
    (_, p), (_, c) = reports
    if c["ppid"] != p["pid"]: bad("the second report is not the child'"'"'s")
    if not clean(p): bad("the parent'"'"'s report is not clean: " + describe(p))
    if c["summary"]["error_count"] != 0: bad("heap errors in the child: " + describe(c))
    lk = [l for l in c["leaks"] if l["kind"] == "leak-definite"]
    if len(lk) != 1 or lk[0]["bytes"] != 4242 or lk[0]["blocks"] != 1:
        bad("the child'"'"'s report must list its one definite leak of 4242 bytes: %r" % [(l["kind"], l["bytes"]) for l in c["leaks"]])
    elif "child_leak" not in [fr.get("function") for fr in lk[0]["stack"]]:
        bad("the leak is not attributed to child_leak: %r" % [fr.get("function") for fr in lk[0]["stack"]])
    if c["summary"]["heap"]["total_allocs"] < 2000 + 5000:
        bad("the child'"'"'s own 5000 allocations are not counted in its report")
    if c["summary"]["exit_status"] != 23: bad("the child'"'"'s report exit_status %r, expected 23" % c["summary"]["exit_status"])
if "parent: child exited with 23; parent blocks intact" not in out: bad("the child did not exit with 23 (its leak) or the parent failed")
if "inherited and own blocks intact" not in out: bad("the child'"'"'s blocks were not intact")
'
    ;;
  fork_noreport)
    under "report_forked_children=0" "$EF" fork
    expect_rc 0
    py '
if len(reports) != 1: bad("%d reports, expected 1 (report_forked_children=0)" % len(reports))
elif not clean(reports[0][1]): bad("the parent'"'"'s report is not clean")
if "parent: child exited with 0; parent blocks intact" not in out: bad("the child did not exit 0 (no checks of its own)")
'
    ;;
  fork_threads)
    under "exitcode=0:leak_check=no" "$EF" fork-threads
    expect_rc 0
    py '
if len(reports) != 41: bad("%d reports, expected 41 (the parent and 40 children)" % len(reports))
for f, r in reports:
    if r["summary"]["error_count"] != 0 or r.get("errors"):
        for e in r.get("errors", []):
            where = " <- ".join((x.get("function") or "?") for x in e["stacks"]["detected"][:5])
            bad("pid %s: %s: %s (found at %s)" % (r["pid"], e["kind"], e["description"], where))
if "fork-threads: 40 forks, 0 failed" not in out: bad("some child failed")
'
    ;;
  *) echo "unknown case '$1'"; exit 2 ;;
esac
finish
