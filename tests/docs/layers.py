#!/usr/bin/env python3
"""libcheck stands in the layers of docs/design.md ("Layers"): every #include and every lc_ symbol an object
takes from another goes to the same layer or a lower one, the objects form no cycle through the lc_ interface,
and every file of libcheck/ has a row in the table.

usage: layers.py TOP OBJECT...   (OBJECT: the compiled libcheck objects, named MODULE.c.o)
"""
import os
import re
import subprocess
import sys


def fail(msgs):
    for m in msgs:
        print("FAIL: " + m)
    sys.exit(1)


def read_layers(design):
    """module -> layer number, from the table under '## Layers'."""
    text = open(design, encoding="utf-8").read()
    sect = re.search(r"^## Layers\n(.*?)(?=^## )", text, re.S | re.M)
    if not sect:
        fail([f"{design} has no '## Layers' section"])
    layers = {}
    for line in sect.group(1).splitlines():
        m = re.match(r"\|\s*(\d+)\s+[^|]*\|([^|]*)\|", line)
        if not m:
            continue
        for mod in re.findall(r"`([a-z_]+)`", m.group(2)):
            if mod in layers:
                fail([f"module {mod} has two rows in the layer table"])
            layers[mod] = int(m.group(1))
    if not layers:
        fail([f"the layer table in {design} has no rows"])
    return layers


def module_of(name):
    """libcheck/x.c, x.h, x.def, x.c.o -> x."""
    base = os.path.basename(name)
    return base.split(".", 1)[0]


def check_includes(top, layers):
    errors = []
    src = os.path.join(top, "libcheck")
    files = sorted(f for f in os.listdir(src) if re.search(r"\.(c|h|def)$", f))
    for f in files:
        mod = module_of(f)
        if mod not in layers:
            errors.append(f"libcheck/{f} has no row in the layer table of docs/design.md")
            continue
        for n, line in enumerate(open(os.path.join(src, f), encoding="utf-8"), 1):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if not m:
                continue
            inc = module_of(m.group(1))
            if inc not in layers:
                errors.append(f"libcheck/{f}:{n} includes {m.group(1)}, which has no row in the layer table")
            elif layers[inc] > layers[mod]:
                errors.append(f"libcheck/{f}:{n} includes {m.group(1)}: layer {layers[mod]} ({mod}) "
                              f"may not use layer {layers[inc]} ({inc})")
    return errors, len(files)


def nm(obj, *flags):
    out = subprocess.run(["nm", "-P", *flags, obj], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines() if line.strip()]


def check_symbols(objects, layers):
    errors = []
    defined = {}                   # lc_ symbol -> module that defines it
    uses = {}                      # module -> set of lc_ symbols it takes from elsewhere
    for obj in objects:
        mod = module_of(obj)
        if mod not in layers:
            errors.append(f"object {os.path.basename(obj)} has no row in the layer table")
            continue
        for fields in nm(obj, "--defined-only"):
            if len(fields) >= 2 and fields[1] in "TDBRVWCGS" and fields[0].startswith("lc_"):
                defined[fields[0]] = mod
        uses[mod] = {f[0] for f in nm(obj, "-u") if f and f[0].startswith("lc_")}
    if not defined:
        fail(["no lc_ symbol is defined by the objects given: wrong object list?"])
    edges = {}
    for mod, syms in uses.items():
        for sym in sorted(syms):
            to = defined.get(sym)
            if to is None or to == mod:
                continue
            edges.setdefault(mod, {}).setdefault(to, []).append(sym)
            if layers[to] > layers[mod]:
                errors.append(f"{mod} (layer {layers[mod]}) calls up into {to} (layer {layers[to]}): {sym}")
    # No cycle through the lc_ interface, also within a layer.
    state = {}

    def visit(m, path):
        state[m] = 1
        for to in sorted(edges.get(m, {})):
            if state.get(to) == 1:
                cyc = path[path.index(to):] + [to]
                errors.append("cycle: " + " -> ".join(cyc) + " (" + ", ".join(
                    f"{a}->{b}: {edges[a][b][0]}" for a, b in zip(cyc, cyc[1:])) + ")")
            elif to not in state:
                visit(to, path + [to])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    return errors, sum(len(v) for v in edges.values())


def main():
    if len(sys.argv) < 3:
        fail(["usage: layers.py TOP OBJECT..."])
    top, objects = sys.argv[1], [o for arg in sys.argv[2:] for o in arg.split(";") if o]
    layers = read_layers(os.path.join(top, "docs", "design.md"))
    errors, nfiles = check_includes(top, layers)
    sym_errors, nedges = check_symbols(objects, layers)
    errors += sym_errors
    if errors:
        fail(errors)
    print(f"ok: {nfiles} files and {len(objects)} objects in {len(set(layers.values()))} layers, "
          f"{nedges} module edges, all downward, no cycle")


if __name__ == "__main__":
    main()
