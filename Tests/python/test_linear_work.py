"""Hostile texts cost linear work, by counted work: callgrind's instruction count inside
`Segmenter.segment` (word fast paths, ICU's word iterator where they hand over, the sentence
fast path and ICU's sentence rules), inside the pattern stage (`PatternSet.findMatches`) and
the names stage (`NameFinder.find`),
and of whole `glean compile` / `glean annotate --gazetteer` runs for gazetteer names of a
million characters, each at two sizes, on the release binary. Twice the text must cost about
twice the instructions (a quadratic path costs four times); no timing.

valgrind reads Swift's DWARF 5 badly, so the test runs a copy of the binary with its debug
information stripped (as Benchmarks/callgrind.sh does). Needs valgrind (scripts/setup-system.sh).
Sizes: GLEAN_LINEARITY_KB (default 128) and twice that.

Run: .venv/bin/python -m pytest -q Tests/python/test_linear_work.py
"""

import json
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


SEGMENT = "$s12GleanSegment9SegmenterC7segment_9sentencesy0A4Core8DocumentVz_SbtKF"
FIND_MATCHES = ("$s13GleanPatterns10PatternSetC11findMatches2in4lang7scratch4into8warningsySRys5UInt8VG_SSAA0C7"
                "ScratchCSay0A4Core4SpanVGzSayAO7WarningVGztF")
SEGMENT_ONLY = ["--no-default-patterns", "--no-default-gazetteer", "--no-default-names", "--emit", "tokens,sents"]


def counted(binary, args, out, function=None):
    """Instructions of `glean ARGS` under callgrind: inside `function` (its mangled name; the
    test fails with 0 when a rename makes it match nothing), or of the whole run."""
    env = dict(os.environ)
    env.setdefault("GLEAN_MODELS", str(ROOT / "Models"))
    toggle = ["--collect-atstart=no", f"--toggle-collect={function}"] if function else []
    r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *toggle, str(binary), *map(str, args)],
                       capture_output=True, timeout=1200, env=env)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    summary = re.search(rb"^summary: (\d+)", out.read_bytes(), re.M)
    assert summary, "no summary line in the callgrind output"
    return int(summary.group(1))


def instructions(binary, path, tmp_path, function=SEGMENT, options=SEGMENT_ONLY):
    """Instructions executed inside `function` for the whole-file document `path`."""
    out = tmp_path / (path.name + ".callgrind")
    return counted(binary, ["annotate", "-q", *options, "--threads", "1", path, "-o", tmp_path / (path.name + ".jsonl")],
                   out, function)


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


# Texts that give the default pattern pack a candidate at nearly every token.
PATTERN_UNITS = {
    "numbers": "1 ",
    "digits-without-a-break": "7",
    "dates": "May 1, ",
    "titles": "Mr. Smith ",
    "money": "$1 ",
    "number-words": "one two three ",
    "dotted-numbers": "1.1.1.1.",
    "long-url": "http://a.bc/" + "a" * 5000 + " ",
    "at-signs": "a@",
    "capitals": "The Big Red Co ",
}


