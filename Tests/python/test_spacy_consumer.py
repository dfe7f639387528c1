"""spaCy as the real consumer of `glean annotate` output.

Runs the built `glean` binary (env GLEAN_BIN, default .build/release/glean) over the bundled
sample corpus and, where corpora/fetch.sh has fetched them, the public corpora, then loads every
output record with `spacy.tokens.Doc(vocab).from_json(record)` and checks that spaCy sees exactly
Glean's annotations:

- the record loads, and `doc.text == record["text"]`;
- the Doc's tokens are ours: `(token.idx, token.idx + len(token))` equals `(start, end)` of each
  of our tokens, and a token's trailing whitespace is the single U+0020 between it and the next;
- tokens plus whitespace rebuild the text exactly, and our whitespace follows spaCy's convention
  (only one U+0020 can trail a token; every other whitespace run is ONE token);
- `doc.sents` equals our `sents` (start, end);
- `doc.ents` equals our `ents` (start_char, end_char, label_);
- every input record comes back once, in order, with its own fields unchanged (sample corpus).

A second test compares Glean's whitespace tokens with those of spaCy's own tokenizer on texts
full of runs of spaces, tabs, newlines and other Unicode whitespace.

The checks themselves are verified without the binary on hand-made records that follow the
contract, and on records that break it (they must be rejected).

Run: scripts/setup-python.sh && .venv/bin/python -m pytest Tests/python
The binary must exist (`swift build -c release`): a missing binary fails, it is not skipped.
Set GLEAN_REQUIRE_PUBLIC=1 to fail instead of skip when corpora/public/ has not been fetched.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from cluster_support import glean_binary  # GLEAN_BIN or .build/release/glean; fails if missing
import spacy
from spacy.tokens import Doc

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample"
PUBLIC = ROOT / "corpora" / "public"
KINDS = {"word", "number", "punct", "space", "ideographic", "kana", "symbol"}
GLEAN_KEYS = {"tokens", "sents", "ents", "spans", "warnings"}
MAX_REPORTED = 25


# ---------------------------------------------------------------------------------------------
# Running glean




@pytest.fixture(scope="session")
def glean():
    path = glean_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"glean binary not found at {path}: build it with `swift build -c release` "
            "or point GLEAN_BIN at it",
            pytrace=False,
        )
    return path


def read_jsonl(path):
    """Records of a JSONL file, split on LF only (str.splitlines would also split on U+2028,
    U+0085 and friends inside texts)."""
    data = Path(path).read_bytes().decode("utf-8")  # strict: output must be valid UTF-8
    return [line for line in data.split("\n") if line.strip()]


def annotate(glean, inputs, out_dir, lang="en", emit="tokens,sents,ents", extra=()):
    """Runs `glean annotate`; returns (output lines, error lines)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "out.jsonl"
    cmd = [str(glean), "annotate", *map(str, inputs), "-o", str(out), "--lang", lang,
           "--emit", emit, "--quiet", *extra]
    proc = subprocess.run(cmd, capture_output=True, timeout=900)
    errors_path = out_dir / "out.jsonl.errors.jsonl"
    errors = read_jsonl(errors_path) if errors_path.exists() else []
    assert proc.returncode in (0, 1), (
        f"{' '.join(cmd)} exited {proc.returncode}\nstderr: {proc.stderr.decode(errors='replace')[-3000:]}")
    assert out.exists(), f"{' '.join(cmd)} wrote no output\nstderr: {proc.stderr.decode(errors='replace')[-3000:]}"
    assert (proc.returncode == 1) == bool(errors), (
        f"exit status {proc.returncode} but {len(errors)} error records: {errors[:3]}")
    return read_jsonl(out), errors


# ---------------------------------------------------------------------------------------------
# spaCy vocabularies

_VOCABS = {}


def vocab_for(lang):
    """spaCy's blank vocabulary for lang. Japanese, Korean, Thai and a few others need extra
    packages for their tokenizer, which from_json never uses: those fall back to the
    multi-language vocabulary, which loads tokens, sentences and entities the same way."""
    lang = lang or "en"
    if lang not in _VOCABS:
        try:
            _VOCABS[lang] = spacy.blank(lang).vocab
        except (ImportError, KeyError, ValueError, OSError):
            _VOCABS[lang] = spacy.blank("xx").vocab
    return _VOCABS[lang]


