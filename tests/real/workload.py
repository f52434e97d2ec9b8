# workload.py: a deterministic, allocation-heavy Python program for tests/real/python.sh.
# Run with PYTHONMALLOC=malloc so that every object goes through malloc/free (the allocator under test).
# Prints results to stdout and a few lines to stderr; the output must not depend on the allocator.
import json
import re
import sys
import threading
from collections import Counter, defaultdict


class Node:
    __slots__ = ("key", "children", "payload")

    def __init__(self, key, payload):
        self.key = key
        self.children = []
        self.payload = payload

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


class Account:
    def __init__(self, name, balance):
        self.name = name
        self.balance = balance
        self.history = []

    def withdraw(self, amount):
        if amount > self.balance:
            raise ValueError("insufficient funds in %s: %d > %d" % (self.name, amount, self.balance))
        self.balance -= amount
        self.history.append(-amount)

    def __repr__(self):
        return "Account(%r, %d, %d ops)" % (self.name, self.balance, len(self.history))


def lcg(seed):
    x = seed
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield x >> 33


def build_tree(rng, depth, fanout):
    root = Node("root", b"")
    level = [root]
    for d in range(depth):
        nxt = []
        for n in level:
            for i in range(fanout):
                c = Node("%s/%d" % (n.key, i), bytes(next(rng) % 251 for _ in range(next(rng) % 64)))
                n.children.append(c)
                nxt.append(c)
        level = nxt
    return root


def section(title):
    print("== %s" % title)


def main():
    rng = lcg(12345)

    section("dicts")
    d = {}
    for i in range(25000):
        d["key-%06d" % i] = [i, str(i) * (i % 7), {"sq": i * i}]
    for i in range(0, 25000, 3):
        del d["key-%06d" % i]
    total = sum(v[0] for v in d.values())
    print(len(d), total, sum(len(v[1]) for v in d.values()))
    dd = defaultdict(list)
    for k, v in d.items():
        dd[int(k[-1])].append(v[2]["sq"] % 1000)
    print(sorted((k, len(v), sum(v)) for k, v in dd.items()))

    section("sorting")
    words = ["".join(chr(97 + next(rng) % 26) for _ in range(1 + next(rng) % 12)) for _ in range(12000)]
    srt = sorted(words)
    by_len = sorted(words, key=lambda w: (len(w), w), reverse=True)
    print(srt[:5], srt[-5:], by_len[:3])
    print(Counter(len(w) for w in words).most_common(4))

    section("classes")
    tree = build_tree(rng, 5, 5)
    nodes = list(tree.walk())
    print(len(nodes), sum(len(n.payload) for n in nodes), nodes[-1].key)
    del tree, nodes

    section("json")
    doc = {"users": [{"id": i, "name": "user%d" % i, "tags": ["t%d" % (i % 13), "x" * (i % 50)],
                      "score": (i * 37) % 1000 / 10.0} for i in range(6000)]}
    text = json.dumps(doc, sort_keys=True)
    back = json.loads(text)
    print(len(text), back == doc, back["users"][1234]["name"], sum(u["score"] for u in back["users"]))

    section("re")
    pat = re.compile(r"user(\d+)[^}]*?\"score\": (\d+)\.(\d)")
    hits = [(int(m.group(1)), int(m.group(2))) for m in pat.finditer(text)]
    print(len(hits), hits[:3], hits[-1])
    print(len(re.findall(r"x{10,}", text)), re.sub(r"[aeiou]", "#", " ".join(srt[:20])))

    section("megabytes")
    big = [bytearray(1000 + (i % 97) * 50) for i in range(3000)]        # ~12 MB of buffers
    for i, b in enumerate(big):
        b[0] = i % 256
        b[-1] = (i * 7) % 256
    chunks = [bytes(b) for b in big[::3]]
    joined = b"".join(chunks)
    print(len(big), sum(len(b) for b in big), len(joined), sum(b[0] + b[-1] for b in big) % 100003)
    del big, chunks, joined
    grow = []
    for i in range(200):
        grow.append("z" * (i * 1000))                                    # realloc-like growth patterns
    s = "".join(grow)
    print(len(s), s.count("z"))
    del grow, s

    section("exceptions")
    accounts = [Account("acct%d" % i, 1000 + i) for i in range(300)]
    failures = 0
    for i in range(5000):
        a = accounts[next(rng) % len(accounts)]
        try:
            a.withdraw(next(rng) % 400)
        except ValueError as e:
            failures += 1
            if failures <= 3:
                print("caught:", e, file=sys.stderr)
    try:
        try:
            {}["missing"]
        except KeyError as e:
            raise RuntimeError("wrapped") from e
    except RuntimeError as e:
        print("chained:", repr(e), repr(e.__cause__))
    print(failures, sum(a.balance for a in accounts), accounts[7])

    section("generators")
    def primes():
        found = []
        n = 2
        while True:
            if all(n % p for p in found if p * p <= n):
                found.append(n)
                yield n
            n += 1
    g = primes()
    ps = [next(g) for _ in range(800)]
    print(ps[-1], sum(ps), sum(x * x for x in range(20000) if x % 7 == 3))

    section("threads")
    lock = threading.Lock()
    results = {}

    def worker(t):
        local = {}
        r = lcg(1000 + t)
        for i in range(5000):
            k = next(r) % 5000
            local[k] = local.get(k, "") + str(i % 10)
            if len(local[k]) > 40:
                del local[k]
        items = sorted(local.items())
        with lock:
            results[t] = (len(items), sum(len(v) for _, v in items), items[0])

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for t in sorted(results):
        print(t, results[t])

    print("warning: done", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main())
