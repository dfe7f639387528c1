#!/usr/bin/env python3
"""Whole-process wall time of `glean annotate` against PyICU's word BreakIterator run from Python.

Issue 8's comparison: each side is a fresh process over the same JSONL file. PyICU does
`json.loads` per line and visits every word boundary; Glean runs `annotate FILE -o /dev/null
--threads 1` (with `--emit tokens,sents` for the non-English corpora). The runs alternate, and
the median of ROUNDS is reported with the ratio (Glean's time / PyICU's: below 1, Glean is faster).

    Benchmarks/.venv/bin/python Benchmarks/whole_process.py [--rounds 7]

Needs PyICU (Benchmarks/requirements.txt), the release binary (GLEAN_BIN, default
.build/release/glean) and corpora/public (corpora/fetch.sh).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [("news", "en"), ("ru", "ru"), ("de", "de"), ("zh", "zh")]

PYICU_WORDS = """
import json, sys, icu
path, lang = sys.argv[1], sys.argv[2]
words = icu.BreakIterator.createWordInstance(icu.Locale(lang))
boundaries = 0
with open(path, encoding="utf-8") as f:
    for line in f:
        if line.strip():
            words.setText(json.loads(line)["text"])
            for _ in words:
                boundaries += 1
print(boundaries)
"""


def wall(command):
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    glean = os.environ.get("GLEAN_BIN", str(ROOT / ".build/release/glean"))
    print("| corpus | Glean, median ms | PyICU, median ms | Glean's time / PyICU's |")
    print("|---|---:|---:|---:|")
    for name, lang in CORPORA:
        path = ROOT / "corpora/public" / f"{name}.jsonl"
        if not path.exists():
            sys.exit(f"{path} missing: run corpora/fetch.sh")
        ours = [glean, "annotate", str(path), "-o", "/dev/null", "--threads", "1", "-q"]
        if lang != "en":
            ours += ["--emit", "tokens,sents"]
        theirs = [sys.executable, "-c", PYICU_WORDS, str(path), lang]
        times_ours, times_theirs = [], []
        for _ in range(args.rounds):
            times_ours.append(wall(ours))
            times_theirs.append(wall(theirs))
        a, b = statistics.median(times_ours), statistics.median(times_theirs)
        print(f"| {name} | {a * 1000:.0f} | {b * 1000:.0f} | {a / b:.2f} |")


if __name__ == "__main__":
    main()