# ---------------------------------------------------------------------------------------------
# The checks: each returns a list of problems (strings); empty means the record is right.


def describe(text, tokens, around=None, width=6):
    """Our tokens as `start-end kind 'text'`, optionally only those near char offset around."""
    rows = []
    for t in tokens:
        if around is not None and not (around - 40 <= t["start"] <= around + 40):
            continue
        rows.append(f"{t['start']}-{t['end']} {t.get('kind')} {text[t['start']:t['end']]!r}")
    if around is not None and len(rows) > 2 * width:
        rows = rows[:2 * width]
    return "; ".join(rows)


def check_tokens(text, tokens):
    """Our tokens against the contract: ids, kinds, order, coverage and spaCy's whitespace
    convention (only a single U+0020 may trail a token; other whitespace is ONE token per run)."""
    problems = []
    pos = 0
    prev = None  # previous token
    for i, t in enumerate(tokens):
        start, end, kind = t.get("start"), t.get("end"), t.get("kind")
        if t.get("id") != i:
            problems.append(f"token {i} has id {t.get('id')!r}")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(f"token {i} has bad offsets {start!r}-{end!r} (text length {len(text)})")
            return problems
        if kind not in KINDS:
            problems.append(f"token {i} {text[start:end]!r} has kind {kind!r}")
        piece = text[start:end]
        is_space = piece.isspace()
        if is_space != (kind == "space"):
            problems.append(f"token {i} {piece!r} is {'all' if is_space else 'not'} whitespace but has kind {kind!r}")
        if not is_space and any(c.isspace() for c in piece):
            problems.append(f"token {i} {piece!r} mixes whitespace and other characters")
        gap = text[pos:start]
        if start < pos:
            problems.append(f"token {i} {piece!r} at {start} overlaps the previous token ending at {pos}")
        elif gap:
            if gap != " " or prev is None or text[prev["start"]:prev["end"]].isspace():
                problems.append(f"text {gap!r} at {pos}-{start} is not covered by a token "
                                f"(only one U+0020 after a non-space token may be)")
        if is_space and prev is not None and text[prev["start"]:prev["end"]].isspace() and not gap:
            problems.append(f"two whitespace tokens in a row at {prev['start']} and {start}: "
                            f"{text[prev['start']:prev['end']]!r} then {piece!r}")
        nxt = tokens[i + 1].get("start") if i + 1 < len(tokens) else len(text)
        if not is_space and end < len(text) and text[end] == " " and nxt != end + 1:
            problems.append(f"the space after token {i} {piece!r} at {end} is not its trailing space")
        if is_space and end < len(text) and text[end].isspace():
            problems.append(f"whitespace token {i} {piece!r} at {start}-{end} stops before more whitespace")
        prev = t
        pos = max(pos, end)
        if len(problems) > MAX_REPORTED:
            return problems
    tail = text[pos:]
    if tail and (tail != " " or prev is None or text[prev["start"]:prev["end"]].isspace()):
        problems.append(f"text {tail!r} at {pos}-{len(text)} after the last token is not covered")
    if not tokens and text:
        problems.append("no tokens for a non-empty text")
    return problems


def rebuild(text, tokens):
    """The text from tokens plus whitespace, the way spaCy's Doc rebuilds it."""
    out = []
    for i, t in enumerate(tokens):
        out.append(text[t["start"]:t["end"]])
        nxt = tokens[i + 1]["start"] if i + 1 < len(tokens) else len(text)
        out.append(text[t["end"]:nxt])
    return "".join(out)


