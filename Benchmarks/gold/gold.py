#!/usr/bin/env python3
"""The gold set: hand-written annotations -> offsets, and the offset check.

The annotations (annotations.txt) are written by hand while reading each article. The
article texts are NOT stored in this repository: they come from corpora/public/news.jsonl
(gensim's lee_background.cor, fetched at set-up time). This script finds each article by the
SHA-256 of its text, so it does not depend on how the fetch script names the records.

annotations.txt format:
    ## lee-1 <sha256 of the article text>       starts a document (id lee-N = line N of
                                                lee_background.cor, from 1)
    LABEL surface                               one entity, in reading order
    LABEL left ⟦surface⟧ right                  the same, when the bare surface would first
                                                match somewhere else: the context is searched
                                                and the part in ⟦ ⟧ is the entity
    # comment
Each entity is searched forward from the end of the previous one (whole words only: the
characters around it must not be letters or digits), so repeated mentions are just repeated
lines.

    gold.py build    annotations.txt + corpus -> gold.jsonl
                     ({"id", "sha256", "chars", "ents": [[start, end, label, surface], ...]},
                     code-point offsets, end-exclusive, no text)
    gold.py verify   check gold.jsonl against the corpus: every document found by its hash,
                     every span non-empty, no leading or trailing whitespace, text[start:end]
                     equal to the recorded surface, sorted and non-overlapping, labels
                     OntoNotes; exit 1 on any failure
    gold.py show ID  print a document with its entities inline, for review
    gold.py fetch    extract the documents that are not in news.jsonl (EXTRA_SOURCES) from
                     the gensim wheel (pip download) into Benchmarks/work/gold-extra.jsonl
    gold.py texts    write the gold documents with their text to stdout (JSONL), for tools
"""
import hashlib
import html
import io
import json
import os
import pickle
import re
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "corpora", "public", "news.jsonl")
ANNOTATIONS = os.path.join(HERE, "annotations.txt")
GOLD = os.path.join(HERE, "gold.jsonl")
LABELS = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
          "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL",
          "CARDINAL"}
OPEN, CLOSE = "\u27e6", "\u27e7"

# Documents from outside news.jsonl: (id, file inside the gensim wheel, which part: a line
# number from 1, or as extract() reads it for the Wikipedia and newsgroup samples).
# `gold.py fetch` extracts them into EXTRA; their text is not stored in this repository either.
GENSIM_WHEEL = "gensim==4.4.0"
EXTRA = os.path.join(ROOT, "Benchmarks", "work", "gold-extra.jsonl")
EXTRA_SOURCES = [
    ("ny-1", "gensim/test/test_data/para2para_text1.txt", 1),
    ("ny-2", "gensim/test/test_data/para2para_text1.txt", 2),
    ("ny-3", "gensim/test/test_data/para2para_text1.txt", 3),
    ("ny-4", "gensim/test/test_data/para2para_text1.txt", 4),
    ("ny-5", "gensim/test/test_data/para2para_text1.txt", 5),
    ("ny-6", "gensim/test/test_data/para2para_text1.txt", 6),
    ("berlin-1", "gensim/test/test_data/para2para_text2.txt", 1),
    ("berlin-2", "gensim/test/test_data/para2para_text2.txt", 2),
]
# Documents of other kinds, chosen by a fixed rule (README.md): the first ten paragraphs of
# at least 200 characters of the article "Economy of Estonia" in the Wikipedia sample with
# table markup (as plain text, wiki_text below), and the first ten posts of gensim's
# 20 Newsgroups sample whose body (after the header block) is under 1,500 characters.
WIKI = "gensim/test/test_data/enwiki-table-markup.xml.bz2"
NEWSGROUP = "gensim/test/test_data/mini_newsgroup"
EXTRA_SOURCES += [(f"wiki-estonia-{n}", WIKI, ("Economy of Estonia", n)) for n in range(1, 11)]
EXTRA_SOURCES += [(f"news-group-{n}", NEWSGROUP, n) for n in range(1, 11)]
WIKI_MIN_CHARS = 200
NEWSGROUP_MAX_CHARS = 1500
# Held-out documents: scored for the final figures only, never read while changing a model.
# Everything else in the gold set is for development. (README.md: "Development and held-out".)
HELDOUT = {f"lee-{n}" for n in range(293, 301)} | {"berlin-1", "berlin-2"}
KIND = {"ny": "encyclopedia", "berlin": "encyclopedia", "lee": "news",
        "wiki-estonia": "encyclopedia", "news-group": "forum"}


