#!/usr/bin/env python3
"""gen_man.py: fills the troff templates docs/man/*.1.in from the sources of truth, at build time.

  gen_man.py driver TEMPLATE OUT --options-def libcheck/options.def --options-h libcheck/options.h
                    --version V --libdir DIR --tool build/bin/heapcheck
      heapcheck.1: the option table from options.def (one entry per LC_OPTION, in its order); Valgrind's
      flags from the table the driver prints in its --help (tools/heapcheck.c).
  gen_man.py report TEMPLATE OUT --tool build/bin/heapcheck-report --version V
      heapcheck-report.1: synopsis, commands and exit status from the tool's own --help text.

Only fills in: the prose is the template's. Fails (exit 1, nothing written) when a source gives nothing,
so a changed format cannot produce an empty page silently."""
import argparse
import re
import subprocess
import sys


def die(msg):
    sys.stderr.write("gen_man.py: %s\n" % msg)
    sys.exit(1)


def esc(text):
    """Plain text to troff: backslashes, minus signs (copy-pastable options), quotes, control lines."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def c_string(tok):
    tok = tok.strip()
    if tok.startswith('"') and tok.endswith('"'):
        return tok[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return tok


def macro_fields(line, n):
    """The first n comma-separated fields of a macro call, then the rest (the help string holds commas)."""
    body = line[line.index("(") + 1:line.rindex(")")]
    parts = body.split(",", n)
    if len(parts) != n + 1:
        return None
    return [p.strip() for p in parts]


def read_options(path, options_h):
    strmax = None
    with open(options_h) as f:
        m = re.search(r"^#define LC_OPTION_STR_MAX (\d+)", f.read(), re.M)
        if m:
            strmax = int(m.group(1))
    if strmax is None:
        die("no LC_OPTION_STR_MAX in %s" % options_h)
    words, aliases, options = {}, {}, []
    with open(path) as f:
        for line in f:
            if line.startswith(("LC_WORD(", "LC_ALIAS(")):
                fl = [p.strip() for p in line[line.index("(") + 1:line.rindex(")")].split(",")]
                (words if line.startswith("LC_WORD") else aliases).setdefault(fl[0], []).append(fl[2])
            elif line.startswith("LC_OPTION("):
                fl = macro_fields(line, 6)
                if not fl:
                    die("%s: cannot read: %s" % (path, line.strip()))
                typ, name, default, lo, hi, secure, help_ = fl
                options.append(dict(type=typ, name=name, default=c_string(default), min=lo, max=hi,
                                    secure=secure, help=c_string(help_)))
    if not options:
        die("no LC_OPTION in %s" % path)
    return options, words, aliases, strmax


def takes(o, words, aliases, strmax):
    """What a value must be: the words of lc_options_expected() in libcheck/options.c."""
    t = o["type"]
    if t == "bool":
        return "0 or 1"
    if t == "int":
        return "an integer from %s to %s" % (o["min"], o["max"])
    w = ", ".join(words.get(o["name"], []))
    if t == "enum":
        a = aliases.get(o["name"])
        return "one of %s%s" % (w, " (or %s)" % ", ".join(a) if a else "")
    if t == "list":
        return "a comma-separated list of %s (may be empty)" % w
    return "at most %d bytes" % (strmax - 1)


def metavar(o, words):
    return {"bool": "0|1", "int": "N", "list": "LIST", "str": "STR"}.get(o["type"]) or "|".join(words[o["name"]])


SECURE = {"taken": "taken", "file": "ignored (it names a file)", "status": "ignored (it sets the exit status)",
          "findings": "ignored (it changes what is found)", "process": "ignored (it decides which processes "
          "are checked)", "timing": "ignored (it changes how long the program runs)"}


def driver_options(args):
    options, words, aliases, strmax = read_options(args.options_def, args.options_h)
    out = []
    for o in options:
        default = o["default"] if o["default"] != "" else "empty"
        out.append(".TP")
        out.append("\\fB\\-\\-%s=\\fP\\fI%s\\fP" % (esc(o["name"]), esc(metavar(o, words))))
        out.append(esc(o["help"]))
        out.append(esc("Takes %s; default %s. Under secure execution: %s." %
                       (takes(o, words, aliases, strmax), default,
                        SECURE.get(o["secure"]) or die("%s: unknown secure class %s" %
                                                        (o["name"], o["secure"])))))
    return {"OPTIONS": "\n".join(out)}


def tool_help(tool):
    try:
        return subprocess.run([tool, "--help"], check=True, stdout=subprocess.PIPE,
                              universal_newlines=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die("cannot run %s --help: %s" % (tool, e))


def entries(lines):
    """'  TAG  text' entries with continuation lines indented further, until a blank line."""
    out = []
    for line in lines:
        if not line.strip():
            break
        m = re.match(r"^  (\S+)\s{2,}(\S.*)$", line)
        if m:
            out.append([m.group(1), [m.group(2)]])
        elif out and re.match(r"^\s{4,}\S", line):
            out[-1][1].append(line.strip())
        else:
            die("cannot read the help line: %s" % line)
    return out


def driver_valgrind(tool):
    lines = tool_help(tool).split("\n")
    start = [i for i, l in enumerate(lines) if l.startswith("Valgrind's flags")]
    if not start:
        die("%s --help: no \"Valgrind's flags\" section" % tool)
    flags = entries(lines[start[0] + 1:])
    if not flags:
        die("%s --help: no Valgrind flag listed" % tool)
    out = []
    for flag, text in flags:
        name, eq, value = flag.partition("=")
        out.append(".TP")
        out.append("\\fB%s%s\\fP%s" % (esc(name), eq, "\\fI%s\\fP" % esc(value) if value else ""))
        out.append(esc(" ".join(text)))
    return "\n".join(out)


def report_sections(args):
    text = tool_help(args.tool)
    synopsis, commands, notes, status = [], [], [], []
    cmd = None
    for line in text.split("\n"):
        m = re.match(r"^(?:usage:)?\s+heapcheck-report (.*)$", line)
        if m:
            synopsis.append(m.group(1))
            continue
        m = re.match(r"^  ([a-z][a-z-]*)\s{2,}(\S.*)$", line)
        if m:
            cmd = [m.group(1), [m.group(2)]]
            commands.append(cmd)
            continue
        if cmd and re.match(r"^\s{4,}\S", line):
            cmd[1].append(line.strip())
            continue
        cmd = None
        if line.startswith("Exit status:"):
            status.append(line[len("Exit status:"):].strip())
        elif line.strip():
            (status if status and not notes and not line[0].isupper() else notes).append(line.strip())
    if not synopsis or not commands or not status:
        die("%s --help: expected usage lines, an indented command list and 'Exit status:'" % args.tool)
    syn = []
    for s in synopsis:
        syn.append(".br" if syn else "")
        syn.append("\\fBheapcheck\\-report\\fP %s" % esc(s))
    body = []
    for name, lines in commands:
        body.append(".TP")
        body.append("\\fB%s\\fP" % esc(name))
        body.append(esc(" ".join(lines)))
    return {"SYNOPSIS": "\n".join(x for x in syn if x), "COMMANDS": "\n".join(body),
            "EXIT_STATUS": esc(" ".join(status)), "NOTES": esc(" ".join(notes))}


def main():
    ap = argparse.ArgumentParser(description="fill a heapcheck man page template")
    ap.add_argument("page", choices=["driver", "report"])
    ap.add_argument("template")
    ap.add_argument("out")
    ap.add_argument("--version", required=True)
    ap.add_argument("--options-def")
    ap.add_argument("--options-h")
    ap.add_argument("--libdir", default="../lib")
    ap.add_argument("--tool")
    args = ap.parse_args()
    if args.page == "driver":
        if not args.options_def or not args.options_h:
            die("driver needs --options-def and --options-h")
        if not args.tool:
            die("driver needs --tool (the built heapcheck)")
        fill = driver_options(args)
        fill["VALGRIND_FLAGS"] = driver_valgrind(args.tool)
        fill["LIBDIR"] = esc(args.libdir)
        fill["LIBRARY"] = esc(args.libdir if args.libdir.startswith("/") else "DIR/" + args.libdir)
    else:
        if not args.tool:
            die("report needs --tool")
        fill = report_sections(args)
    fill["VERSION"] = esc(args.version)
    with open(args.template) as f:
        page = f.read()
    def put(m):
        if m.group(1) not in fill:
            die("%s: unknown placeholder @%s@" % (args.template, m.group(1)))
        return fill[m.group(1)]
    page = re.sub(r"@([A-Z_]+)@", put, page)
    with open(args.out, "w") as f:
        f.write(page)


if __name__ == "__main__":
    main()
