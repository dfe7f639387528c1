"""Stress tests on the release binary: peak memory for one large document, and runaway records
(a line far longer than --max-record-bytes, a gzip bomb) that must cost a bounded read and one
error record, after which the run goes on.

Peak memory is the child's own maximum resident set (os.wait4), a memory bound, not a timing.
Output is hashed as it streams (never stored whole). Sizes: GLEAN_STRESS_MB (default 100) for
the large document.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

import cluster_support

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "corpora" / "public" / "news.jsonl"
STRESS_MB = int(os.environ.get("GLEAN_STRESS_MB", "100"))


def glean_binary():
    return str(cluster_support.glean_binary())


# Linux keeps a process's peak RSS across exec, so a child forked from this (large) test process
# would report at least this process's size. A small Python process starts glean and reports
# glean's own peak, from wait4, into a file.
PEAK_RUNNER = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_streaming(args, stdin_path=None):
    """Runs glean, hashing stdout as it streams; returns (exit status, peak RSS in bytes,
    sha256 of stdout, output lines, stderr text)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak_file:
        proc = subprocess.Popen([sys.executable, "-S", "-c", PEAK_RUNNER, peak_file.name, glean_binary(), *args],
                                stdin=stdin, stdout=subprocess.PIPE, stderr=err)
        digest = hashlib.sha256()
        lines = 0
        while True:
            chunk = proc.stdout.read(1 << 20)
            if not chunk:
                break
            digest.update(chunk)
            lines += chunk.count(b"\n")
        proc.wait()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        peak = int(open(peak_file.name).read() or 0) * 1024
    if stdin_path:
        stdin.close()
    return proc.returncode, peak, digest.hexdigest(), lines, stderr