def split_of(doc_id):
    return "heldout" if doc_id in HELDOUT else "dev"


def kind_of(doc_id):
    return KIND[doc_id.rsplit("-", 1)[0]]


def strip_nested(text, open_, close):
    """Remove every open_ ... close span, innermost first, so that nested ones go too."""
    pattern = re.compile(re.escape(open_) + "((?:(?!" + re.escape(open_) + ").)*?)" +
                         re.escape(close), re.S)
    while True:
        new = pattern.sub("", text)
        if new == text:
            return text
        text = new


def wiki_link(m):
    inner = m.group(1)
    if re.match(r"\s*:?\s*(File|Image|Category)\s*:", inner, re.I):
        return ""
    return inner.rsplit("|", 1)[-1]


def wiki_text(markup):
    """MediaWiki markup -> plain text, one paragraph a line. Templates, tables, references,
    comments, files and categories are dropped; a link gives its text ([[a|b]] -> b, [[a]] ->
    a), an external link its label; bold and italic quotes and other HTML tags are dropped;
    a heading gives its text."""
    t = html.unescape(markup)
    t = re.sub(r"<!--.*?-->", "", t, flags=re.S)
    t = re.sub(r"<ref[^>]*/>", "", t)
    t = re.sub(r"<ref[^>]*>.*?</ref>", "", t, flags=re.S)
    t = strip_nested(t, "{{", "}}")
    t = strip_nested(t, "{|", "|}")
    link = re.compile(r"\[\[((?:(?!\[\[)[^\]])*)\]\]")
    while True:
        new = link.sub(wiki_link, t)
        if new == t:
            break
        t = new
    t = re.sub(r"\[(?:https?|ftp)://[^\s\]]+\s+([^\]]*)\]", r"\1", t)
    t = re.sub(r"\[(?:https?|ftp)://[^\]]*\]", "", t)
    t = re.sub(r"'{2,}", "", t)
    t = re.sub(r"<[^>]+>", "", t)
    lines = []
    for line in t.splitlines():
        line = re.sub(r"^(=+)\s*(.*?)\s*\1\s*$", r"\2", line.strip())
        line = re.sub(r"\s+", " ", line).strip()
        if line:
            lines.append(line)
    return lines


def wiki_paragraph(data, title, n):
    """The n-th paragraph (from 1) of at least WIKI_MIN_CHARS characters of article title."""
    import bz2
    import xml.etree.ElementTree as ET
    root = ET.fromstring(bz2.decompress(data))
    for page in root.iter():
        if page.tag.endswith("}page") or page.tag == "page":
            fields = {e.tag.rsplit("}", 1)[-1]: e for e in page.iter()}
            if fields["title"].text == title:
                paras = [p for p in wiki_text(fields["text"].text or "")
                         if len(p) >= WIKI_MIN_CHARS]
                return paras[n - 1]
    raise KeyError(title)


class NewsgroupUnpickler(pickle.Unpickler):
    """Reads the sklearn Bunch of gensim's newsgroup sample as a dict (no sklearn needed)."""
    def find_class(self, module, name):
        if name == "Bunch":
            return dict
        return super().find_class(module, name)


