#!/usr/bin/env bash
# Instruction counts of one `glean bench` row under valgrind's callgrind: a figure that does not
# move with the load of a shared machine, to judge an optimisation beside the wall-clock MB/s.
#
#   Benchmarks/callgrind.sh ROW [CORPUS.jsonl ...]
#
# ROW is a `glean bench` row id: record, tokens, tokens-icu, sentences, sentences-icu, stage-0,
# stage-1 ..., resolution, pipeline-1 (see `glean bench --help`). Only the row's rounds are
# counted (callgrind collects inside Benchmark.timedRound: one warm-up round and one timed
# round); the script prints the instructions per round and per byte of document text, and
# leaves the profile in .build/callgrind/ROW.out for `callgrind_annotate`.
# Environment: GLEAN_BIN (default .build/release/glean), SIZE (MB of JSONL, default 2).
# Default corpus: the bench's (corpora/sample/news.jsonl plus corpora/public/news.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
row="${1:?usage: Benchmarks/callgrind.sh ROW [CORPUS.jsonl ...]}"
shift
bin="${GLEAN_BIN:-.build/release/glean}"
size="${SIZE:-2}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 1; }
[ -x "$bin" ] || { echo "$bin not found: swift build -c release --product glean" >&2; exit 1; }
# Valgrind 3.19 cannot read the DWARF 5 debug information Swift writes: run a copy without it
# (the symbol table stays, so the profile still names functions).
stripped="$bin.callgrind"
objcopy --strip-debug "$bin" "$stripped"
mkdir -p .build/callgrind
out=".build/callgrind/$row.out"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no --toggle-collect='*timedRound*' \
    "$stripped" bench "$@" --only "$row" --rounds 1 --size "$size" --threads 1 --json >"$json" 2>"$out.log" \
    || { tail -20 "$out.log" >&2; exit 1; }
python3 - "$out" "$json" "$row" <<'PY'
import json, re, sys
out, report, row = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
total = 0
for line in open(out):
    if line.startswith("totals:") or line.startswith("summary:"):
        total = int(line.split()[1])
rows = [r for r in report["stages"] + report["end_to_end"] if r["id"] == row]
if not rows:
    sys.exit(f"no row {row!r} in this configuration")
per_round = total / 2  # the warm-up round and one timed round
text = report["text_bytes"]
print(f"{row}: {per_round:,.0f} instructions per round, {per_round / text:.2f} per byte of text "
      f"({text:,} bytes, {rows[0]['counts']})")
PY
