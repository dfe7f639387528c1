"""Glean's printers read back by their consumers.

For the bundled sample and the public corpora (where corpora/fetch.sh fetched them), runs the
built `glean` binary (env GLEAN_BIN, default .build/release/glean) once per output format and
checks:

- spaCy loads every `.spacy` file (`DocBin().from_disk(path).get_docs(vocab)`), one Doc per
  output record, whose text, tokens (offset, length, trailing whitespace), sentences, entities
  (offsets, label, kb_id) and span groups (offsets, label, kb_id) are those of the JSONL
  printer's record loaded with `Doc.from_json`; `-o DIR/ --output-format spacy` writes one
  DocBin per input file that spaCy loads as one corpus;
- the entity table (CSV read with Python's csv module, TSV, JSONL rows; pandas too; it is
  installed) has exactly one row per entity of the JSONL output, with the same fields;
- the compact printer's token columns are the JSONL printer's tokens;
- an output extension no printer claims is a usage error (exit 2) and writes nothing.

Run: .venv/bin/python -m pytest Tests/python/test_printers.py
Measure (sizes per MB of input, spaCy load speed): .venv/bin/python Tests/python/test_printers.py --measure
"""

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cluster_support import glean_binary  # GLEAN_BIN or .build/release/glean; fails if missing
import spacy
from spacy.tokens import Doc, DocBin

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample" / "news.jsonl"
PUBLIC = ROOT / "corpora" / "public"
LANGS = {"news": "en", "de": "de", "ru": "ru", "zh": "zh"}
COLUMNS = ["doc_id", "file", "line", "start", "end", "text", "label", "kb_id", "source", "name"]
EMIT = "tokens,sents,ents,spans"




def corpora():
    found = [("sample", SAMPLE, "en")]
    for name, lang in LANGS.items():
        path = PUBLIC / f"{name}.jsonl"
        if path.exists():
            found.append((name, path, lang))
        elif os.environ.get("GLEAN_REQUIRE_PUBLIC") == "1":
            raise RuntimeError(f"{path} is missing: run corpora/fetch.sh")
    return found


CORPORA = corpora()


def annotate(inputs, output, *extra, lang="en", check=True):
    cmd = [str(glean_binary()), "annotate", *map(str, inputs), "-o", str(output), "--lang", lang,
           "--emit", EMIT, "--quiet", *extra]
    proc = subprocess.run(cmd, capture_output=True, timeout=900)
    if check:
        assert proc.returncode in (0, 1), f"{' '.join(cmd)}: exit {proc.returncode}: {proc.stderr.decode()[-2000:]}"
    return proc


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").split("\n") if line.strip()]


@pytest.fixture(scope="module", params=[c[0] for c in CORPORA])
def outputs(request, tmp_path_factory):
    """Every printer's output of one corpus."""
    name, path, lang = next(c for c in CORPORA if c[0] == request.param)
    if not glean_binary().exists():
        pytest.fail(f"no glean binary at {glean_binary()}: swift build -c release", pytrace=False)
    d = tmp_path_factory.mktemp(f"printers-{name}")
    files = {
        "jsonl": d / "out.jsonl", "spacy": d / "out.spacy", "csv": d / "ents.csv", "tsv": d / "ents.tsv",
        "rows": d / "rows.jsonl", "compact": d / "compact.jsonl",
    }
    annotate([path], files["jsonl"], lang=lang)
    annotate([path], files["spacy"], lang=lang)
    annotate([path], files["csv"], lang=lang)
    annotate([path], files["tsv"], lang=lang)
    annotate([path], files["rows"], "--output-format", "entities", lang=lang)
    annotate([path], files["compact"], "--output-format", "compact", lang=lang)
    return {"name": name, "input": path, "lang": lang, "dir": d, **files}


def vocab(lang):
    try:
        return spacy.blank(lang).vocab
    except (ImportError, KeyError, ValueError, OSError):
        return spacy.blank("xx").vocab