def newsgroup_post(data, n):
    """The body (after the header block) of the n-th post (from 1) whose body is under
    NEWSGROUP_MAX_CHARS characters."""
    bunch = NewsgroupUnpickler(io.BytesIO(zlib.decompress(data))).load()
    bodies = []
    for post in bunch["data"]:
        body = post.split("\n\n", 1)[1].strip() if "\n\n" in post else ""
        if body and len(body) < NEWSGROUP_MAX_CHARS:
            bodies.append(body)
    return bodies[n - 1]


def extract(data, member, where):
    if member == WIKI:
        return wiki_paragraph(data, *where)
    if member == NEWSGROUP:
        return newsgroup_post(data, where)
    return data.decode("utf-8").splitlines()[where - 1].strip()


def fetch_extra():
    """Download the gensim wheel with pip (no install) and extract EXTRA_SOURCES into EXTRA."""
    import glob
    import zipfile
    wheels = os.path.join(ROOT, "Benchmarks", "work", "wheels")
    os.makedirs(wheels, exist_ok=True)
    found = glob.glob(os.path.join(wheels, "gensim-4.4.0-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "-d", wheels, GENSIM_WHEEL], check=True)
        found = glob.glob(os.path.join(wheels, "gensim-4.4.0-*.whl"))
    with zipfile.ZipFile(found[0]) as z, open(EXTRA, "w", encoding="utf-8") as out:
        for doc_id, member, where in EXTRA_SOURCES:
            text = extract(z.read(member), member, where)
            out.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    print(f"gold: wrote {EXTRA}: {len(EXTRA_SOURCES)} documents")


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_by_hash(path=CORPUS):
    if not os.path.exists(path):
        sys.exit(f"gold: {path} is missing; run Benchmarks/run.sh or corpora/fetch.sh first")
    docs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                # The fetch may keep the trailing space of each line of lee_background.cor;
                # the gold set is defined on the stripped text (offsets are unchanged by a
                # trailing strip, and shifted by a leading one).
                t = r["text"]
                docs[sha(t.strip())] = (r, len(t) - len(t.lstrip()))
    if path == CORPUS:
        if not os.path.exists(EXTRA):
            fetch_extra()
        for line in open(EXTRA, encoding="utf-8"):
            r = json.loads(line)
            docs[sha(r["text"])] = (r, 0)
    return docs


def boundary_ok(text, start, end):
    return (start == 0 or not text[start - 1].isalnum()) and \
           (end == len(text) or not text[end].isalnum())


def find(text, pattern, pos):
    """Return (start, end) of the entity described by pattern, searching from pos."""
    if OPEN in pattern:
        left, rest = pattern.split(OPEN, 1)
        surface, right = rest.split(CLOSE, 1)
        context = left + surface + right
    else:
        left, surface, context = "", pattern, pattern
    i = pos
    while True:
        i = text.find(context, i)
        if i < 0:
            return None
        s = i + len(left)
        e = s + len(surface)
        if boundary_ok(text, i, i + len(context)) and boundary_ok(text, s, e):
            return s, e
        i += 1


def parse_annotations(path=ANNOTATIONS):
    docs, cur = [], None
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if line.startswith("## "):
            parts = line[3:].split()
            cur = {"id": parts[0], "sha256": parts[1] if len(parts) > 1 else None,
                   "items": [], "line": n}
            docs.append(cur)
        elif not line.strip() or line.lstrip().startswith("#"):
            continue
        else:
            label, pattern = line.strip().split(None, 1)
            cur["items"].append((label, pattern.strip(), n))
    return docs


def build():
    by_id = {}
    for h, (r, _) in corpus_by_hash().items():
        by_id[r["id"]] = (r["text"].strip(), h)
    errors = 0
    out = []
    for d in parse_annotations():
        if d["sha256"]:
            text = next((t for t, h in by_id.values() if h == d["sha256"]), None)
        else:
            text, h = by_id[d["id"]]
            d["sha256"] = h
        if text is None:
            print(f"annotations.txt:{d['line']}: {d['id']}: no article with that hash")
            errors += 1
            continue
        pos, ents = 0, []
        for label, pattern, n in d["items"]:
            if label not in LABELS:
                print(f"annotations.txt:{n}: unknown label {label}")
                errors += 1
                continue
            hit = find(text, pattern, pos)
            if hit is None:
                print(f"annotations.txt:{n}: {d['id']}: {pattern!r} not found after "
                      f"offset {pos}: ...{text[max(0, pos - 30):pos + 30]!r}...")
                errors += 1
                continue
            s, e = hit
            skipped = find(text[:s], text[s:e], pos)
            if skipped:
                print(f"annotations.txt:{n}: note: {d['id']}: an earlier mention of "
                      f"{text[s:e]!r} at {skipped[0]} is left unannotated: "
                      f"...{text[max(0, skipped[0] - 30):skipped[1] + 30]!r}...")
            ents.append([s, e, label, text[s:e]])
            pos = e
        out.append({"id": d["id"], "sha256": d["sha256"], "chars": len(text),
                    "split": split_of(d["id"]), "kind": kind_of(d["id"]), "ents": ents})
    if errors:
        sys.exit(f"gold: {errors} errors; gold.jsonl not written")
    with open(GOLD, "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"gold: wrote {GOLD}: {len(out)} documents, {sum(len(r['ents']) for r in out)} entities")


def load_gold_with_texts():
    """[(gold record, text)], text being the stripped article text."""
    corpus = corpus_by_hash()
    out = []
    for line in open(GOLD, encoding="utf-8"):
        g = json.loads(line)
        if g["sha256"] not in corpus:
            raise KeyError(f"{g['id']}: no article in {CORPUS} has SHA-256 {g['sha256']}")
        r, _ = corpus[g["sha256"]]
        out.append((g, r["text"].strip()))
    return out


def verify():
    problems = []
    corpus = corpus_by_hash()
    n_docs = n_ents = 0
    for line in open(GOLD, encoding="utf-8"):
        g = json.loads(line)
        n_docs += 1
        if g["sha256"] not in corpus:
            problems.append(f"{g['id']}: article not found by hash")
            continue
        text = corpus[g["sha256"]][0]["text"].strip()
        if len(text) != g["chars"]:
            problems.append(f"{g['id']}: length {len(text)} != {g['chars']}")
        prev_end = 0
        for s, e, label, surface in g["ents"]:
            n_ents += 1
            span = text[s:e]
            where = f"{g['id']} [{s},{e}) {label} {surface!r}"
            if not (0 <= s < e <= len(text)):
                problems.append(f"{where}: empty or out of range")
                continue
            if span != span.strip():
                problems.append(f"{where}: leading or trailing whitespace")
            if span != surface:
                problems.append(f"{where}: text is {span!r}")
            if label not in LABELS:
                problems.append(f"{where}: unknown label")
            if s < prev_end:
                problems.append(f"{where}: overlaps or precedes the previous entity")
            if not boundary_ok(text, s, e):
                problems.append(f"{where}: not on word boundaries")
            prev_end = e
    for p in problems:
        print("gold: " + p)
    print(f"gold: {n_docs} documents, {n_ents} entities, {len(problems)} problems")
    return 1 if problems else 0


def show(doc_id):
    for g, text in load_gold_with_texts():
        if g["id"] != doc_id:
            continue
        out, pos = [], 0
        for s, e, label, _ in g["ents"]:
            out.append(text[pos:s] + "[" + text[s:e] + "|" + label + "]")
            pos = e
        out.append(text[pos:])
        print("".join(out))


def texts():
    for g, text in load_gold_with_texts():
        sys.stdout.write(json.dumps({"id": g["id"], "text": text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "verify"
    if cmd == "build":
        build()
    elif cmd == "verify":
        sys.exit(verify())
    elif cmd == "show":
        show(sys.argv[2])
    elif cmd == "texts":
        texts()
    elif cmd == "fetch":
        fetch_extra()
    else:
        sys.exit(__doc__)
