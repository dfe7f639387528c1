"""Segmentation of hostile texts is linear, by counted work: callgrind's instruction count
inside `Segmenter.segment` (word fast paths, ICU's word iterator where they hand over, the
sentence fast path and ICU's sentence rules) for one document at two sizes, on the release
binary. Twice the text must cost about twice the instructions (a quadratic path costs four
times); no timing.

valgrind reads Swift's DWARF 5 badly, so the test runs a copy of the binary with its debug
information stripped (as Benchmarks/callgrind.sh does). Needs valgrind (scripts/setup-system.sh).
Sizes: GLEAN_LINEARITY_KB (default 128) and twice that.

Run: .venv/bin/python -m pytest -q Tests/python/test_segment_linearity.py
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import cluster_support

ROOT = Path(__file__).resolve().parents[2]
KB = int(os.environ.get("GLEAN_LINEARITY_KB", "128"))

# The texts of Tests/GleanSegmentTests/HostileLinearityTests.swift: a unit repeated.
UNITS = {
    "a-space": "a ",
    "dots": ".",
    "one-long-word": "a",
    "digits": "7",
    "mixed-scripts-alphabetic": "aбγé",
    "mixed-scripts-with-cjk": "aбγ中",
    "no-terminator": "lorem ipsum dolor ",
    "all-terminators": "?!",
    "cjk-without-spaces": "中文字符",
    "cjk-sentences": "中文。",
    "lowercase-after-period": "x. ",
    "abbreviations": "Mr. ",
    "thai-without-spaces": "ภาษาไทย",
    "long-words-then-dot": "b" * 1000 + ". ",
}


def text(unit, size):
    n = max(1, size // len(unit.encode()))
    return unit * n


@pytest.fixture(scope="module")
def stripped(tmp_path_factory):
    if shutil.which("valgrind") is None:
        pytest.fail("valgrind is not installed (apt-get install -y valgrind)")
    copy = tmp_path_factory.mktemp("bin") / "glean"
    shutil.copy(cluster_support.glean_binary(), copy)
    subprocess.run(["strip", "--strip-debug", str(copy)], check=True)
    return copy


def instructions(binary, path, tmp_path):
    """Instructions executed inside Segmenter.segment for the whole-file document `path`."""
    out = tmp_path / (path.name + ".callgrind")
    env = dict(os.environ)
    env.setdefault("GLEAN_MODELS", str(ROOT / "Models"))
    r = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--collect-atstart=no",
         "--toggle-collect=$s12GleanSegment9SegmenterC7segment_9sentencesy0A4Core8DocumentVz_SbtKF",
         str(binary), "annotate", "-q", "--no-default-patterns", "--no-default-gazetteer", "--no-default-names",
         "--emit", "tokens,sents", "--threads", "1", str(path), "-o", str(tmp_path / (path.name + ".jsonl"))],
        capture_output=True, timeout=1200, env=env)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    summary = re.search(rb"^summary: (\d+)", out.read_bytes(), re.M)
    assert summary, "no summary line in the callgrind output"
    return int(summary.group(1))


@pytest.mark.parametrize("name", sorted(UNITS))
def test_segmentation_work_is_linear(stripped, tmp_path, name):
    counts = []
    for size in (KB * 1024, 2 * KB * 1024):
        path = tmp_path / f"{name}-{size}.txt"
        path.write_text(text(UNITS[name], size), encoding="utf-8")
        counts.append(instructions(stripped, path, tmp_path))
    ratio = counts[1] / counts[0]
    print(f"{name}: {counts[0]:,} then {counts[1]:,} instructions ({ratio:.2f}x for twice the text)")
    assert counts[0] > 0
    assert ratio < 2.4, f"{name}: {counts} instructions for {KB} and {2 * KB} KB (ratio {ratio:.2f})"