def check_spacy(record, lang):
    """Loads the record in spaCy and compares what spaCy sees with our annotations."""
    text = record["text"]
    tokens = record.get("tokens", [])
    sents = record.get("sents")
    ents = record.get("ents")
    try:
        doc = Doc(vocab_for(lang)).from_json(record)
    except Exception as e:  # noqa: BLE001 - any failure to load is the finding
        return [f"Doc.from_json failed: {type(e).__name__}: {e}"]
    problems = []
    if doc.text != text:
        problems.append(f"doc.text differs from record text: {doc.text[:80]!r} vs {text[:80]!r}")
    theirs = [(t.idx, t.idx + len(t.text)) for t in doc]
    ours = [(t["start"], t["end"]) for t in tokens]
    if theirs != ours:
        k = next((k for k, (a, b) in enumerate(zip(theirs, ours)) if a != b), min(len(theirs), len(ours)))
        problems.append(f"spaCy tokens differ from ours at token {k}: spaCy "
                        f"{[(a, b, text[a:b]) for a, b in theirs[k:k + 4]]} ours "
                        f"{[(a, b, text[a:b]) for a, b in ours[k:k + 4]]}")
    else:
        for i, t in enumerate(doc):
            nxt = tokens[i + 1]["start"] if i + 1 < len(tokens) else len(text)
            if t.whitespace_ != text[tokens[i]["end"]:nxt]:
                problems.append(f"token {i} {t.text!r}: spaCy trailing whitespace {t.whitespace_!r}, "
                                f"text has {text[tokens[i]['end']:nxt]!r}")
                break
    if "".join(t.text_with_ws for t in doc) != text:
        problems.append("spaCy tokens plus whitespace do not rebuild the text")
    if sents is not None and len(doc):
        try:
            got = [(s.start_char, s.end_char) for s in doc.sents]
        except Exception as e:  # noqa: BLE001
            got = f"doc.sents failed: {type(e).__name__}: {e}"
        want = [(s["start"], s["end"]) for s in sents]
        if got != want:
            problems.append(f"spaCy sentences {got} differ from ours {want}")
    if ents is not None:
        got = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        want = [(e["start"], e["end"], e["label"]) for e in ents]
        if got != want:
            problems.append(f"spaCy ents {got} differ from ours {want}")
    return problems


def check_sents_and_ents(record):
    """Our sents and ents against the contract, independently of spaCy."""
    text, tokens = record["text"], record.get("tokens", [])
    starts = {t["start"] for t in tokens}
    ends = {t["end"] for t in tokens}
    problems = []
    last = 0
    for s in record.get("sents", []):
        if s["start"] not in starts or s["end"] not in ends or s["start"] >= s["end"] or s["start"] < last:
            problems.append(f"sentence {s} is not on token boundaries, empty or out of order")
        last = s["end"]
    last = 0
    for e in record.get("ents", []):
        missing = {"start", "end", "label", "kb_id", "source"} - e.keys()
        if missing:
            problems.append(f"entity {e} lacks {sorted(missing)}")
            continue
        if e["start"] not in starts or e["end"] not in ends or e["start"] >= e["end"]:
            problems.append(f"entity {e} {text[e['start']:e['end']]!r} is not on token boundaries")
        if e["start"] < last:
            problems.append(f"entity {e} overlaps or precedes the previous one ending at {last}")
        if e["source"] not in ("pattern", "gazetteer", "names", "propagation"):
            problems.append(f"entity {e} has source {e['source']!r}")
        last = e["end"]
    return problems


def check_record(record, default_lang):
    """Every check for one output record; returns a list of problems."""
    if not isinstance(record.get("text"), str):
        return [f"record has no text string: {str(record)[:200]}"]
    for key in ("tokens", "sents", "ents"):
        if key not in record:
            return [f"record lacks {key!r}: keys {list(record)}"]
    text = record["text"]
    problems = check_tokens(text, record["tokens"])
    if not problems and rebuild(text, record["tokens"]) != text:
        problems.append("our tokens plus whitespace do not rebuild the text")
    problems += check_sents_and_ents(record)
    problems += check_spacy(record, record.get("lang") or default_lang)
    if problems:
        where = record.get("id", "?")
        return [f"[{where}] {p}\n    text: {text[:160]!r}\n    ours: {describe(text, record['tokens'])[:600]}"
                for p in problems]
    return []


def check_output(lines, default_lang):
    """Checks every output line; returns (records, problems)."""
    records, problems = [], []
    for n, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"output line {n} is not JSON: {e}: {line[:200]!r}")
            continue
        records.append(record)
        if len(problems) < MAX_REPORTED:
            problems += check_record(record, default_lang)
    return records, problems


