"""`glean stats` against counts made here, in Python, from the same annotated JSONL.

The input: the bundled sample and, where fetched, the public news, with bad records mixed in,
annotated by the release binary (GLEAN_BIN), so that an errors file lies beside the output.
Every figure of `glean stats --json` (documents, tokens, sentences, entities per label and per
source, the most frequent entities per label, documents with warnings, errors) is recomputed
from the records; the table on stdout shows the same figures.

Also the command line's help for mistakes: a mistyped subcommand, plain text piped into JSONL
mode, an unknown --labels value, a --lang with no models, and the reasons in a failed run's
summary.
"""

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from cluster_support import glean_binary  # GLEAN_BIN or .build/release/glean; fails if missing

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample" / "news.jsonl"
PUBLIC_NEWS = ROOT / "corpora" / "public" / "news.jsonl"




@pytest.fixture(scope="session")
def glean():
    path = glean_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"glean binary not found at {path}: build it with `swift build -c release`", pytrace=False)
    return path


def run(glean, *args, stdin=None):
    return subprocess.run([str(glean), *map(str, args)], input=stdin, capture_output=True, timeout=600)


@pytest.fixture(scope="session")
def annotated(glean, tmp_path_factory):
    d = tmp_path_factory.mktemp("stats")
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").split("\n") if line.strip()]
    if PUBLIC_NEWS.exists():
        lines += [line for line in PUBLIC_NEWS.read_text(encoding="utf-8").split("\n") if line.strip()]
    elif os.environ.get("GLEAN_REQUIRE_PUBLIC"):
        pytest.fail("corpora/public/news.jsonl is missing: run corpora/fetch.sh", pytrace=False)
    bad = ['{"id": "no-text"}', '{"id": "number", "text": 5}', "not json at all", '{"text": "Broken \\ud800 surrogate in Paris."}']
    for i, b in enumerate(bad):
        lines.insert(3 + 7 * i, b)
    src = d / "input.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = d / "out.jsonl"
    proc = run(glean, "annotate", src, "-o", out, "--quiet")
    assert proc.returncode == 1, proc.stderr.decode(errors="replace")
    errors_file = d / "out.errors.jsonl"
    assert errors_file.exists()
    return out, errors_file


def reference(out, errors_file, top):
    """The figures, counted here."""
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line.strip()]
    errors = [line for line in errors_file.read_text(encoding="utf-8").split("\n") if line.strip()]
    by_label, by_source, texts = Counter(), Counter(), {}
    for r in records:
        for e in r["ents"]:
            by_label[e["label"]] += 1
            by_source[e["source"]] += 1
            texts.setdefault(e["label"], Counter())[r["text"][e["start"]:e["end"]]] += 1
    return {
        "documents": len(records),
        "tokens": sum(len(r["tokens"]) for r in records),
        "sentences": sum(len(r["sents"]) for r in records),
        "entities": sum(len(r["ents"]) for r in records),
        "entities_by_label": dict(by_label),
        "entities_by_source": dict(by_source),
        "documents_with_warnings": sum(1 for r in records if r.get("warnings")),
        "errors": len(errors),
        "texts": texts,
    }


def test_stats_json_matches_an_independent_count(glean, annotated):
    out, errors_file = annotated
    proc = run(glean, "stats", out, "--json", "--top", "4")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    stats = json.loads(proc.stdout)  # exactly one JSON document: json.loads rejects anything more
    ref = reference(out, errors_file, 4)
    for key in ("documents", "tokens", "sentences", "entities", "entities_by_label", "entities_by_source",
                "documents_with_warnings", "errors"):
        assert stats[key] == ref[key], key
    assert ref["errors"] == 3 and ref["documents_with_warnings"] >= 1
    assert stats["documents_with_tokens"] == ref["documents"]
    assert set(stats["top_entities"]) == set(ref["entities_by_label"])
    for label, shown in stats["top_entities"].items():
        counts = ref["texts"][label]
        assert len(shown) == min(4, len(counts))
        for item in shown:
            assert counts[item["text"]] == item["count"], (label, item)
        # The most frequent: nothing left out occurs more often than the last one shown.
        assert [i["count"] for i in shown] == sorted((i["count"] for i in shown), reverse=True)
        left_out = set(counts) - {i["text"] for i in shown}
        assert all(counts[t] <= shown[-1]["count"] for t in left_out)