def news_text():
    texts = [json.loads(line)["text"] for line in NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return " ".join(texts)


def write_one_document(path, size):
    """One JSONL record whose text is about `size` bytes of news prose, written in pieces."""
    piece = json.dumps(news_text())[1:-1] + " "
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"id": "big", "text": "')
        written = 0
        while written < size:
            f.write(piece)
            written += len(piece)
        f.write('"}\n{"id": "after", "text": "The next record."}\n')
    return written


@pytest.mark.skipif(not NEWS.exists(), reason="corpora/public/news.jsonl missing (corpora/fetch.sh)")
def test_peak_memory_of_one_large_document(tmp_path):
    size = STRESS_MB * 1_000_000
    doc = tmp_path / "big.jsonl"
    text_bytes = write_one_document(doc, size)
    status, peak, _, lines, stderr = run_streaming(["annotate", str(doc), "--threads", "2", "-q"])
    assert status == 0, stderr
    assert lines == 2
    bound = 5 * text_bytes + 100_000_000
    print(f"peak RSS {peak / 1e6:.0f} MB for a {text_bytes / 1e6:.0f} MB document (bound {bound / 1e6:.0f} MB)")
    assert peak < bound, f"peak RSS {peak} for a {text_bytes}-byte document"


@pytest.mark.skipif(not NEWS.exists(), reason="corpora/public/news.jsonl missing (corpora/fetch.sh)")
def test_a_corpus_ten_times_larger_does_not_raise_peak_memory(tmp_path):
    """Batches in flight bound memory: ten times the records, the same peak resident memory."""
    lines = [line for line in NEWS.read_bytes().splitlines(keepends=True) if line.strip()]
    corpus = b"".join(lines)
    peaks = {}
    for copies in (10, 100):
        path = tmp_path / f"news-{copies}.jsonl"
        with open(path, "wb") as f:
            for _ in range(copies):
                f.write(corpus)
        # Small batches, so that both corpora fill every batch slot in flight.
        status, peak, _, count, stderr = run_streaming(["annotate", str(path), "--threads", "2", "--batch-size", "64", "-q"])
        assert status == 0, stderr
        assert count == copies * len(lines)
        peaks[copies] = peak
    print(f"peak RSS {peaks[10] / 1e6:.0f} MB for {10 * len(lines)} records, {peaks[100] / 1e6:.0f} MB for {100 * len(lines)}")
    assert peaks[100] < 1.2 * peaks[10] + 16_000_000, peaks


def test_line_over_max_record_bytes_is_one_error_and_the_run_goes_on(tmp_path):
    limit = 8 << 20
    doc = tmp_path / "runaway.jsonl"
    with open(doc, "wb") as f:
        f.write(b'{"id": 1, "text": "before"}\n')
        chunk = b"x" * (1 << 20)
        for _ in range(200):  # 200 MB without a newline
            f.write(chunk)
        f.write(b'\n{"id": 3, "text": "after"}\n')
    errors = tmp_path / "errors.jsonl"
    status, peak, _, lines, stderr = run_streaming(
        ["annotate", str(doc), "--max-record-bytes", str(limit), "--errors", str(errors), "--threads", "1", "-q"])
    assert status == 1, stderr
    assert lines == 2  # the records before and after
    records = [json.loads(line) for line in errors.read_text().splitlines()]
    assert len(records) == 1 and records[0]["line"] == 2
    assert "--max-record-bytes" in json.dumps(records[0])
    assert peak < 10 * limit + 100_000_000, f"peak RSS {peak}"


def test_gzip_bomb_is_read_with_bounded_memory(tmp_path):
    """2 GB of one line compressed to a few MB: skipped after the limit, then the next line."""
    limit = 16 << 20
    bomb = tmp_path / "bomb.jsonl.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"0" * (16 << 20)
    with open(bomb, "wb") as f:
        f.write(compressor.compress(b'{"id": 1, "text": "before"}\n'))
        for _ in range(128):  # 2 GiB
            f.write(compressor.compress(zeros))
        f.write(compressor.compress(b'\n{"id": 3, "text": "after"}\n'))
        f.write(compressor.flush())
    errors = tmp_path / "errors.jsonl"
    status, peak, _, lines, stderr = run_streaming(
        ["annotate", str(bomb), "--max-record-bytes", str(limit), "--errors", str(errors), "--threads", "1", "-q"])
    assert status == 1, stderr
    assert lines == 2
    records = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [r["line"] for r in records] == [2]
    assert peak < 10 * limit + 100_000_000, f"peak RSS {peak}"


def summary_of(tmp_path, content, name="in.jsonl", extra=()):
    doc = tmp_path / name
    doc.write_bytes(content)
    summary = tmp_path / "summary.json"
    status, _, _, lines, stderr = run_streaming(["annotate", str(doc), "--summary-json", str(summary), "-q", *extra])
    return status, lines, json.loads(summary.read_text()), stderr


def test_blank_lines_of_the_last_batch_are_counted(tmp_path):
    status, lines, summary, stderr = summary_of(tmp_path, b'{"text": "a"}\n\n   \n\t\n')
    assert status == 0, stderr
    assert lines == 1 and summary["blank_lines"] == 3
    status, lines, summary, _ = summary_of(tmp_path, b"\n\n")
    assert lines == 0 and summary["blank_lines"] == 2


def test_byte_order_mark_and_gzip_trailing_garbage(tmp_path):
    status, lines, summary, stderr = summary_of(tmp_path, b'\xef\xbb\xbf{"text": "a"}\n{"text": "b"}\n')
    assert status == 0 and lines == 2, stderr
    body = b"".join(b'{"id": %d, "text": "record %d"}\n' % (k, k) for k in range(47))
    compressed = zlib.compressobj(6, zlib.DEFLATED, 31)
    gz = compressed.compress(body) + compressed.flush() + b"trailing garbage"
    status, lines, summary, stderr = summary_of(tmp_path, gz, name="g.jsonl.gz", extra=("--errors", str(tmp_path / "e.jsonl")))
    assert status == 1, stderr
    assert lines == 47  # every intact record, as gzip -d keeps them
    errors = (tmp_path / "e.jsonl").read_text().splitlines()
    assert len(errors) == 1 and json.loads(errors[0])["line"] == 48