def fail_with(problems, what):
    if problems:
        shown = "\n".join(problems[:MAX_REPORTED])
        pytest.fail(f"{what}: {len(problems)} problem(s); the first:\n{shown}", pytrace=False)


# ---------------------------------------------------------------------------------------------
# The checks on hand-made records (no binary needed): they accept the contract and reject
# what spaCy cannot load or what the contract forbids.

SYDNEY = "Sydney's west.  Hi\nthere"


def sydney_record():
    spans = [(0, 6, "word"), (6, 8, "word"), (9, 13, "word"), (13, 14, "punct"), (15, 16, "space"),
             (16, 18, "word"), (18, 19, "space"), (19, 24, "word")]
    return {
        "id": "hand-1",
        "text": SYDNEY,
        "tokens": [{"id": i, "start": s, "end": e, "kind": k} for i, (s, e, k) in enumerate(spans)],
        "sents": [{"start": 0, "end": 16}, {"start": 16, "end": 24}],
        "ents": [{"start": 0, "end": 6, "label": "GPE", "kb_id": "geonames:2147714",
                  "source": "gazetteer", "alias": "Sydney"}],
    }


def test_checks_accept_a_contract_record():
    record = sydney_record()
    assert check_record(record, "en") == []
    doc = Doc(vocab_for("en")).from_json(record)
    assert [t.text for t in doc] == ["Sydney", "'s", "west", ".", " ", "Hi", "\n", "there"]
    assert [t.whitespace_ for t in doc] == ["", " ", "", " ", "", "", "", ""]
    assert [(s.start_char, s.end_char) for s in doc.sents] == [(0, 16), (16, 24)]
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(0, 6, "GPE")]


def test_checks_accept_records_in_other_scripts():
    # Chinese: one token per ICU word, no spaces; Japanese falls back to the multi-language vocab.
    text = "北京的天气。東京タワー"
    tokens = [(0, 2, "ideographic"), (2, 3, "ideographic"), (3, 5, "ideographic"), (5, 6, "punct"),
              (6, 8, "ideographic"), (8, 11, "kana")]
    record = {"text": text, "lang": "zh",
              "tokens": [{"id": i, "start": s, "end": e, "kind": k} for i, (s, e, k) in enumerate(tokens)],
              "sents": [{"start": 0, "end": 6}, {"start": 6, "end": 11}], "ents": []}
    assert check_record(record, "en") == []
    record["lang"] = "ja"
    assert check_record(record, "en") == []


def test_checks_reject_two_whitespace_tokens_in_a_row():
    record = sydney_record()
    record["text"] = "Sydney's west.  Hi\n\tthere"
    spans = [(0, 6, "word"), (6, 8, "word"), (9, 13, "word"), (13, 14, "punct"), (15, 16, "space"),
             (16, 18, "word"), (18, 19, "space"), (19, 20, "space"), (20, 25, "word")]
    record["tokens"] = [{"id": i, "start": s, "end": e, "kind": k} for i, (s, e, k) in enumerate(spans)]
    record["sents"] = [{"start": 0, "end": 16}, {"start": 16, "end": 25}]
    problems = check_record(record, "en")
    assert any("two whitespace tokens in a row" in p for p in problems), problems
    assert any("Doc.from_json failed" in p for p in problems), problems  # spaCy refuses it too


def test_checks_reject_uncovered_whitespace_and_misaligned_spans():
    record = sydney_record()
    del record["tokens"][4]  # the second space of ".  " left uncovered
    for i, t in enumerate(record["tokens"]):
        t["id"] = i
    problems = check_record(record, "en")
    assert any("not covered" in p for p in problems), problems

    record = sydney_record()
    record["ents"] = [{"start": 0, "end": 4, "label": "GPE", "kb_id": "", "source": "gazetteer"}]
    problems = check_record(record, "en")
    assert any("not on token boundaries" in p for p in problems), problems
    assert any("Doc.from_json failed" in p for p in problems), problems

    record = sydney_record()
    record["sents"] = [{"start": 0, "end": 15}, {"start": 15, "end": 24}]  # ends after the space
    problems = check_record(record, "en")
    assert any("sentence" in p for p in problems), problems


