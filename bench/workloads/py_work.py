# python workload (run with PYTHONMALLOC=malloc so that every object goes through malloc):
# builds a few 100k dicts, lists, strings and tuples, round-trips them through json, sorts and
# groups them, and prints checksums that do not depend on the allocator.
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000

records = []
for i in range(n):
    records.append({
        "id": i,
        "name": "user%06d" % i,
        "email": "user%d@example.org" % (i * 7919 % 100003),
        "tags": ["t%d" % (i % 13), "g%d" % (i % 7)],
        "score": (i * 2654435761) % 1000 / 10.0,
    })

text = json.dumps(records)
back = json.loads(text)
assert len(back) == n

groups = {}
for r in back:
    groups.setdefault(r["tags"][0], []).append(r["score"])
summary = sorted((k, len(v), round(sum(v), 1)) for k, v in groups.items())

by_email = {}
for r in back:
    by_email.setdefault(r["email"], []).append(r["id"])
dups = sum(1 for v in by_email.values() if len(v) > 1)

words = [r["name"][::-1] + r["email"] for r in back]
words.sort()
pairs = list(zip(words[::2], words[1::2]))
del records, back

print("records", n, "json", len(text), "groups", len(summary), "dups", dups, "pairs", len(pairs))
print(summary[:3])
print(words[0], words[-1])