def doc_facts(doc):
    """What a Doc holds that Glean writes: tokens, sentences, entities, span groups."""
    sents = [(s.start_char, s.end_char) for s in doc.sents] if doc.has_annotation("SENT_START") else []
    return {
        "text": doc.text,
        "tokens": [(t.idx, len(t), t.whitespace_) for t in doc],
        "sents": sents,
        "ents": [(e.start_char, e.end_char, e.label_) for e in doc.ents],
        "spans": {k: [(s.start_char, s.end_char, s.label_, s.kb_id_) for s in g] for k, g in doc.spans.items()},
    }


def test_docbin_loads_with_the_jsonl_printers_annotations(outputs):
    records = read_jsonl(outputs["jsonl"])
    v = vocab(outputs["lang"])
    docs = list(DocBin().from_disk(outputs["spacy"]).get_docs(v))
    assert len(docs) == len(records) > 0
    problems = []
    for i, (doc, record) in enumerate(zip(docs, records)):
        ours = doc_facts(doc)
        reference = doc_facts(Doc(v).from_json(record))
        for key in reference:
            if ours[key] != reference[key]:
                problems.append(f"record {i + 1}: {key} differ")
        # from_json sets no kb_id on entities; the DocBin carries them: compare with the record.
        if [e.kb_id_ for e in doc.ents] != [e["kb_id"] for e in record.get("ents", [])]:
            problems.append(f"record {i + 1}: entity kb_ids differ")
        if list(doc.spans.keys()) != list(record.get("spans", {}).keys()):
            problems.append(f"record {i + 1}: span group names differ")
    assert not problems, problems[:20]
    assert sum(len(d.ents) for d in docs) == sum(len(r.get("ents", [])) for r in records)


