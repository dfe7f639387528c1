"""Shared by the streaming, sharding, release and Spark tests: finding the glean binary and the
corpora, running it, and comparing line sets.

The binary is GLEAN_BIN (default .build/release/glean); a missing binary fails, it is not
skipped. GLEAN_REQUIRE_PUBLIC=1 turns a missing corpora/public/ into a failure.
"""

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample" / "news.jsonl"
PUBLIC_NEWS = ROOT / "corpora" / "public" / "news.jsonl"
GLEAN_KEYS = ("tokens", "sents", "ents", "spans")


def glean_binary():
    """The glean binary the Python tests run: GLEAN_BIN, else .build/release/glean; a test fails
    (never skips) when it is missing."""
    path = Path(os.environ.get("GLEAN_BIN", ".build/release/glean"))
    if not path.is_absolute():
        path = ROOT / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"glean binary not found at {path}: build it with `swift build -c release` "
                    "or point GLEAN_BIN at it", pytrace=False)
    return path


def public_news():
    if not PUBLIC_NEWS.is_file():
        if os.environ.get("GLEAN_REQUIRE_PUBLIC") == "1":
            pytest.fail(f"{PUBLIC_NEWS} is missing: run corpora/fetch.sh", pytrace=False)
        pytest.skip(f"{PUBLIC_NEWS} is missing: run corpora/fetch.sh")
    return PUBLIC_NEWS


def run(args, stdin=None, check=(0, 1), cwd=None, env=None):
    """Runs glean with `args`; returns the CompletedProcess (stdout and stderr as bytes)."""
    p = subprocess.run([str(glean_binary()), *map(str, args)], input=stdin, capture_output=True,
                       cwd=cwd, env=env, timeout=600)
    if check is not None and p.returncode not in check:
        raise AssertionError(f"glean {' '.join(map(str, args))} exited {p.returncode}:\n"
                             f"{p.stderr.decode(errors='replace')[-3000:]}")
    return p


def lines(data):
    """The LF-terminated lines of `data` (bytes), without their LF."""
    if not data:
        return []
    assert data.endswith(b"\n"), "output does not end with a line feed"
    return data[:-1].split(b"\n")


def is_inline_error(line):
    """An inline error line: {"error": {...}} and at most the id beside it, none of Glean's keys."""
    if not line.startswith(b'{"error":{'):
        return False
    obj = json.loads(line)
    return isinstance(obj.get("error"), dict) and not any(k in obj for k in GLEAN_KEYS)


def assert_partition(shares, whole, label):
    """The shares hold every line of `whole` exactly once, and each keeps `whole`'s order."""
    assert Counter(line for share in shares for line in share) == Counter(whole), \
        f"{label}: the shards together do not hold the unsharded lines exactly once"
    positions = {}
    for i, line in enumerate(whole):
        positions.setdefault(line, []).append(i)
    for k, share in enumerate(shares):
        last = -1
        for line in share:
            # Equal lines (repeated records) are matched to their occurrences in turn.
            candidates = [p for p in positions[line] if p > last]
            assert candidates, f"{label}: shard {k} is not in the unsharded order"
            last = candidates[0]


def write_lines(path, records):
    path.write_text("".join(r + "\n" for r in records), encoding="utf-8")
    return path
