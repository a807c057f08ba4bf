"""One Markdown row from ab.sh's output on stdin (its last line, 'median examples/s: ...'); argv[1] = workload."""
import re
import sys

w = sys.argv[1]
text = sys.stdin.read()
m = re.search(r"median examples/s: \S+ (\d+), \S+ (\d+); median per-round ratio ([\d.]+) \(min ([\d.]+), max ([\d.]+)\)", text)
if not m:
    print(f"| {w} | failed | | {text.strip().splitlines()[-1] if text.strip() else 'no output'} |")
else:
    b, a, r, lo, hi = m.groups()
    print(f"| {w} | {int(b):,} | {int(a):,} | {r}x ({lo}-{hi}) |")
