#!/usr/bin/python3
"""reports.py: checks heapcheck JSON reports (docs/report-schema.md) for the tests of tests/real.

  reports.py [--min N] [--max N] [--need NAME]... [--clean] REPORT...

Every REPORT must be valid JSON (strictly: no stray bytes), a format-2 heapcheck report, with
summary.error_count == 0, an empty "errors" list and an empty summary.errors map: no heap misuse was
reported (all checks stay on in these runs, so this is the proof that none is a false report).
--min/--max N   how many reports there must be (default: at least 1).
--need NAME     some report must come from a process whose command is NAME: the basename of argv[0],
                or that basename and argv[1] ("git pack-objects"). Repeatable.
--clean         no unsuppressed definite or possible leak either (programs of our own).
Prints one line per report. Exit 0 when all holds, 1 otherwise.
"""
import json
import os
import sys


def main(argv):
    mn, mx, need, clean, files = 1, None, [], False, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--min":
            mn = int(argv[i + 1]); i += 2
        elif a == "--max":
            mx = int(argv[i + 1]); i += 2
        elif a == "--need":
            need.append(argv[i + 1]); i += 2
        elif a == "--clean":
            clean = True; i += 1
        else:
            files.append(a); i += 1
    files = [f for f in files if os.path.exists(f)]      # an unmatched glob stays as written
    bad = []
    names = set()
    for f in files:
        try:
            with open(f, "rb") as fp:
                raw = fp.read()
            r = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            bad.append("%s: not valid JSON: %s" % (f, e))
            continue
        if not isinstance(r, dict) or r.get("heapcheck_report") != 2:
            bad.append("%s: not a format-2 heapcheck report" % f)
            continue
        cmd = r.get("command") or ["?"]
        base = os.path.basename(cmd[0])
        names.add(base)
        if len(cmd) > 1:
            names.add(base + " " + cmd[1])
        s = r.get("summary") or {}
        leaks = s.get("leaks") or {}
        ec = s.get("error_count")
        print("report pid %s: %s: %s allocs, %s errors, definite %s blocks, possible %s blocks" % (
            r.get("pid"), " ".join(cmd)[:70], (s.get("heap") or {}).get("total_allocs"), ec,
            leaks.get("definite_blocks"), leaks.get("possible_blocks")))
        if ec != 0:
            bad.append("%s: summary.error_count is %r, expected 0" % (f, ec))
        if r.get("errors"):
            for e in r["errors"]:
                fr = (e.get("stacks") or {}).get("detected") or []
                where = " <- ".join((x.get("function") or x.get("module") or "?") for x in fr[:6])
                bad.append("%s: error %s: %s at %s" % (f, e.get("kind"), e.get("description"), where))
        if s.get("errors"):
            bad.append("%s: summary.errors is %r, expected {}" % (f, s.get("errors")))
        if clean:
            for lk in r.get("leaks") or []:
                if lk.get("suppressed_by") is None and lk.get("kind") in ("leak-definite", "leak-possible"):
                    fr = lk.get("stack") or []
                    where = " <- ".join((x.get("function") or x.get("module") or "?") for x in fr[:6])
                    bad.append("%s: %s of %s bytes at %s" % (f, lk.get("kind"), lk.get("bytes"), where))
    if len(files) < mn:
        bad.append("%d report(s), expected at least %d" % (len(files), mn))
    if mx is not None and len(files) > mx:
        bad.append("%d report(s), expected at most %d" % (len(files), mx))
    for n in need:
        if n not in names:
            bad.append("no report from a process '%s' (reports from: %s)" % (n, ", ".join(sorted(names))))
    for b in bad:
        print("BAD: " + b)
    print("%d report(s), %s" % (len(files), "all clean" if not bad else "%d problem(s)" % len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
