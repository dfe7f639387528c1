#!/usr/bin/env bash
# Runs one fuzz target (built by Fuzz/build.sh) for SECONDS, starting from the seeds in
# Fuzz/Corpus/TARGET (copied: the checked-in seeds are not modified). A crash, a broken
# invariant, an input slower than 10 s (work out of proportion to its size) or over 2 GB of
# memory stops the run with status 1 and leaves the input in .build-fuzz/artifacts/TARGET/.
# The run is reproducible: a fixed seed (GLEAN_FUZZ_SEED, 1 by default; `random` for a fresh one
# each run), deterministic hashing in Swift and no corpus reloading, so that a short run in CI
# replays the start of the same sequence a longer run here went through. Search for new
# failures with GLEAN_FUZZ_SEED=random and longer runs; keep each input that failed as a seed.
#   Fuzz/run.sh glz 20
#   GLEAN_FUZZ_SEED=random Fuzz/run.sh annotate 600
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
seconds=${2:-20}
work=.build-fuzz/corpus/$target
artifacts=.build-fuzz/artifacts/$target
mkdir -p "$work" "$artifacts"
cp -n Fuzz/Corpus/"$target"/* "$work"/ 2>/dev/null || true
log=.build-fuzz/$target.log
status=0
seed=${GLEAN_FUZZ_SEED:-1}
seed_flag=(-seed="$seed")
[ "$seed" = random ] && seed_flag=()
SWIFT_DETERMINISTIC_HASHING=1 SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 .build-fuzz/fuzzers/"$target" "$work" \
  "${seed_flag[@]}" -reload=0 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY)|invariant broken|Fatal error|Test unit written|ALARM|out-of-memory' "$log" || true
[ "$status" -eq 0 ] || { echo "fuzz target $target failed (status $status); log: $log" >&2; tail -n 40 "$log" >&2; }
exit "$status"
