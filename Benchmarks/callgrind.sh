#!/usr/bin/env bash
# Instruction counts of one `glean bench` row under valgrind's callgrind: a figure that does not
# move with the load of a shared machine, to judge an optimisation beside the wall-clock MB/s.
#
#   Benchmarks/callgrind.sh ROW [CORPUS.jsonl ...]
#
# ROW is a `glean bench` row id: record, tokens, tokens-icu, sentences, sentences-icu, stage-0,
# stage-1 ..., resolution, pipeline-1 (see `glean bench --help`). Only the row's rounds are
# counted (callgrind collects inside Benchmark.timedRound). The row is run twice, with one and
# with two timed rounds after its warm-up round: the difference is one steady round (models,
# JIT code and start automata already made), which is what the script reports per byte of
# document text, beside the first round (what a short run pays once). The profile of the
# two-round run stays in .build/callgrind/ROW.out for `callgrind_annotate`.
# Environment: GLEAN_BIN (default .build/release/glean), SIZE (MB of JSONL, default 2).
# Default corpus: the bench's (corpora/sample/news.jsonl plus corpora/public/news.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
row="${1:?usage: Benchmarks/callgrind.sh ROW [CORPUS.jsonl ...]}"
shift
bin="${GLEAN_BIN:-.build/release/glean}"
size="${SIZE:-2}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 1; }
[ -x "$bin" ] || { echo "$bin not found: swift build -c release --product glean --static-swift-stdlib" >&2; exit 1; }
# Valgrind 3.19 cannot read the DWARF 5 debug information Swift writes: run a copy without it
# (the symbol table stays, so the profile still names functions).
stripped="$bin.callgrind"
objcopy --strip-debug "$bin" "$stripped"
mkdir -p .build/callgrind
out=".build/callgrind/$row.out"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
count() {  # ROUNDS OUT: instructions collected in the row's rounds
    valgrind --tool=callgrind --callgrind-out-file="$2" --collect-atstart=no --toggle-collect='*timedRound*' \
        "$stripped" bench "${corpora[@]}" --only "$row" --rounds "$1" --size "$size" --threads 1 --json >"$json" 2>"$2.log" \
        || { tail -20 "$2.log" >&2; exit 1; }
}
corpora=("$@")
count 1 "$out.1"
count 2 "$out"
python3 - "$out.1" "$out" "$json" "$row" <<'PY'
import json, sys
def total(path):
    for line in open(path):
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
    sys.exit(f"no totals in {path}")
one, two, report, row = total(sys.argv[1]), total(sys.argv[2]), json.load(open(sys.argv[3])), sys.argv[4]
rows = [r for r in report["stages"] + report["end_to_end"] if r["id"] == row]
if not rows:
    sys.exit(f"no row {row!r} in this configuration")
steady = two - one          # one round with everything already made
first = one - steady        # the warm-up round: lazy JIT compiles and start automata included
text = report["text_bytes"]
print(f"{row}: {steady:,.0f} instructions per steady round, {steady / text:.2f} per byte of text; "
      f"first round {first / text:.2f} per byte ({text:,} bytes, {rows[0]['counts']})")
PY
