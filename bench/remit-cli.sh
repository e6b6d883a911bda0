#!/usr/bin/env bash
# `cleanclaim remit` end to end on a large synthetic 835: wall time, MB/s and peak memory
# (GNU time), for the table and JSON outputs, and `x12 validate` on the same file.
# Usage: [PER_SET=claims per transaction set, default 5000] bench/remit-cli.sh [MB, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
out=${OUT_DIR:-bench/out}
mkdir -p "$out"
cargo build --profile dist -q -p cleanclaim
bin=target/dist/cleanclaim
file="$out/synthetic.835"
python3 - "$file" "$mb" "${PER_SET:-5000}" <<'PY'
import sys
path, mb, per_set = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
claim = ("CLP*ENC{n:09}*1*360*216*72*12*PCN{n:012}~NM1*QC*1*PATIENT*SYNTH****MI*MEM{n:08}~DTM*232*20241015~"
         "SVC*HC:97110:GP*180*108**4~DTM*472*20241015~CAS*CO*45*36~CAS*PR*2*36~REF*6R*ENC{n:09}-1~AMT*B6*144~"
         "SVC*HC:97140:GP*90*54**2~DTM*472*20241015~CAS*CO*45*18~CAS*PR*2*18~REF*6R*ENC{n:09}-2~AMT*B6*72~"
         "SVC*HC:97530:GP*90*54**2~DTM*472*20241015~CAS*CO*45*18~CAS*PR*2*18~REF*6R*ENC{n:09}-3~AMT*B6*72~\n")
with open(path, "w") as f:
    f.write("ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*CLINIC         *241101*1200*^*00501*000000001*0*P*:~\n"
            "GS*HP*SYNTHPAYER*CLINIC*20241101*1200*1*X*005010X221A1~\n")
    n, sets = 0, 0
    while f.tell() < mb * 1_000_000:
        sets += 1
        f.write(f"ST*835*{sets:04}~BPR*I*{216*per_set}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*20241101~"
                f"TRN*1*SYN{sets:08}*1512345678~DTM*405*20241101~N1*PR*SYNTHETIC HEALTH PLAN~N1*PE*CLINIC*XX*1234567893~LX*1~\n")
        f.write("".join(claim.format(n=n + i) for i in range(per_set)))
        n += per_set
        f.write(f"SE*{7 + 21 * per_set + 1}*{sets:04}~\n")
    f.write(f"GE*{sets}*1~IEA*1*000000001~\n")
PY
bytes=$(stat -c %s "$file")
echo "input: $((bytes / 1000000)) MB"
for format in table json; do
  start=$(date +%s.%N)
  /usr/bin/time -f "  %e s wall, %M KiB peak RSS" "$bin" remit --format "$format" "$file" > /dev/null 2> "$out/remit-$format.err" || true
  end=$(date +%s.%N)
  echo "remit --format $format:"
  tail -n 1 "$out/remit-$format.err"
  python3 -c "print(f'  {$bytes/1e6/($end-$start):.0f} MB/s')"
done
# The validator streams too: errors printed as each set ends, memory one buffer.
start=$(date +%s.%N)
/usr/bin/time -f "  %e s wall, %M KiB peak RSS" "$bin" x12 validate "$file" > "$out/validate.out" 2> "$out/validate.err" || true
end=$(date +%s.%N)
echo "x12 validate:"
tail -n 1 "$out/validate.err"
python3 -c "print(f'  {$bytes/1e6/($end-$start):.0f} MB/s')"
