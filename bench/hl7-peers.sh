#!/usr/bin/env bash
# cleanclaim's HL7 v2 parser against python-hl7 0.4.5 and hl7apy 1.3.5 on the same DFT^P03
# file, with the ratios.
#
#   bench/hl7-peers.sh [COUNT]     # COUNT messages for the Python peers (default 5000)
#
# The bench binary writes 20,000 generated DFT^P03 messages (seed 7) to bench/out/dft.hl7 and
# prints its own figures on them; the peers parse the first COUNT messages of the same file
# in-process (no interpreter start-up in their figures), best of three (hl7apy on a fifth of
# them), and the rates are compared per message. hl7apy parses without validation and without grouping
# (`find_groups=False`), its fastest mode. Needs python3 with venv and access to PyPI (the
# venv is cached under bench/out).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5000}
venv=bench/out/hl7-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q hl7==0.4.5 hl7apy==1.3.5
fi
ours=$(cargo bench -q -p cleanclaim-emr --bench hl7_throughput 2>/dev/null)
echo "$ours"
"$venv/bin/python" - "$count" "$ours" <<'PY'
import sys, time
import hl7
from hl7apy.parser import parse_message

count, ours = int(sys.argv[1]), sys.argv[2]
# newline="" keeps the CR segment terminators (universal newlines would turn them into LF).
text = open("bench/out/dft.hl7", encoding="utf-8", newline="").read()
messages = [m for m in text.split("\n") if m.startswith("MSH")][:count]
assert all(m.count("\r") > 5 for m in messages)

def best(fn, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)

def python_hl7():
    for m in messages:
        hl7.parse(m)

def walk_hl7apy(element):
    total = 0
    for child in element.children:
        total += walk_hl7apy(child) if child.children else len(child.value or "")
    return total

# hl7apy is about fifty times slower than python-hl7: a fifth of the messages gives the same
# per-message rate in a fifth of the time.
apy_messages = messages[: max(1, len(messages) // 5)]

def hl7apy_parse():
    for m in apy_messages:
        parse_message(m, find_groups=False)

rates = {}
for name, fn, batch in [("python-hl7 parse", python_hl7, messages), ("hl7apy parse", hl7apy_parse, apy_messages)]:
    took = best(fn)
    mb = sum(len(m.encode()) for m in batch) / 1e6
    rates[name] = len(batch) / took
    print(f"{name:<18} {len(batch):>7} messages {mb:>7.2f} MB  {mb / took:>9.2f} MB/s  {len(batch) / took:>11.0f} messages/s")

line = next(l for l in ours.splitlines() if l.startswith("parse + walk"))
ours_rate = float(line.split()[-2])
for name, rate in rates.items():
    print(f"cleanclaim parse + walk / {name}: {ours_rate / rate:.0f}x")
PY
