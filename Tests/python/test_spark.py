"""The Spark job (integrations/spark/glean_spark.py) on the real engine: PySpark in local mode
with two worker threads, over a real corpus in several files (one gzipped, two split into
several partitions, one full of broken records, blank lines and a CRLF line).

- The annotated parts, concatenated in name order, equal the single-process output of
  `glean annotate` over the same files byte for byte.
- The error records match the single-process errors by id and reason, and also by file and byte
  offset (the job pairs each output line with its input line), and by line where the partition
  starts its file.
- The Parquet entity table has one row per entity of the single-process output.
- A task that fails half-way (its glean dies after part of its output) is retried, and the
  output (gzipped parts) still holds every record exactly once.

spark-submit itself, with the release archive shipped by --archives, is in test_release.py.
"""

import gzip
import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from cluster_support import ROOT, SAMPLE, glean_binary, lines, public_news, run, write_lines

sys.path.insert(0, str(ROOT / "integrations" / "spark"))
import glean_spark  # noqa: E402

BROKEN = [
    '{"id": "bad-json", "text": "unterminated',
    '{"id": "no-text", "body": "there is no text field"}',
    '{"id": 17, "text": ["a", "list"]}',
    'not json at all',
    '{"id": {"nested": true}, "text": null}',
]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2,3]")  # two threads; a task may fail twice
               .appName("glean-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Several shards of real text; returns (directory, files in the job's order)."""
    d = tmp_path_factory.mktemp("corpus")
    news = [l for l in public_news().read_text(encoding="utf-8").split("\n") if l.strip()]
    (d / "a").mkdir()
    (d / "b").mkdir()
    write_lines(d / "a" / "news-0.jsonl", news[0::3])
    with gzip.open(d / "a" / "news-1.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("".join(r + "\n" for r in news[1::3]))
    write_lines(d / "b" / "news-2.jsonl", news[2::3])
    (d / "sample.jsonl").write_bytes(SAMPLE.read_bytes())
    mixed = []
    for i, r in enumerate(news[:150]):
        obj = json.loads(r)
        obj["id"] = f"mixed-{i}"
        mixed.append(json.dumps(obj, ensure_ascii=False))
        if i % 10 == 3:
            mixed.append(BROKEN[(i // 10) % len(BROKEN)])
        if i % 25 == 0:
            mixed.append("")
    mixed.append("   ")
    (d / "mixed.jsonl").write_bytes(("\n".join(mixed) + "\n").encode()
                                    + b'{"id": "crlf", "text": "A line that ends in CR LF."}\r\n')
    files = sorted(p for p in d.rglob("*") if p.is_file())
    return d, files


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """The single-process run over the same files, in the same order."""
    _, files = corpus
    out = tmp_path_factory.mktemp("reference") / "ref.jsonl"
    run(["annotate", *files, "-o", out, "--errors", f"{out}.errors", "--quiet"])
    errors = [json.loads(l) for l in lines(Path(f"{out}.errors").read_bytes())]
    return out.read_bytes(), errors


def parts(directory):
    return b"".join(p.read_bytes() for p in sorted(Path(directory).glob("part-*")))


def test_spark_output_equals_the_single_process_output(spark, corpus, reference, tmp_path):
    directory, files = corpus
    expected, expected_errors = reference
    counts = glean_spark.annotate(spark, [str(directory)], str(tmp_path / "out"), glean=str(glean_binary()),
                                  entities=True, min_partitions=8)
    assert counts["files"] == len(files)
    assert counts["partitions"] > len(files), "some files are split into several partitions"
    assert (tmp_path / "out" / "annotated" / "_SUCCESS").exists()

    got = parts(tmp_path / "out" / "annotated")
    assert got == expected, "the annotated parts differ from the single-process output"
    assert counts["records"] == len(lines(expected))

    errors = [json.loads(l) for l in lines(parts(tmp_path / "out" / "errors"))]
    assert len(expected_errors) == counts["errors"] == len(BROKEN) * 3
    assert Counter((json.dumps(e.get("error", {}).get("id")), e["error"]["reason"]) for e in errors) \
        == Counter((json.dumps(e.get("id")), e["reason"]) for e in expected_errors)
    for e in errors:
        assert e.get("id") == e["error"].get("id")
    # Stronger: each error names its file and byte offset, and its line where known.
    by_place = {(e["source"], e["offset"]): e for e in expected_errors}
    with_lines = 0
    for e in errors:
        inner = e["error"]
        source = inner["source"].removeprefix("file:")
        ref = by_place[(source, inner["offset"])]
        assert ref["reason"] == inner["reason"] and ref.get("id") == inner.get("id")
        if "line" in inner:
            with_lines += 1
            assert inner["line"] == ref["line"]
    assert with_lines > 0

    # The entity table: one row per entity of the single-process output.
    table = spark.read.parquet(str(tmp_path / "out" / "entities"))
    assert table.columns == glean_spark.ENTITY_COLUMNS
    rows = Counter((r.doc_id, r.start, r.end, r.text, r.label, r.kb_id, r.source, r.name) for r in table.collect())
    wanted = Counter()
    for line in lines(expected):
        record = json.loads(line)
        doc_id = record.get("id")
        doc_id = doc_id if doc_id is None or isinstance(doc_id, str) else json.dumps(doc_id)
        for e in record["ents"]:
            wanted[(doc_id, e["start"], e["end"], record["text"][e["start"]:e["end"]], e["label"], e["kb_id"],
                    e["source"], e.get("name", e.get("alias")))] += 1
    assert sum(wanted.values()) > 1000
    assert rows == wanted
    assert counts["entities"] == sum(wanted.values())


def test_a_failed_task_is_retried_without_duplicating_output(spark, corpus, reference, tmp_path):
    """The first task to start gets a glean that dies after five answers (exit 3): Spark
    discards that attempt's part file and runs the task again."""
    directory, _ = corpus
    expected, _ = reference
    marker = tmp_path / "failed-once"
    wrapper = tmp_path / "flaky-glean"
    wrapper.write_text(f"""#!/bin/sh
if mkdir "{marker}" 2>/dev/null; then
  head -n 5 | "{glean_binary()}" "$@"
  exit 3
fi
exec "{glean_binary()}" "$@"
""")
    wrapper.chmod(0o755)
    glean_spark.annotate(spark, [str(directory)], str(tmp_path / "out"), glean=str(wrapper), min_partitions=4,
                         compress=True)
    assert marker.is_dir(), "no task failed: the test did not test a retry"
    compressed = sorted((tmp_path / "out" / "annotated").glob("part-*.gz"))
    assert compressed
    assert b"".join(gzip.decompress(q.read_bytes()) for q in compressed) == expected