def test_checks_reject_a_space_that_should_trail():
    # "a b": the space must be a's trailing whitespace, not a token of its own.
    record = {"text": "a b", "tokens": [{"id": 0, "start": 0, "end": 1, "kind": "word"},
                                        {"id": 1, "start": 1, "end": 2, "kind": "space"},
                                        {"id": 2, "start": 2, "end": 3, "kind": "word"}],
              "sents": [{"start": 0, "end": 3}], "ents": []}
    problems = check_record(record, "en")
    assert any("not its trailing space" in p for p in problems), problems


# ---------------------------------------------------------------------------------------------
# Glean's output loaded in spaCy


def input_records(path):
    return read_jsonl(path)


def test_sample_corpus_loads_in_spacy(glean, tmp_path):
    src = SAMPLE / "news.jsonl"
    lines, errors = annotate(glean, [src], tmp_path)
    inputs = input_records(src)
    assert errors == [], f"error records for the sample corpus: {errors[:5]}"
    assert len(lines) == len(inputs), f"{len(inputs)} input records, {len(lines)} output records"
    records, problems = check_output(lines, "en")
    problems += check_pass_through(inputs, lines)
    fail_with(problems, f"{src.relative_to(ROOT)}")


def test_sample_texts_load_in_spacy(glean, tmp_path):
    files = sorted((SAMPLE / "texts").glob("*.txt"))
    assert files, "corpora/sample/texts/ holds no .txt files"
    lines, errors = annotate(glean, [SAMPLE / "texts"], tmp_path)
    assert errors == [], f"error records for the sample texts: {errors[:5]}"
    assert len(lines) == len(files), f"{len(files)} text files, {len(lines)} output records"
    records, problems = check_output(lines, "en")
    # One document per file, in sorted order, the text kept as it is (CRLF inside included).
    for f, r in zip(files, records):
        text = f.read_bytes().decode("utf-8")
        if r.get("text") not in (text, text.removesuffix("\n"), text.removesuffix("\r\n")):
            problems.append(f"{f.name}: output text {r.get('text', '')[:80]!r} is not the file's text {text[:80]!r}")
    fail_with(problems, "corpora/sample/texts")


PUBLIC_CORPORA = [("news.jsonl", "en"), ("zh.jsonl", "zh"), ("ru.jsonl", "ru"), ("de.jsonl", "de")]


@pytest.mark.parametrize("name,lang", PUBLIC_CORPORA, ids=[n for n, _ in PUBLIC_CORPORA])
def test_public_corpus_loads_in_spacy(glean, tmp_path, name, lang):
    src = PUBLIC / name
    if not src.exists():
        message = f"{src.relative_to(ROOT)} not fetched: run corpora/fetch.sh"
        if os.environ.get("GLEAN_REQUIRE_PUBLIC") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    lines, errors = annotate(glean, [src], tmp_path, lang=lang)
    inputs = input_records(src)
    assert errors == [], f"error records for {name}: {errors[:5]}"
    assert len(lines) == len(inputs), f"{len(inputs)} input records, {len(lines)} output records"
    records, problems = check_output(lines, lang)
    for i, (a, r) in enumerate(zip(inputs, records)):
        if json.loads(a)["text"] != r.get("text"):
            problems.append(f"record {i + 1}: output text differs from the input text")
            break
    fail_with(problems, name)


# ---------------------------------------------------------------------------------------------
# Pass-through: every input field comes back unchanged and in order (numbers as written)


def _pairs(line):
    # Numbers compared as written; key order and duplicates kept.
    return json.loads(line, parse_int=str, parse_float=str, parse_constant=str, object_pairs_hook=list)