@pytest.mark.parametrize("name", sorted(PATTERN_UNITS))
def test_pattern_stage_work_is_linear(stripped, tmp_path, name):
    counts = []
    for size in (KB * 1024 // 2, KB * 1024):
        path = tmp_path / f"{name}-{size}.txt"
        path.write_text(text(PATTERN_UNITS[name], size), encoding="utf-8")
        counts.append(instructions(stripped, path, tmp_path, FIND_MATCHES,
                                   ["--no-default-gazetteer", "--no-default-names", "--emit", "ents"]))
    ratio = counts[1] / counts[0]
    print(f"patterns, {name}: {counts[0]:,} then {counts[1]:,} instructions ({ratio:.2f}x for twice the text)")
    assert counts[0] > 0, "no instructions counted: was PatternSet.findMatches renamed?"
    assert ratio < 2.4, f"{name}: {counts} instructions (ratio {ratio:.2f})"


# The names stage's work on one document: NameFinder's private `find(in:_:)` (the public entry
# points hand it a reading state), under any specialisation the optimiser gives it.
NAME_FINDER = "$s10GleanNames10NameFinderV4find33_*"

def made_up_word(n):
    """A capitalised word no name list holds, different for each n: "Kab", "Kac", ..."""
    letters = ""
    while True:
        letters += "bcdfghjklmnpqrstvwxz"[n % 20]
        n //= 20
        if n == 0:
            break
    return "Kq" + letters


# Texts that make the names stage ask for evidence from elsewhere in the document at every
# pair of capitalised words, where the answer is no (so that nothing stops a search early):
# second words that never stand alone, surnames after titles that no pair ends in, one-token
# organisations beside names.
NAMES_TEXTS = {
    "second-words-never-alone": lambda k: f"{made_up_word(2 * k)} {made_up_word(2 * k + 1)} bowled. ",
    "surnames-after-titles": lambda k: f"Mr {made_up_word(3 * k)} met {made_up_word(3 * k + 1)} {made_up_word(3 * k + 2)}. ",
    "organisations-and-places": lambda k: f"Qantas Chief Executive {made_up_word(2 * k)} {made_up_word(2 * k + 1)} in Sydney. ",
}


def names_text(name, size):
    parts, total, k = [], 0, 0
    while total < size:
        parts.append(NAMES_TEXTS[name](k))
        total += len(parts[-1])
        k += 1
    return "".join(parts)


@pytest.mark.parametrize("name", sorted(NAMES_TEXTS))
def test_names_stage_work_is_linear(stripped, tmp_path, name):
    counts = []
    for size in (KB * 1024 // 2, KB * 1024):
        path = tmp_path / f"{name}-{size}.txt"
        path.write_text(names_text(name, size), encoding="utf-8")
        counts.append(instructions(stripped, path, tmp_path, NAME_FINDER, ["--emit", "ents"]))
    ratio = counts[1] / counts[0]
    print(f"names, {name}: {counts[0]:,} then {counts[1]:,} instructions ({ratio:.2f}x for twice the text)")
    assert counts[0] > 0, "no instructions counted: was NameFinder.find renamed?"
    assert ratio < 2.4, f"{name}: {counts} instructions (ratio {ratio:.2f})"


def test_gazetteer_names_of_a_million_characters_are_linear(stripped, tmp_path):
    """One name of N letters, one of N/2 accented letters, one of two N/2-letter words: compiled
    and matched over a text holding each, at N = 1M and 2M (whole processes)."""
    compile_counts, match_counts = [], []
    for n in (1_000_000, 2_000_000):
        names = tmp_path / f"names-{n}.tsv"
        long_words = ("x" * (n // 2) + " ") * 2
        names.write_text("a" * n + "\tLONG\nab\tSHORT\n" + "é" * (n // 2) + "\tACC\n" + long_words.strip() + "\tTWO\n",
                         encoding="utf-8")
        glz = tmp_path / f"names-{n}.glz"
        compile_counts.append(counted(stripped, ["compile", names, "-o", glz], tmp_path / f"compile-{n}.cg"))
        doc = tmp_path / f"doc-{n}.txt"
        doc.write_text("a" * n + " ab " + "é" * (n // 2) + " " + long_words, encoding="utf-8")
        out = tmp_path / f"doc-{n}.jsonl"
        match_counts.append(counted(stripped, ["annotate", "-q", "--no-default-patterns", "--no-default-gazetteer",
                                               "--no-default-names", "--gazetteer", glz, "--emit", "ents", doc, "-o", out],
                                    tmp_path / f"annotate-{n}.cg"))
        labels = sorted(e["label"] for e in json.loads(out.read_text())["ents"])
        assert labels == ["ACC", "LONG", "SHORT", "TWO"], labels
    for what, counts in (("compile", compile_counts), ("annotate", match_counts)):
        ratio = counts[1] / counts[0]
        print(f"gazetteer {what}: {counts[0]:,} then {counts[1]:,} instructions ({ratio:.2f}x)")
        assert ratio < 2.4, f"{what}: {counts} (ratio {ratio:.2f})"
