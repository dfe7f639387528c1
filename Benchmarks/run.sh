#!/usr/bin/env bash
# Side-by-side benchmark of Glean and its peers, from nothing to results/results.md and
# results/throughput.png. Usage (from anywhere):
#
#   Benchmarks/run.sh [--rounds N] [--spacy-1m] [--only GLOB] [--skip-glean] [--skip-peers]
#
# Env: GLEAN_BIN (default .build/release/glean), PYTHON (default python3).
# Needs: python3 >= 3.10 with venv, network access to PyPI (first run only), Debian packages
# libicu-dev pkg-config g++ (PyICU builds from source) and what corpora/fetch.sh needs
# (scripts/setup-system.sh installs them).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${PYTHON:-python3}"
VENV="$HERE/.venv"
start=$(date +%s)
phase() { echo "== $1 ($(( $(date +%s) - start )) s)" >&2; }

phase "python environment $VENV"
stamp="$VENV/.requirements.sha256"
want="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$HERE/requirements.txt"
  echo "$want" > "$stamp"
fi

phase "corpora"
# corpora/fetch.sh writes corpora/public/{news,zh,ru,de}.jsonl (gitignored) from the gensim wheel
# on PyPI and the Debian fortunes packages; it is idempotent.
bash "$ROOT/corpora/fetch.sh" --quiet
test -s "$ROOT/corpora/public/news.jsonl" || { echo "no corpora/public/news.jsonl" >&2; exit 2; }

phase "dictionaries"
if [[ ! -s "$HERE/work/dicts/1m.tsv" || "$HERE/build_dicts.py" -nt "$HERE/work/dicts/1m.tsv" ]]; then
  "$VENV/bin/python" "$HERE/build_dicts.py" "$HERE/work/dicts"
fi

phase "self-tests of the gold tooling and the scoring"
"$VENV/bin/python" -m unittest discover -s "$HERE/tests" -q

phase "gold set offsets"
"$VENV/bin/python" "$HERE/gold/gold.py" verify

phase "throughput: Glean and peers"
status=0
"$VENV/bin/python" "$HERE/bench.py" "$@" || status=$?

phase "quality: Glean against the gold set"
"$VENV/bin/python" "$HERE/quality.py" || status=$?

phase "done, status $status; see $HERE/results/results.md, throughput.png, quality.md"
exit $status