def _repair(text):
    """What Glean writes for a text with lone surrogates (from JSON escapes): U+FFFD each."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def check_pass_through(inputs, outputs):
    problems = []
    for n, (a, b) in enumerate(zip(inputs, outputs), start=1):
        inp, out = _pairs(a), _pairs(b)
        out_fields = [(k, v) for k, v in out if k not in GLEAN_KEYS]
        in_fields = [(k, v) for k, v in inp if k not in GLEAN_KEYS]
        if [k for k, _ in out_fields] != [k for k, _ in in_fields]:
            problems.append(f"line {n}: fields {[k for k, _ in in_fields]} came back as {[k for k, _ in out_fields]}")
            continue
        warnings = dict(out).get("warnings")
        for (k, v), (_, w) in zip(in_fields, out_fields):
            if k == "text" and v != w:
                if w == _repair(v) and warnings:
                    continue
                problems.append(f"line {n}: text changed{' without a warning' if not warnings else ''}: "
                                f"{v[:80]!r} -> {w[:80]!r}")
            elif v != w:
                problems.append(f"line {n}: field {k!r} changed: {v!r} -> {w!r}")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in dict(inp).get("text", "")) and not warnings:
            problems.append(f"line {n}: a text with lone surrogates was repaired without a warning")
    return problems


# ---------------------------------------------------------------------------------------------
# Whitespace: Glean's convention against spaCy's own tokenizer

WHITESPACE_TEXTS = [
    "b  \t c",
    "Sydney's west.  Hi\nthere",
    "a \n b",
    "a\n\tb",
    "  leading spaces",
    "\n\nleading newlines",
    "trailing spaces   ",
    "trailing newline\n",
    "one two  three   four    five",
    "tabs\tand\t\ttabs \t \t end",
    "Windows\r\nline\r\n\r\nendings \r\n here",
    "para one.\n\n\npara two.\n \n para three.",
    "nbsp\u00a0here and \u00a0 there",
    "ideographic\u3000\u3000space 東京\u3000大阪",
    "line\u2028separator \u2029 paragraph",
    "vt\x0bff\x0cnel\x85fs\x1cgs\x1drs\x1eus\x1f end",
    "thin\u2009space, narrow\u202fnbsp, math\u205fspace, ogham\u1680mark",
    "zero\u200bwidth is not whitespace",
    " ",
    "\n",
    " \t\n ",
    "x",
    "Ends with a single space ",
    "Dr. Marsh said:\n\t\"We don't hide.\"\n\n\tNext  paragraph\t\there.",
    "Emoji 👍🏿  then\ttab 👩‍👩‍👧‍👦\n",
]


def whitespace_view(text, spans, trailing):
    return {"space tokens": [(s, e, text[s:e]) for s, e in spans],
            "trailing spaces at": sorted(trailing)}


def test_whitespace_matches_spacy_tokenizer(glean, tmp_path):
    src = tmp_path / "ws.jsonl"
    with src.open("w", encoding="utf-8", newline="\n") as f:
        for i, t in enumerate(WHITESPACE_TEXTS):
            f.write(json.dumps({"id": f"ws-{i}", "text": t}) + "\n")
    lines, errors = annotate(glean, [src], tmp_path / "out", emit="tokens")
    assert errors == [], errors[:5]
    assert len(lines) == len(WHITESPACE_TEXTS)
    nlp = spacy.blank("en")
    problems = []
    for text, line in zip(WHITESPACE_TEXTS, lines):
        record = json.loads(line)
        assert record["text"] == text
        tokens = record["tokens"]
        ours_spans = [(t["start"], t["end"]) for t in tokens if text[t["start"]:t["end"]].isspace()]
        ours_trailing = {t["end"] for i, t in enumerate(tokens)
                         if not text[t["start"]:t["end"]].isspace()
                         and (tokens[i + 1]["start"] if i + 1 < len(tokens) else len(text)) == t["end"] + 1}
        doc = nlp(text)
        spacy_spans = [(t.idx, t.idx + len(t.text)) for t in doc if t.is_space]
        spacy_trailing = {t.idx + len(t.text) for t in doc if t.whitespace_}
        if (ours_spans, ours_trailing) != (spacy_spans, spacy_trailing):
            problems.append(f"{text!r}:\n    ours  {whitespace_view(text, ours_spans, ours_trailing)}\n"
                            f"    spaCy {whitespace_view(text, spacy_spans, spacy_trailing)}")
    fail_with(problems, "whitespace differs from spaCy's tokenizer")