def test_directory_output_writes_one_docbin_per_input(outputs, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    lines = outputs["input"].read_text(encoding="utf-8").split("\n")
    half = len(lines) // 2
    (src / "a.jsonl").write_text("\n".join(lines[:half]) + "\n", encoding="utf-8")
    (src / "sub" / "b.jsonl").write_text("\n".join(lines[half:]), encoding="utf-8")
    out = tmp_path / "out"
    annotate([src], f"{out}/", "--output-format", "spacy", lang=outputs["lang"])
    parts = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.spacy"))
    assert parts == ["a.spacy", "sub/b.spacy"]
    v = vocab(outputs["lang"])
    # spaCy reads the parts as one corpus, in order.
    parted = [d for p in sorted(out.rglob("*.spacy")) for d in DocBin().from_disk(p).get_docs(v)]
    whole = list(DocBin().from_disk(outputs["spacy"]).get_docs(v))
    assert [doc_facts(d) for d in parted] == [doc_facts(d) for d in whole]


def expected_rows(outputs):
    """One row per entity of the JSONL output, in order, with the record's input line."""
    input_lines = outputs["input"].read_text(encoding="utf-8").split("\n")
    errors_path = Path(str(outputs["jsonl"])[: -len(".jsonl")] + ".errors.jsonl")
    failed = {e["line"] for e in read_jsonl(errors_path)} if errors_path.exists() else set()
    line_numbers = [n for n, l in enumerate(input_lines, 1) if l.strip() and n not in failed]
    rows = []
    for record, line in zip(read_jsonl(outputs["jsonl"]), line_numbers):
        raw_id = record.get("id")
        doc_id = "" if "id" not in record else raw_id if isinstance(raw_id, str) else json.dumps(raw_id)
        for e in record.get("ents", []):
            rows.append([doc_id, str(outputs["input"]), str(line), str(e["start"]), str(e["end"]),
                         record["text"][e["start"]:e["end"]], e["label"], e["kb_id"], e["source"],
                         e.get("name", e.get("alias"))])
    return rows


def test_entity_table_has_one_row_per_entity(outputs):
    expected = expected_rows(outputs)
    with open(outputs["csv"], newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == COLUMNS
    assert table[1:] == expected

    def unescape(field):
        return field.replace("\\\\", "\0").replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r").replace("\0", "\\")
    tsv = [[unescape(f) for f in line.split("\t")]
           for line in outputs["tsv"].read_text(encoding="utf-8").split("\n") if line]
    assert tsv == table

    rows = read_jsonl(outputs["rows"])
    assert [list(r.keys()) for r in rows] == [COLUMNS] * len(rows)
    assert len(rows) == len(expected)
    for r, e in zip(rows, expected):
        # doc_id is the id's JSON value (null when the record has none).
        doc_id = r["doc_id"]
        assert (e[0] in ("", "null") if doc_id is None else e[0] == (doc_id if isinstance(doc_id, str) else json.dumps(doc_id)))
        assert [r["file"], str(r["line"]), str(r["start"]), str(r["end"]), r["text"], r["label"], r["kb_id"],
                r["source"], r["name"]] == e[1:]

    import pandas  # users load the table into pandas: the real consumer, a requirement of the tests
    frame = pandas.read_csv(outputs["csv"], keep_default_na=False, dtype=str)
    assert list(frame.columns) == COLUMNS and len(frame) == len(expected)


def test_compact_token_columns_are_the_jsonl_tokens(outputs):
    kinds = ["word", "number", "punct", "space", "ideographic", "kana", "symbol"]
    full, compact = read_jsonl(outputs["jsonl"]), read_jsonl(outputs["compact"])
    assert len(full) == len(compact)
    for a, b in zip(full, compact):
        t = b.pop("tokens")
        assert [(x["start"], x["end"], x["kind"]) for x in a.pop("tokens")] == \
            list(zip(t["starts"], t["ends"], [kinds[k] for k in t["kinds"]]))
        assert a == b


@pytest.mark.parametrize("name", ["out.parquet", "out.xlsx", "out.spacy.gz"])
def test_unclaimed_extension_is_a_usage_error(tmp_path, name):
    target = tmp_path / name
    proc = annotate([SAMPLE], target, check=False)
    assert proc.returncode == 2, proc.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Measurement (not a test): python Tests/python/test_printers.py --measure [corpus.jsonl]


def measure(path):
    import tempfile
    path = Path(path)
    text_bytes = sum(len(json.loads(l)["text"].encode()) for l in path.read_text(encoding="utf-8").split("\n") if l.strip())
    input_mb = path.stat().st_size / 1e6
    print(f"{path}: {input_mb:.2f} MB of JSONL, {text_bytes / 1e6:.2f} MB of text")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        runs = [("jsonl", "out.jsonl", ()), ("jsonl, --emit tokens,sents,ents,spans", "spans.jsonl", ("--emit", EMIT)),
                ("compact", "compact.jsonl", ("--output-format", "compact")), ("spacy", "out.spacy", ()),
                ("spacy, with span groups", "spans.spacy", ("--emit", EMIT)), ("entities csv", "ents.csv", ()),
                ("entities tsv", "ents.tsv", ()), ("entities jsonl", "ents.jsonl", ("--output-format", "entities")),
                ("jsonl.gz", "out.jsonl.gz", ()), ("jsonl.zst", "out.jsonl.zst", ())]
        for label, name, extra in runs:
            cmd = [str(glean_binary()), "annotate", str(path), "-o", str(d / name), "-q", "--threads", "1", *extra]
            subprocess.run(cmd, check=True)
            size = (d / name).stat().st_size
            print(f"  {label:40s} {size / 1e6:8.2f} MB  {size / 1e6 / input_mb:6.2f} MB per MB of input")
        v = spacy.blank("en").vocab
        records = read_jsonl(d / "out.jsonl")
        for label, load in [
            ("DocBin.from_disk + get_docs", lambda: list(DocBin().from_disk(d / "out.spacy").get_docs(v))),
            ("json.loads + Doc.from_json", lambda: [Doc(v).from_json(json.loads(l)) for l in (d / "out.jsonl").read_text().split("\n") if l]),
        ]:
            best = None
            for _ in range(3):
                t = time.perf_counter()
                docs = load()
                elapsed = time.perf_counter() - t
                best = elapsed if best is None else min(best, elapsed)
            assert len(docs) == len(records)
            print(f"  spaCy load, {label:32s} {text_bytes / 1e6 / best:8.2f} MB/s of text (best of 3: {best:.3f} s)")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        rest = [a for a in sys.argv[1:] if a != "--measure"]
        measure(rest[0] if rest else PUBLIC / "news.jsonl")