def test_stats_table_shows_the_same_figures(glean, annotated):
    out, errors_file = annotated
    proc = run(glean, "stats", out)
    assert proc.returncode == 0
    table = proc.stdout.decode()
    ref = reference(out, errors_file, 5)
    rows = {line.split("  ")[0].strip(): line for line in table.split("\n") if line.strip()}
    assert f"{ref['documents']:,}" in rows["documents"]
    assert f"{ref['tokens']:,}" in rows["tokens"]
    assert f"{ref['sentences']:,}" in rows["sentences"]
    assert f"{ref['errors']:,}" in rows["errors"]
    for label, n in ref["entities_by_label"].items():
        line = next(l for l in table.split("\n") if l.startswith(label + " "))
        assert line.split()[1] == f"{n:,}"
        top_text, top_count = ref["texts"][label].most_common(1)[0]
        assert f"({top_count:,})" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(table)


def test_stats_of_raw_records_annotates_them(glean, tmp_path):
    src = tmp_path / "raw.jsonl"
    src.write_text('{"text": "Rain in Sydney on Monday."}\n{"text": "Paris at 4pm."}\n', encoding="utf-8")
    stats = json.loads(run(glean, "stats", src, "--json").stdout)
    annotated = tmp_path / "a.jsonl"
    assert run(glean, "annotate", src, "-o", annotated, "-q").returncode == 0
    records = [json.loads(l) for l in annotated.read_text().split("\n") if l.strip()]
    assert stats["documents"] == 2
    assert stats["entities_by_label"] == dict(Counter(e["label"] for r in records for e in r["ents"]))
    assert stats["tokens"] == sum(len(r["tokens"]) for r in records)


# ---------------------------------------------------------------------------------------------
# A command line that helps


@pytest.mark.parametrize("typo,command", [("anotate", "annotate"), ("stast", "stats"), ("rendr", "render"),
                                          ("patern", "patterns"), ("benhc", "bench")])
def test_mistyped_subcommand_suggests_the_right_one(glean, typo, command):
    proc = run(glean, typo, "x.jsonl")
    assert proc.returncode == 2
    assert f"did you mean 'glean {command}'" in proc.stderr.decode()


def test_an_existing_file_named_like_a_command_is_an_input(glean, tmp_path):
    f = tmp_path / "anotate"
    f.write_text('{"text": "Hi"}\n')
    proc = subprocess.run([str(glean), "anotate", "--format", "jsonl", "-q"], cwd=tmp_path, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["text"] == "Hi"


def test_plain_text_into_jsonl_mode_says_format_text(glean):
    proc = run(glean, "annotate", stdin=b"Just some plain text.\nAnother line of it.\n")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "use --format text" in err
    assert "failed: " in err and "(2)" in err
    quiet = run(glean, "annotate", "-q", stdin=b"Plain text.\n")
    assert "use --format text" in quiet.stderr.decode()


def test_failed_run_summary_says_why(glean, tmp_path):
    lines = b'{"id": 1}\n{"id": 2}\n{"id": 3, "text": 7}\n{"text": "fine"}\n'
    summary = tmp_path / "summary.json"
    proc = run(glean, "annotate", "--summary-json", summary, stdin=lines)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    failed = next(l for l in err.split("\n") if l.strip().startswith("failed:"))
    assert 'no "text" field (2)' in failed
    assert 'field "text" is a number, not a string (1)' in failed
    assert "--format text" not in err
    reasons = json.loads(summary.read_text())["failure_reasons"]
    assert reasons == [{"reason": 'no "text" field', "count": 2}, {"reason": 'field "text" is a number, not a string', "count": 1}]


def test_unknown_labels_and_lang_without_models_warn(glean):
    proc = run(glean, "annotate", "--labels", "GPE,PLANET", "-q", stdin=b'{"text": "In Paris."}\n')
    assert proc.returncode == 0
    err = proc.stderr.decode()
    assert "--labels PLANET" in err and "warning" in err
    assert json.loads(proc.stdout)["ents"][0]["label"] == "GPE"
    proc = run(glean, "annotate", "--lang", "de", "-q", stdin=b'{"text": "In Berlin."}\n')
    assert proc.returncode == 0
    assert "--lang de" in proc.stderr.decode()
    quiet = run(glean, "annotate", "-q", stdin=b'{"text": "In Paris."}\n')
    assert quiet.stderr.decode() == ""
