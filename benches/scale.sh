#!/usr/bin/env bash
# Whole-run scale benchmark for `payback simulate` (issue 3): wall time, paths per second and
# peak memory at 10^5, 10^6 and 10^7 paths, 1 and 2 threads, on the built-in default scenario.
# Prints a markdown table like the one in docs/simulation.md. Takes about an hour with the
# defaults (the 10^7-path runs dominate); not part of CI.
#
#   bash benches/scale.sh                       # 1e5 1e6 1e7 paths, 1 and 2 threads
#   PATHS="100000 1000000" THREADS=2 bash benches/scale.sh
#
# Needs GNU time (/usr/bin/time) for the peak resident set size.
set -euo pipefail
cd "$(dirname "$0")/.."
PATHS=${PATHS:-"100000 1000000 10000000"}
THREADS=${THREADS:-"1 2"}
SEED=${SEED:-42}
[ -x /usr/bin/time ] || { echo "scale.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }
cargo build --release --locked -q
bin=target/release/payback
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "| paths | threads | mode | wall time | paths/s | peak RSS |"
echo "|---|---|---|---|---|---|"
for n in $PATHS; do
  for t in $THREADS; do
    /usr/bin/time -f "%e %M" -o "$out" "$bin" simulate --paths "$n" --seed "$SEED" --threads "$t" >/dev/null
    read -r secs kb < "$out"
    mode=$([ "$n" -le 100000 ] && echo exact || echo sketch)
    awk -v n="$n" -v t="$t" -v m="$mode" -v s="$secs" -v kb="$kb" 'BEGIN {
      printf "| %d | %d | %s | %.1f s | %.0f | %.1f MB |\n", n, t, m, s, n / s, kb / 1024
    }'
  done
done
