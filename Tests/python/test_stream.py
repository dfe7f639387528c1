"""`glean annotate` as a pipe filter (what Spark's RDD.pipe, Hadoop Streaming and
`parallel --pipe` need): stdin to stdout, in order, one output line per non-blank input line
with `--inline-errors`, and an answer for each line without waiting for a full batch.

The lock-step test writes one line, then reads its answer before writing the next: a filter
that waited for a batch of 512 lines (or for the end of its input) would hang it, so every read
has a timeout that turns a hang into a failure.
"""

import json
import selectors
import subprocess

import pytest

from cluster_support import SAMPLE, glean_binary, is_inline_error, lines, run

BROKEN = [
    'not json at all',
    '{"id": "b-2", "body": "no text field"}',
    '{"id": 3, "text": ["not", "a", "string"]}',
    '{"id": "b-4", "text": "unterminated',
]


def sample_records():
    return [l for l in SAMPLE.read_text(encoding="utf-8").split("\n") if l.strip()]


class LineReader:
    """Reads LF-terminated lines from a pipe, failing after `timeout` seconds without one."""

    def __init__(self, pipe, timeout=60):
        self.pipe, self.timeout, self.buffer = pipe, timeout, b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(pipe, selectors.EVENT_READ)

    def readline(self):
        while b"\n" not in self.buffer:
            if not self.selector.select(self.timeout):
                raise AssertionError(f"no answer within {self.timeout} s: the filter waits for more input")
            chunk = self.pipe.read1(1 << 16)
            if not chunk:
                raise AssertionError("glean closed its output early")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


@pytest.mark.parametrize("extra", [[], ["--threads", "1"], ["--batch-size", "1", "--threads", "4"]])
def test_each_line_is_answered_before_the_next_is_sent(extra):
    records = sample_records()[:12]
    sequence = records[:4] + BROKEN + records[4:]
    p = subprocess.Popen([str(glean_binary()), "annotate", "--inline-errors", "--quiet", *extra],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        reader = LineReader(p.stdout)
        for n, record in enumerate(sequence, 1):
            p.stdin.write(record.encode() + b"\n")
            p.stdin.flush()
            answer = reader.readline()
            if record in BROKEN:
                assert is_inline_error(answer), answer[:200]
                assert json.loads(answer)["error"]["line"] == n
            else:
                got = json.loads(answer)
                assert got["id"] == json.loads(record)["id"] and "tokens" in got
        # A blank line is not a record: it gets no answer; the next record does.
        p.stdin.write(b"\n  \t\n" + records[0].encode() + b"\n")
        p.stdin.flush()
        assert json.loads(reader.readline())["id"] == json.loads(records[0])["id"]
        p.stdin.close()
        assert p.stdout.read() == b"" and reader.buffer == b""
        assert p.wait(timeout=60) == 1  # some records failed
    finally:
        p.kill()
        p.wait()


def test_stdin_to_stdout_equals_a_file_run_line_for_line(tmp_path):
    """Inline errors from stdin: the annotated lines are those of an ordinary run, the error
    lines wrap the errors file's records, each in its record's place."""
    records = sample_records()
    mixed = []
    for i, r in enumerate(records):
        mixed.append(r)
        if i % 9 == 0:
            mixed.append(BROKEN[i % len(BROKEN)])
        if i % 13 == 0:
            mixed.append("")
    data = ("\n".join(mixed) + "\n").encode()
    inline = lines(run(["annotate", "--inline-errors", "--quiet", "--batch-size", "7"], stdin=data).stdout)
    plain = run(["annotate", "--quiet", "--errors", tmp_path / "errors.jsonl"], stdin=data)
    annotated = iter(lines(plain.stdout))
    errors = iter(json.loads(l) for l in lines((tmp_path / "errors.jsonl").read_bytes()))
    non_blank = [l for l in mixed if l.strip()]
    assert len(inline) == len(non_blank)
    for source, out in zip(non_blank, inline):
        if source in BROKEN:
            assert is_inline_error(out)
            obj = json.loads(out)
            assert obj["error"] == next(errors)
            if "id" in obj["error"]:
                assert obj["id"] == obj["error"]["id"]
        else:
            assert out == next(annotated)
    assert next(annotated, None) is None and next(errors, None) is None


@pytest.mark.parametrize("args", [
    ["--inline-errors", "--errors", "e.jsonl"],
    ["--batch-size", "0"],
    ["--shard", "2/2"],
    ["--shard", "1/2", "--shard-by", "lines"],
])
def test_usage_errors(args):
    p = run(["annotate", *args], stdin=b"", check=None)
    assert p.returncode == 2, p.stderr
