#!/usr/bin/env bash
# cleanclaim against pyx12 4.0.0 (the Python X12 validator) on the same files, with the ratio.
#
#   bench/pyx12-ratio.sh            # the 330 KB 837P sample and two corpus 835s
#
# pyx12 runs in-process (no interpreter start-up in its figure); cleanclaim runs as the CLI,
# process start-up included, so the ratio is conservative. pyx12 writes acknowledgments next
# to its input, so both tools read copies in a temporary folder, never ../shared/corpus.
# Needs python3 with venv and access to PyPI (the venv is cached under bench/out).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/corpus
venv=bench/out/pyx12-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pyx12==4.0.0
fi
cargo build --profile dist -q -p cleanclaim
bin=$PWD/target/dist/cleanclaim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$corpus/x12-837p/imsweb__x12_many_claims.txt" \
   "$corpus/x12-835/oopfactory__ExampleFromNth.txt" \
   "$corpus/x12-835/lfh-x12__managed-care.835" "$work/"

"$venv/bin/python" - "$bin" "$work" <<'PY'
import io, logging, statistics, subprocess, sys, time
import pyx12.params, pyx12.x12n_document

logging.disable(logging.CRITICAL)
binary, work = sys.argv[1], sys.argv[2]

def pyx12_seconds(path, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with open(path, encoding="utf-8-sig") as source:
            pyx12.x12n_document.x12n_document(pyx12.params.params(), source, io.StringIO(), None, None)
        times.append(time.perf_counter() - start)
    return statistics.median(times)

def cleanclaim_seconds(args, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)

cases = [
    ("837P validate, imsweb__x12_many_claims.txt (330 KB)", "imsweb__x12_many_claims.txt", ["x12", "validate"], 3),
    ("835 ExampleFromNth.txt (22 KB): pyx12 validate vs remit --format json", "oopfactory__ExampleFromNth.txt", ["remit", "--format", "json"], 10),
    ("835 managed-care.835 (1 KB): pyx12 validate vs remit --format json", "lfh-x12__managed-care.835", ["remit", "--format", "json"], 20),
]
print(f"{'case':<72} {'pyx12':>10} {'cleanclaim':>11} {'ratio':>8}")
for label, name, args, runs in cases:
    path = f"{work}/{name}"
    theirs = pyx12_seconds(path, runs)
    ours = cleanclaim_seconds([*args, path], max(runs, 10))
    print(f"{label:<72} {theirs*1000:>8.1f}ms {ours*1000:>9.2f}ms {theirs/ours:>7.0f}x")
PY
