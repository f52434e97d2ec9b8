#!/usr/bin/python3
"""heapcheck benchmark driver (standard library only; bench/run.sh runs it with /usr/bin/python3).

Runs every workload under every configuration in the same run, interleaved (one repetition = one
run of each configuration, in an order rotated from repetition to repetition), and prints per
workload the median wall time, its ratio to glibc and to LSan, the median peak RSS and its ratio to
glibc, then the goals with PASS/FAIL. Goals never change the exit status: it is 0 unless the
driver itself could not run (missing library, build failure).

See bench/README.md.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
LIBDIR = "/usr/lib/x86_64-linux-gnu"
LSAN_LIB = os.path.join(LIBDIR, "liblsan.so.0")
ASAN_LIB = os.path.join(LIBDIR, "libasan.so.8")

BARE_OPTS = "checks=0:stacks=0:leak_check=no:exitcode=0"
CHECKS_OPTS = "stacks=0:leak_check=no:exitcode=0"
DEFAULT_OPTS = "exitcode=0"
FP_OPTS = "exitcode=0:unwind=fp"
# Two rows that split the default's cost: the checks without the quarantine (headers and canaries only),
# and the stacks on the bare allocator (unwinding and the stack depot only).
NOQUAR_OPTS = "stacks=0:leak_check=no:quarantine_mb=0:exitcode=0"
STACKS_OPTS = "checks=0:leak_check=no:exitcode=0"

# name, label shown in the tables
CONFIGS = [
    ("glibc", "glibc (plain)"),
    ("hc-bare", "heapcheck bare"),
    ("hc-noquar", "heapcheck checks, quarantine_mb=0"),
    ("hc-checks", "heapcheck checks only"),
    ("hc-stacks", "heapcheck stacks only"),
    ("hc-default", "heapcheck default"),
    ("hc-fp", "heapcheck default unwind=fp"),
    ("lsan", "LSan (liblsan preload)"),
    ("asan", "ASan (libasan preload)"),
    ("heaptrack", "heaptrack"),
    ("valgrind", "valgrind memcheck"),
]
LABEL = dict(CONFIGS)
HC_OPTS = {"hc-bare": BARE_OPTS, "hc-noquar": NOQUAR_OPTS, "hc-checks": CHECKS_OPTS, "hc-stacks": STACKS_OPTS,
           "hc-default": DEFAULT_OPTS, "hc-fp": FP_OPTS}

WORKLOAD_ORDER = ["churn", "prodcons", "python", "perl", "sqlite", "git", "gcc", "bigheap"]

GIT_COMMITS = 200
GIT_FILES = 100
SQL_ROWS = 50000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Setup: programs, inputs, the git repository


def ensure_programs(bin_dir):
    """Builds the workload programs with cc unless they are there and newer than their sources
    (the CMake build puts the same programs at the same place)."""
    os.makedirs(bin_dir, exist_ok=True)
    flags = ["-O2", "-g", "-fno-omit-frame-pointer", "-Wall", "-Wextra"]
    progs = [("churn", "churn.c", []), ("prodcons", "prodcons.c", ["-pthread"]),
             ("bigheap", "bigheap.c", []), ("poison_floor", "poison_floor.c", []),
             ("liblsan_init.so", "lsan_init.c", ["-shared", "-fPIC"])]
    for out, src, extra in progs:
        out_path = os.path.join(bin_dir, out)
        src_path = os.path.join(BENCH, src)
        newest = max(os.path.getmtime(src_path), os.path.getmtime(os.path.join(BENCH, "churn_rng.h")))
        if os.path.exists(out_path) and os.path.getmtime(out_path) >= newest:
            continue
        cmd = ["cc"] + flags + extra + ["-o", out_path, src_path]
        log("bench: building " + " ".join(cmd))
        subprocess.run(cmd, check=True)


def write_sql(path, rows):
    with open(path, "w") as f:
        f.write("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, val REAL, note TEXT);\n")
        f.write("BEGIN;\n")
        for i in range(rows):
            f.write("INSERT INTO t(name, grp, val, note) VALUES('name%06d', %d, %d.%02d, 'note %s');\n"
                    % ((i * 7919) % rows, i % 97, i % 1000, i % 100, "x" * (i % 40)))
        f.write("COMMIT;\n")
        f.write("CREATE INDEX t_grp ON t(grp, name);\n")
        f.write("SELECT grp, count(*), round(sum(val), 2), min(name), max(name) FROM t GROUP BY grp ORDER BY grp;\n")
        f.write("SELECT count(DISTINCT note), count(DISTINCT name) FROM t;\n")
        f.write("SELECT name, val FROM t WHERE grp = 7 ORDER BY name LIMIT 5;\n")
        f.write("SELECT note, count(*) FROM t GROUP BY note ORDER BY count(*) DESC, note LIMIT 5;\n")


def git_env(home):
    env = {"HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org", "GIT_PAGER": "cat",
           "PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"}
    return env


def make_git_repo(repo, home):
    """~GIT_COMMITS commits over GIT_FILES files of ~200 lines, written with git fast-import (fixed
    dates, so the same repository every time), then a worktree with a few modified files."""
    if os.path.exists(repo):
        shutil.rmtree(repo)
    os.makedirs(repo)
    env = dict(os.environ, **git_env(home))
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
    files = {}
    for fi in range(GIT_FILES):
        files["src/file%03d.txt" % fi] = ["line %d of file %d: %s" % (li, fi, "lorem ipsum dolor sit amet"[: (li * 7 + fi) % 27])
                                          for li in range(200)]
    out = []
    x = 12345
    for c in range(GIT_COMMITS):
        changed = set()
        for k in range(3 if c else GIT_FILES):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            name = "src/file%03d.txt" % (x % GIT_FILES if c else k)
            if c:
                lines = files[name]
                for m in range(10):
                    x = (x * 1103515245 + 12345) & 0x7FFFFFFF
                    lines[x % len(lines)] = "changed in commit %d (%d): %x" % (c, m, x)
                x = (x * 1103515245 + 12345) & 0x7FFFFFFF
                lines.insert(x % len(lines), "inserted in commit %d" % c)
            changed.add(name)
        msg = ("commit %d: update %s\n" % (c, ", ".join(sorted(changed)))).encode()
        out.append(b"commit refs/heads/main\n")
        out.append(b"committer Bench <bench@example.org> %d +0000\n" % (1700000000 + c * 3600))
        out.append(b"data %d\n%s\n" % (len(msg), msg))
        for name in sorted(changed):
            data = ("\n".join(files[name]) + "\n").encode()
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))
    subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=b"".join(out), check=True, env=env)
    subprocess.run(["git", "-C", repo, "checkout", "-q", "-f", "main"], check=True, env=env)
    for fi in (3, 17, 42, 77):
        p = os.path.join(repo, "src/file%03d.txt" % fi)
        with open(p, "a") as f:
            f.write("local change %d\n" % fi)
    with open(os.path.join(repo, "untracked.txt"), "w") as f:
        f.write("untracked\n")
    subprocess.run(["git", "-C", repo, "update-index", "--refresh", "-q"], env=env)


def setup_inputs(work):
    stamp = os.path.join(work, "inputs.stamp")
    version = "inputs v1 %d %d %d" % (GIT_COMMITS, GIT_FILES, SQL_ROWS)
    if os.path.exists(stamp) and open(stamp).read() == version:
        return
    log("bench: creating the inputs in " + work)
    os.makedirs(os.path.join(work, "home"), exist_ok=True)
    write_sql(os.path.join(work, "sqlite.sql"), SQL_ROWS)
    subprocess.run(["/usr/bin/python3", os.path.join(BENCH, "workloads", "gen_c.py"), os.path.join(work, "gcc_input.c")],
                   check=True)
    make_git_repo(os.path.join(work, "gitrepo"), os.path.join(work, "home"))
    with open(stamp, "w") as f:
        f.write(version)


def workloads(bin_dir, work):
    """name -> dict(desc, cmds=[dict(argv, stdin, cwd, env, outfile)])"""
    wl = os.path.join(BENCH, "workloads")
    repo = os.path.join(work, "gitrepo")
    genv = git_env(os.path.join(work, "home"))
    gcc_out = os.path.join(work, "out", "gcc_input.o")
    return {
        "churn": {"desc": "1M random replaces over 10k live blocks of 8..4096 B, one thread",
                  "cmds": [{"argv": [os.path.join(bin_dir, "churn"), "1000000", "10000"]}]},
        "prodcons": {"desc": "1M blocks of 16..2048 B malloc'd by a producer thread, freed by the consumer",
                     "cmds": [{"argv": [os.path.join(bin_dir, "prodcons"), "1000000", "4096"]}]},
        "python": {"desc": "python3 (PYTHONMALLOC=malloc): 100k dicts -> json -> sort/group",
                   "cmds": [{"argv": ["/usr/bin/python3", os.path.join(wl, "py_work.py"), "100000"],
                             "env": {"PYTHONMALLOC": "malloc", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}}]},
        "perl": {"desc": "perl: hash of 200k keys, reverse hash, sort, deletes",
                 "cmds": [{"argv": ["/usr/bin/perl", os.path.join(wl, "pl_work.pl"), "200000"]}]},
        "sqlite": {"desc": "sqlite3 :memory: 50k INSERTs, an index, GROUP BYs",
                   "cmds": [{"argv": ["/usr/bin/sqlite3", ":memory:"], "stdin": os.path.join(work, "sqlite.sql")}]},
        "git": {"desc": "git log -p, git diff HEAD~150, git status (%d-commit repo); times summed" % GIT_COMMITS,
                "cmds": [{"argv": ["/usr/bin/git", "log", "-p", "--stat"], "cwd": repo, "env": genv},
                         {"argv": ["/usr/bin/git", "diff", "HEAD~150", "HEAD"], "cwd": repo, "env": genv},
                         {"argv": ["/usr/bin/git", "status"], "cwd": repo, "env": genv}]},
        "gcc": {"desc": "gcc -O2 -c of a 2k-line C file (cc1 and as are preloaded too)",
                "cmds": [{"argv": ["/usr/bin/gcc", "-O2", "-c", os.path.join(work, "gcc_input.c"), "-o", gcc_out],
                          "cwd": work, "outfile": gcc_out}]},
        "bigheap": {"desc": "1 GiB live heap of linked 64..4096 B blocks, all reachable at exit",
                    "cmds": [{"argv": [os.path.join(bin_dir, "bigheap"), "1024"]}]},
    }


# ---------------------------------------------------------------------------------------------
# Running


def config_cmd(config, argv, env, ctx, tag):
    """Returns (argv, env) of a command under a configuration."""
    env = dict(env)
    if config in HC_OPTS:
        env["LD_PRELOAD"] = ctx["lib"]
        opts = HC_OPTS[config]
        if tag.get("json"):
            opts += ":json_path=" + tag["json"]
        env["HEAPCHECK_OPTIONS"] = opts
    elif config == "lsan":
        env["LD_PRELOAD"] = LSAN_LIB + ":" + ctx["lsan_init"]
        env["LSAN_OPTIONS"] = "exitcode=0"
    elif config == "asan":
        env["LD_PRELOAD"] = ASAN_LIB
        env["ASAN_OPTIONS"] = "detect_leaks=1:exitcode=0"
    elif config == "heaptrack":
        argv = ["heaptrack", "-o", os.path.join(ctx["work"], "out", "heaptrack-%s" % tag["name"])] + argv
    elif config == "valgrind":
        argv = ["valgrind", "--leak-check=full", "--error-exitcode=0", "--trace-children=yes"] + argv
    return argv, env


def run_process(argv, env, cwd, stdin_path, stdout_path, stderr_path, timeout):
    """Runs one process; returns dict(wall, rss_kb, cpu, rc, timeout). The peak RSS is wait4()'s
    ru_maxrss: the largest of the process and of its waited-for descendants."""
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    with open(stdout_path, "wb") as fout, open(stderr_path, "wb") as ferr:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=fin, stdout=fout, stderr=ferr, start_new_session=True)
        timed_out = []

        def kill():
            timed_out.append(1)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        fin.close()
    return {"wall": wall, "rss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime, "rc": p.returncode,
            "timeout": bool(timed_out)}


HEAPTRACK_NOISE = ("heaptrack output will be written to", "/usr/lib/heaptrack/", "starting application, this might",
                   "Heaptrack finished!", "  heaptrack --analyze")


def output_digest(config, stdout_path, outfile):
    h = hashlib.sha256()
    with open(stdout_path, "rb") as f:
        data = f.read()
    if config == "heaptrack":  # heaptrack adds 3 lines before the program's output and some after
        lines = data.split(b"\n")
        for i, ln in enumerate(lines):
            if ln.startswith(b"Heaptrack finished!"):
                lines = lines[:i]
                lines.append(b"")
                break
        lines = [ln for ln in lines if not ln.decode("utf-8", "replace").startswith(HEAPTRACK_NOISE)]
        data = b"\n".join(lines)
    h.update(data)
    if outfile:
        try:
            with open(outfile, "rb") as f:
                h.update(f.read())
        except OSError:
            h.update(b"<missing output file>")
    return h.hexdigest()[:16]


def run_workload_once(name, wl, config, ctx, tag):
    """Runs all commands of a workload; returns dict(wall, rss_kb, cpu, ok, digest, err)."""
    total = {"wall": 0.0, "rss_kb": 0, "cpu": 0.0, "ok": True, "digest": "", "err": ""}
    digests = []
    logdir = os.path.join(ctx["work"], "logs")
    for i, cmd in enumerate(wl["cmds"]):
        base = dict(ctx["base_env"])
        base.update(cmd.get("env", {}))
        argv, env = config_cmd(config, cmd["argv"], base, ctx, dict(tag, name="%s-%s-%d" % (name, config, i)))
        if cmd.get("outfile") and os.path.exists(cmd["outfile"]):
            os.unlink(cmd["outfile"])
        out = os.path.join(logdir, "%s.%s.%d.out" % (name, config, i))
        err = os.path.join(logdir, "%s.%s.%d.err" % (name, config, i))
        r = run_process(argv, env, cmd.get("cwd", ctx["work"]), cmd.get("stdin"), out, err, ctx["timeout"])
        total["wall"] += r["wall"]
        total["cpu"] += r["cpu"]
        total["rss_kb"] = max(total["rss_kb"], r["rss_kb"])
        if r["timeout"] or r["rc"] != 0:
            total["ok"] = False
            total["err"] = ("timeout after %ds" % ctx["timeout"]) if r["timeout"] else ("exit status %d" % r["rc"])
            total["err"] += " (see %s)" % err
        digests.append(output_digest(config, out, cmd.get("outfile")))
    total["digest"] = ",".join(digests)
    return total


def read_json_reports(pattern_dir, prefix):
    reps = []
    for fn in sorted(os.listdir(pattern_dir)):
        if fn.startswith(prefix) and fn.endswith(".json"):
            try:
                with open(os.path.join(pattern_dir, fn), "rb") as f:
                    data = f.read()
                if b"\0" in data:  # tolerate a stray NUL byte (seen in early versions of the report writer)
                    log("bench: %s contains NUL bytes (invalid JSON); parsed without them" % fn)
                    data = data.replace(b"\0", b"")
                reps.append(json.loads(data))
            except (OSError, ValueError) as e:
                log("bench: cannot read %s: %s" % (fn, e))
    return reps


def clear_json(pattern_dir, prefix):
    for fn in os.listdir(pattern_dir):
        if fn.startswith(prefix):
            os.unlink(os.path.join(pattern_dir, fn))


def summarize_reports(reps):
    """From the JSON reports of one run (one per process): the largest stack depot, the total
    scan time, the error count."""
    if not reps:
        return None
    s = [r.get("summary", {}) for r in reps]
    biggest = max(s, key=lambda x: x.get("stack_depot_bytes", 0))
    big_idx = s.index(biggest)
    return {
        "processes": len(reps),
        "stack_depot_bytes_max": biggest.get("stack_depot_bytes", 0),
        "stack_depot_bytes_sum": sum(x.get("stack_depot_bytes", 0) for x in s),
        "stacks_max": biggest.get("stacks", 0),
        "depot_process": os.path.basename((reps[big_idx].get("command") or ["?"])[0]),
        "scan_seconds": sum(x.get("scan_seconds", 0.0) for x in s),
        "errors": sum(x.get("error_count", 0) for x in s),
        "error_kinds": sorted({k for x in s for k in (x.get("errors") or {})}),
        "allocs": sum((x.get("heap") or {}).get("total_allocs", 0) for x in s),
        "in_use_bytes": sum((x.get("heap") or {}).get("in_use_bytes", 0) for x in s),
    }


def bench_workload(name, wl, configs, ctx, args):
    log("bench: === %s: %s" % (name, wl["desc"]))
    jdir = os.path.join(ctx["work"], "json")
    res = {c: {"runs": [], "fail": None, "mismatch": [], "failed_runs": []} for c in configs}
    res["_probe"] = None
    res["_scan"] = []
    # Untimed: a glibc run for the reference output (and to warm the caches), then a heapcheck
    # default run with a JSON report (stack depot size, scan time, errors found).
    ref = run_workload_once(name, wl, "glibc", ctx, {})
    if not ref["ok"]:
        log("bench: %s fails under glibc: %s; skipped" % (name, ref["err"]))
        res["_skipped"] = ref["err"]
        return res
    res["_ref_digest"] = ref["digest"]
    if "hc-default" in configs:
        clear_json(jdir, name + "-probe-")
        probe = run_workload_once(name, wl, "hc-default", ctx, {"json": os.path.join(jdir, name + "-probe-%p.json")})
        res["_probe"] = summarize_reports(read_json_reports(jdir, name + "-probe-"))
        if res["_probe"] is not None:
            res["_probe"]["wall"] = probe["wall"]
            res["_probe"]["same_output"] = probe["digest"] == ref["digest"]
        log("bench:   probe (heapcheck default with json_path): %.2fs %s" % (probe["wall"], res["_probe"]))
    reps = args.reps
    for rep in range(reps):
        k = rep % len(configs)
        order = configs[k:] + configs[:k]
        for c in order:
            if res[c]["fail"]:
                continue
            if c == "valgrind" and rep >= args.valgrind_reps:
                continue
            tag = {}
            if name == "bigheap" and c in ("hc-default", "hc-fp"):
                clear_json(jdir, name + "-timed-")
                tag["json"] = os.path.join(jdir, name + "-timed-%p.json")
            r = run_workload_once(name, wl, c, ctx, tag)
            if not r["ok"]:
                log("bench:   %-12s rep %d FAILED: %s%s" % (c, rep + 1, r["err"],
                                                            "; not run again" if c in ("asan", "lsan", "heaptrack", "valgrind") else ""))
                if c in ("asan", "lsan", "heaptrack", "valgrind"):
                    res[c]["fail"] = r["err"]
                else:  # a failing heapcheck run is a finding: kept out of the medians, listed in the notes
                    res[c]["failed_runs"].append("rep %d: %s" % (rep + 1, r["err"]))
                continue
            if r["digest"] != ref["digest"]:
                res[c]["mismatch"].append(rep + 1)
            res[c]["runs"].append(r)
            if tag.get("json"):
                s = summarize_reports(read_json_reports(jdir, name + "-timed-"))
                if s:
                    res["_scan"].append((c, s["scan_seconds"]))
            log("bench:   %-12s rep %d: %7.2fs  %8.1f MiB%s" % (c, rep + 1, r["wall"], r["rss_kb"] / 1024.0,
                                                                  "" if r["digest"] == ref["digest"] else "  OUTPUT DIFFERS"))
    if name == "churn":
        res["_floor"] = poison_floor(ctx, reps)
    return res


def poison_floor(ctx, reps):
    """Median seconds that poisoning and verifying churn's freed bytes through a 32 MiB FIFO cost with no
    allocator at all (bench/poison_floor.c), or None."""
    prog = os.path.join(ctx["bin_dir"], "poison_floor")
    costs = []
    for _ in range(max(reps, 1)):
        r = subprocess.run([prog, "1000000", "10000", "32"], capture_output=True, text=True)
        m = re.search(r"cost ([0-9.]+) s", r.stdout)
        if r.returncode != 0 or not m:
            log("bench: poison_floor failed: %s" % (r.stderr.strip() or r.stdout.strip()))
            return None
        costs.append(float(m.group(1)))
    log("bench:   poison_floor cost %s" % costs)
    return statistics.median(costs)


# ---------------------------------------------------------------------------------------------
# Reporting


def med(res, c, key):
    if c not in res or not res[c]["runs"]:
        return None
    return statistics.median(r[key] for r in res[c]["runs"])


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def table(name, wl, res, configs):
    lines = ["### %s" % name, "", wl["desc"], ""]
    if res.get("_skipped"):
        lines.append("skipped: fails under glibc (%s)" % res["_skipped"])
        return lines
    g_t, l_t, g_m = med(res, "glibc", "wall"), med(res, "lsan", "wall"), med(res, "glibc", "rss_kb")
    lines.append("| config | time s | x glibc | x LSan | cpu s | peak RSS MiB | RSS x glibc | runs | notes |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for c in configs:
        t, m, cpu = med(res, c, "wall"), med(res, c, "rss_kb"), med(res, c, "cpu")
        notes = []
        if res[c]["fail"]:
            notes.append("FAILED: " + res[c]["fail"])
        if res[c]["failed_runs"]:
            notes.append("FAILED RUNS (left out of the medians): " + "; ".join(res[c]["failed_runs"]))
        if res[c]["mismatch"]:
            notes.append("output differs from glibc in rep %s" % ",".join(map(str, res[c]["mismatch"])))
        if c == "heaptrack" and name in ("gcc",):
            notes.append("traces the gcc driver only (heaptrack does not follow children)")
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %d | %s |" % (
            LABEL[c], fmt(t, ".2f"), fmt(ratio(t, g_t), ".2f"), fmt(ratio(t, l_t), ".2f"), fmt(cpu, ".2f"),
            fmt(None if m is None else m / 1024.0, ".1f"), fmt(ratio(m, g_m), ".2f"), len(res[c]["runs"]),
            "; ".join(notes)))
    p = res.get("_probe")
    if p:
        lines.append("")
        lines.append("heapcheck default (one run with json_path): stack depot %.1f KiB (%d stacks, in %s; %d process%s, "
                     "%.1f KiB over all), scan %.3f s, %d allocations, errors reported: %d%s, output %s." % (
                         p["stack_depot_bytes_max"] / 1024.0, p["stacks_max"], p["depot_process"], p["processes"],
                         "es" if p["processes"] != 1 else "", p["stack_depot_bytes_sum"] / 1024.0, p["scan_seconds"],
                         p["allocs"], p["errors"], (" (" + ", ".join(p["error_kinds"]) + ")") if p["error_kinds"] else "",
                         "same as glibc" if p.get("same_output") else "DIFFERENT from glibc"))
    floor, bare = res.get("_floor"), med(res, "hc-bare", "wall")
    if floor is not None and bare:
        lines.append("")
        lines.append("Floor of the checks (bench/poison_floor, no allocator): filling every freed byte with poison, "
                     "holding the blocks in a 32 MiB FIFO and comparing every byte when they leave costs %.2f s on "
                     "this stream by itself, %.1fx the whole bare run (%.2f s); checks within 1.3x bare would "
                     "leave %.2f s for it." % (floor, floor / bare, bare, 0.3 * bare))
    if res.get("_scan"):
        for c in ("hc-default", "hc-fp"):
            v = [s for cc, s in res["_scan"] if cc == c]
            if v:
                lines.append("")
                lines.append("%s: leak scan (JSON scan_seconds) median %.3f s over %d runs (%s)." % (
                    LABEL[c], statistics.median(v), len(v), ", ".join("%.3f" % x for x in v)))
    return lines


def goals(name, res):
    """[(goal, verdict, detail, cell)]: verdicts on the median wall time (and RSS); the CPU-time
    ratio is shown beside the time goals because it suffers less from other load on the machine."""
    out = []
    if res.get("_skipped"):
        return out
    T = lambda c: med(res, c, "wall")
    C = lambda c: med(res, c, "cpu")
    M = lambda c: med(res, c, "rss_kb")
    ops = {"<=": lambda r, l: r <= l, "<": lambda r, l: r < l, ">=": lambda r, l: r >= l}

    def check(goal, a, b, op, limit, what, ca=None, cb=None):
        r = ratio(a, b)
        if r is None:
            out.append((goal, "n/a", "missing measurement", "n/a"))
            return
        verdict = "PASS" if ops[op](r, limit) else "FAIL"
        detail = "%s = %.3f (goal %s %.2f)" % (what, r, op, limit)
        cell = "%s %.2f" % (verdict, r)
        rc = ratio(ca, cb)
        if rc is not None:
            cv = "PASS" if ops[op](rc, limit) else "FAIL"
            detail += "; on CPU time %.3f: %s" % (rc, cv)
            cell += " (cpu %.2f%s)" % (rc, "" if cv == verdict else " " + cv)
        out.append((goal, verdict, detail, cell))

    check("bare time <= 1.5x glibc", T("hc-bare"), T("glibc"), "<=", 1.5, "bare/glibc time", C("hc-bare"), C("glibc"))
    check("bare RSS <= 1.3x glibc", M("hc-bare"), M("glibc"), "<=", 1.3, "bare/glibc RSS")
    check("checks-only time <= 1.3x bare", T("hc-checks"), T("hc-bare"), "<=", 1.3, "checks/bare time",
          C("hc-checks"), C("hc-bare"))
    check("default time <= 1.5x LSan", T("hc-default"), T("lsan"), "<=", 1.5, "default/LSan time",
          C("hc-default"), C("lsan"))
    check("default time <= heaptrack", T("hc-default"), T("heaptrack"), "<=", 1.0, "default/heaptrack time",
          C("hc-default"), C("heaptrack"))
    if name == "gcc" and out[-1][1] != "n/a":
        g, v, d, cell = out[-1]
        out[-1] = (g, v + "*", d + "; *heaptrack traces the gcc driver only, not cc1/as", cell.replace(" ", "* ", 1))
    check("default >= 10x faster than valgrind", T("valgrind"), T("hc-default"), ">=", 10.0, "valgrind/default time",
          C("valgrind"), C("hc-default"))
    check("default RSS < ASan RSS", M("hc-default"), M("asan"), "<", 1.0, "default/ASan RSS")
    if name == "bigheap":
        v = [s for c, s in res.get("_scan", []) if c == "hc-default"]
        if not v and res.get("_probe"):
            v = [res["_probe"]["scan_seconds"]]
        if v:
            m = statistics.median(v)
            verdict = "PASS" if m < 2.0 else "FAIL"
            out.append(("bigheap scan < 2 s", verdict, "scan_seconds median %.3f s" % m, "%s %.2f s" % (verdict, m)))
        else:
            out.append(("bigheap scan < 2 s", "n/a", "no JSON report", "n/a"))
    return out


def machine_info():
    cpu = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for ln in open("/proc/meminfo"):
            if ln.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(ln.split()[1]) / 1048576.0)
    except OSError:
        pass
    return "nproc %d, CPU %s, RAM %s, kernel %s" % (os.cpu_count(), cpu, mem, platform.release())


def lib_info(lib, snap):
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        rev, dirty = "?", ""
    h = hashlib.sha256(open(snap, "rb").read()).hexdigest()[:12]
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(snap), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return "library %s (sha256 %s, built %s; copied at the start of the run); source tree %s at commit %s%s" % (
        lib, h, mtime, ROOT, rev, " (+ uncommitted changes)" if dirty else "")


def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh", description="heapcheck benchmark: all configurations side by side, interleaved")
    ap.add_argument("--reps", type=int, default=5, help="repetitions per configuration (default 5)")
    ap.add_argument("--valgrind-reps", type=int, default=1, help="repetitions for valgrind (default 1)")
    ap.add_argument("--quick", action="store_true", help="1 repetition, no valgrind, no heaptrack")
    ap.add_argument("--only", default="", help="comma-separated workloads (%s)" % ",".join(WORKLOAD_ORDER))
    ap.add_argument("--configs", default="", help="comma-separated configurations (%s)" % ",".join(c for c, _ in CONFIGS))
    ap.add_argument("--skip-valgrind", action="store_true")
    ap.add_argument("--skip-heaptrack", action="store_true")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--lib", default="", help="libheapcheck.so to test (default BUILD/lib/libheapcheck.so)")
    ap.add_argument("--lib-note", default="", help="text printed with the library's description (e.g. what it was built from)")
    ap.add_argument("--work-dir", default="", help="inputs, logs, reports (default BUILD/bench/work)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds before one run is killed (default 900)")
    ap.add_argument("--markdown", default="", help="also write the report to this file")
    ap.add_argument("--json", default="", help="write every measurement to this file (default WORK/results.json)")
    args = ap.parse_args()
    if args.quick:
        args.reps = 1
        args.skip_valgrind = True
        args.skip_heaptrack = True
    args.valgrind_reps = max(1, min(args.valgrind_reps, args.reps))

    build = os.path.abspath(args.build_dir)
    bin_dir = os.path.join(build, "bench")
    work = os.path.abspath(args.work_dir or os.path.join(bin_dir, "work"))
    lib = os.path.abspath(args.lib or os.path.join(build, "lib", "libheapcheck.so"))
    if not os.path.exists(lib):
        log("bench: %s not found: build heapcheck first (cmake -B build && cmake --build build -j2)" % lib)
        return 2
    for d in ("logs", "json", "out"):
        os.makedirs(os.path.join(work, d), exist_ok=True)
    ensure_programs(bin_dir)
    setup_inputs(work)
    # A private copy of the library: a rebuild during the run does not mix two versions.
    snap = os.path.join(work, "libheapcheck.so")
    shutil.copy2(lib, snap + ".tmp")
    os.replace(snap + ".tmp", snap)
    libinfo = lib_info(lib, snap) + ((" — " + args.lib_note) if args.lib_note else "")

    configs = [c for c, _ in CONFIGS]
    if args.configs:
        want = args.configs.split(",")
        bad = [c for c in want if c not in LABEL]
        if bad:
            log("bench: unknown configuration(s) %s" % ",".join(bad))
            return 2
        configs = [c for c in configs if c in want]
    if args.skip_valgrind or not shutil.which("valgrind"):
        configs = [c for c in configs if c != "valgrind"]
    if args.skip_heaptrack or not shutil.which("heaptrack"):
        configs = [c for c in configs if c != "heaptrack"]
    if not os.path.exists(LSAN_LIB):
        configs = [c for c in configs if c != "lsan"]
    if not os.path.exists(ASAN_LIB):
        configs = [c for c in configs if c != "asan"]
    if "glibc" not in configs:
        configs.insert(0, "glibc")

    all_wl = workloads(bin_dir, work)
    names = WORKLOAD_ORDER
    if args.only:
        names = args.only.split(",")
        bad = [n for n in names if n not in all_wl]
        if bad:
            log("bench: unknown workload(s) %s (have %s)" % (",".join(bad), ",".join(WORKLOAD_ORDER)))
            return 2

    base_env = {k: v for k, v in os.environ.items()
                if k not in ("LD_PRELOAD", "HEAPCHECK_OPTIONS", "LSAN_OPTIONS", "ASAN_OPTIONS", "MALLOC_CHECK_",
                             "GLIBC_TUNABLES", "PYTHONMALLOC", "PYTHONPATH", "PYTHONHOME", "PERL5LIB", "PERL5OPT")}
    base_env["LC_ALL"] = "C"
    ctx = {"lib": snap, "bin_dir": bin_dir, "lsan_init": os.path.join(bin_dir, "liblsan_init.so"), "work": work, "timeout": args.timeout,
           "base_env": base_env}

    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.time()
    results = {}
    for n in names:
        results[n] = bench_workload(n, all_wl[n], configs, ctx, args)
    elapsed = time.time() - t0

    cmdline = shlex.join(["bench/run.sh"] + sys.argv[1:])
    out = ["# heapcheck benchmark", "",
           "- command: `%s`" % cmdline,
           "- date: %s (run took %.1f min)" % (started.strftime("%Y-%m-%d %H:%M UTC"), elapsed / 60.0),
           "- machine: %s" % machine_info(),
           "- %s" % libinfo,
           "- repetitions: %d (valgrind: %d), configurations interleaved round-robin; medians shown" % (
               args.reps, args.valgrind_reps if "valgrind" in configs else 0),
           "- time = wall seconds (summed over the commands of a workload), cpu = user+sys of the process tree, "
           "peak RSS = wait4() ru_maxrss (largest single process of the tree)",
           ""]
    for n in names:
        out += table(n, all_wl[n], results[n], configs)
        out.append("")
    # goals
    out.append("## Goals")
    out.append("")
    out.append("Verdicts on the median wall time (RSS goals: median peak RSS), with the ratio; in parentheses the "
               "same ratio on CPU time (user+sys), and its verdict when it differs.")
    out.append("")
    all_goals = {n: goals(n, results[n]) for n in names}
    goal_names = []
    for n in names:
        for g, _, _, _ in all_goals[n]:
            if g not in goal_names:
                goal_names.append(g)
    out.append("| goal | " + " | ".join(names) + " |")
    out.append("|---|" + "---|" * len(names))
    for g in goal_names:
        row = []
        for n in names:
            v = [x for x in all_goals[n] if x[0] == g]
            row.append(v[0][3] if v else "")
        out.append("| %s | %s |" % (g, " | ".join(row)))
    out.append("")
    for n in names:
        for g, verdict, detail, _ in all_goals[n]:
            out.append("- %s %s: %s (%s)" % (verdict, n, g, detail))
    out.append("")
    out.append("## Stack depot (heapcheck default, summary.stack_depot_bytes of the largest process)")
    out.append("")
    out.append("| workload | stack depot KiB | stacks | process | allocations (all processes) |")
    out.append("|---|---:|---:|---|---:|")
    for n in names:
        p = results[n].get("_probe")
        if p:
            out.append("| %s | %.1f | %d | %s | %d |" % (n, p["stack_depot_bytes_max"] / 1024.0, p["stacks_max"],
                                                       p["depot_process"], p["allocs"]))
    text = "\n".join(out) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    jpath = args.json or os.path.join(work, "results.json")
    with open(jpath, "w") as f:
        json.dump({"command": cmdline, "date": started.isoformat(), "machine": machine_info(), "configs": configs,
                   "results": results}, f, indent=1, default=str)
    log("bench: measurements in %s, logs in %s" % (jpath, os.path.join(work, "logs")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
