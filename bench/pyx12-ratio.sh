#!/usr/bin/env bash
# cleanclaim against pyx12 4.0.0 (the Python X12 validator) on the same files, with the ratio.
#
#   bench/pyx12-ratio.sh            # corpus files (where ../shared is), the fixtures, a generated 835
#   CLEANCLAIM=target/release/cleanclaim bench/pyx12-ratio.sh   # a binary already built
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
if [ -n "${CLEANCLAIM:-}" ]; then
  bin=$(realpath "$CLEANCLAIM")
else
  cargo build --profile dist -q -p cleanclaim
  bin=$PWD/target/dist/cleanclaim
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixtures=crates/x12/tests/data/fixtures
cp "$fixtures/837p/with-other-payer.837" "$fixtures/835/paid-and-denied.835" \
   "$fixtures/999/partial-with-ctx.999" "$fixtures/277ca/one-rejected.277" "$work/"
if [ -d "$corpus" ]; then
  cp "$corpus/x12-837p/imsweb__x12_many_claims.txt" \
     "$corpus/x12-835/oopfactory__ExampleFromNth.txt" \
     "$corpus/x12-835/lfh-x12__managed-care.835" "$work/"
else
  echo "corpus cases skipped: $corpus is not here"
fi
# A generated 835 of 1 MB, two claims per payment (the shape of bench/remit-cli.sh).
sed -n '/^python3 - /,/^PY$/p' bench/remit-cli.sh \
  | sed "s|\"\$file\" \"\$mb\" \"\${PER_SET:-5000}\"|$work/generated.835 1 2|" | bash

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

import os
validate = ["x12", "validate"]
cases = [
    ("837P validate, imsweb__x12_many_claims.txt (330 KB)", "imsweb__x12_many_claims.txt", validate, 3),
    ("835 ExampleFromNth.txt (22 KB): pyx12 validate vs remit --format json", "oopfactory__ExampleFromNth.txt", ["remit", "--format", "json"], 10),
    ("835 ExampleFromNth.txt (22 KB): validate", "oopfactory__ExampleFromNth.txt", validate, 10),
    ("835 managed-care.835 (1 KB): pyx12 validate vs remit --format json", "lfh-x12__managed-care.835", ["remit", "--format", "json"], 20),
    ("835 generated, 1 MB, two claims per payment: validate", "generated.835", validate, 3),
    ("fixture 837P with-other-payer.837: validate", "with-other-payer.837", validate, 20),
    ("fixture 835 paid-and-denied.835: validate", "paid-and-denied.835", validate, 20),
    ("fixture 999 partial-with-ctx.999: validate", "partial-with-ctx.999", validate, 20),
    ("fixture 277CA one-rejected.277: validate", "one-rejected.277", validate, 20),
]
print(f"{'case':<72} {'pyx12':>10} {'cleanclaim':>11} {'ratio':>8}")
for label, name, args, runs in cases:
    path = f"{work}/{name}"
    if not os.path.exists(path):
        continue
    theirs = pyx12_seconds(path, runs)
    ours = cleanclaim_seconds([*args, path], max(runs, 10))
    print(f"{label:<72} {theirs*1000:>8.1f}ms {ours*1000:>9.2f}ms {theirs/ours:>7.0f}x")
PY
