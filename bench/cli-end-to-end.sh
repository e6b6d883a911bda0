#!/usr/bin/env bash
# End-to-end CLI figures for BENCHMARKS.md: generate N encounters, then scrub them as NDJSON
# in both output formats, reporting input MB/s, encounters/s and peak memory (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=${OUT_DIR:-bench/out}
mkdir -p "$out"
cargo build --profile dist -q -p cleanclaim
bin=target/dist/cleanclaim
timed() { /usr/bin/time -f "%e s wall, %M KiB peak RSS" "$@"; }

echo "generate $n encounters:"
timed "$bin" generate --encounters "$n" --seed 2026 --out "$out/synth.ndjson"
bytes=$(stat -c %s "$out/synth.ndjson")
echo "input: $((bytes / 1000000)) MB"

for format in json table; do
  echo "scrub --format $format:"
  start=$(date +%s.%N)
  timed "$bin" scrub --format "$format" "$out/synth.ndjson" > /dev/null 2> "$out/scrub-$format.err" || true
  end=$(date +%s.%N)
  tail -n 2 "$out/scrub-$format.err"
  python3 -c "s=$end-$start; print(f'  {$bytes/1e6/s:.1f} MB/s in, {$n/s:,.0f} encounters/s')"
done
