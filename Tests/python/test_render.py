"""`glean render` in a real browser: headless Chromium (Debian's `chromium`) opens the page.

The input is real: the bundled sample (its JSONL and its text files) and, where corpora/fetch.sh has fetched it, the public
news corpus, annotated by the release binary (GLEAN_BIN), plus right-to-left and CJK documents
and hostile documents whose text, id and language try to break out of the markup (<script>,
"><img onerror=...>, javascript: URLs, </script> inside text, <!--, <svg onload>, <iframe>).
Every payload, if it ever ran, would change document.title or mark the body.

Chromium runs the page's own script and dumps the DOM after it (--dump-dom); the test parses
that DOM and checks:
- the page's script ran (it fills "N of N entities shown"), so a payload would have run too;
- no payload ran: the title is the page's own, the body carries no marker, and the DOM has no
  element a payload would add (img, svg, iframe, a, extra script or style);
- every entity of the input is one <mark> with its label, holding exactly its text, in order;
- each document's text is shown exactly, as text (hostile markup included), with dir="auto";
- --sentences marks every sentence boundary; --labels shows only those labels.

Run: .venv/bin/python -m pytest Tests/python/test_render.py (needs the release binary and
chromium; a missing one fails, it is not skipped).
"""

import html.parser
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cluster_support import glean_binary  # GLEAN_BIN or .build/release/glean; fails if missing

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample" / "news.jsonl"
SAMPLE_TEXTS = ROOT / "corpora" / "sample" / "texts"
PUBLIC_NEWS = ROOT / "corpora" / "public" / "news.jsonl"

PAYLOADS = [
    "<script>document.title='PWNED-script'</script>",
    "\"><img src=x onerror=\"document.title='PWNED-img'\">",
    "'><img src=x onerror=document.body.setAttribute('data-pwned','img2')>",
    "</script><script>document.body.setAttribute('data-pwned','close-script')</script>",
    "<a href=\"javascript:document.title='PWNED-link'\" id=\"pwn-link\">click</a> javascript:alert(1)",
    "<svg onload=\"document.title='PWNED-svg'\"></svg>",
    "<iframe src=\"javascript:parent.document.title='PWNED-iframe'\"></iframe>",
    "<!-- <style>body{display:none}</style> -->",
    "<mark class=\"ent l0\" data-label=\"FAKE\">fake</mark>",
]




@pytest.fixture(scope="session")
def glean():
    path = glean_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"glean binary not found at {path}: build it with `swift build -c release`", pytrace=False)
    return path


@pytest.fixture(scope="session")
def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium not found: scripts/setup-system.sh installs Debian's chromium", pytrace=False)


def hostile_records():
    records = []
    for i, p in enumerate(PAYLOADS):
        records.append({"id": f"hostile-{i}", "text": f"Flights from Sydney {p} resumed on Monday in Paris. {p}"})
    records.append({"id": "</script><script>document.title='PWNED-id'</script>", "lang": "\"><img src=x onerror=\"document.title='PWNED-lang'\">",
                    "text": "An id that closes the script, in London on 3 March 2024."})
    return records


def other_script_records():
    return [
        {"id": "rtl-ar", "lang": "ar", "text": "قال الرئيس في القاهرة يوم الاثنين إن الاجتماع سيعقد في باريس."},
        {"id": "rtl-he", "lang": "he", "text": "הפגישה בירושלים תתקיים ב-3 March 2024 ב-10:00."},
        {"id": "cjk-zh", "lang": "zh", "text": "东京和北京的会议于2024年3月3日举行。第二句话在这里。"},
        {"id": "cjk-ja", "lang": "ja", "text": "東京で会議が開かれました。Sydney の代表も参加しました。"},
    ]


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").split("\n") if line.strip()]


@pytest.fixture(scope="session")
def annotated(glean, tmp_path_factory):
    """The sample, the public news (when fetched), RTL/CJK and hostile records, annotated."""
    d = tmp_path_factory.mktemp("render")
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").split("\n") if line.strip()]
    if PUBLIC_NEWS.exists():
        lines += [line for line in PUBLIC_NEWS.read_text(encoding="utf-8").split("\n") if line.strip()]
    elif os.environ.get("GLEAN_REQUIRE_PUBLIC"):
        pytest.fail("corpora/public/news.jsonl is missing: run corpora/fetch.sh", pytrace=False)
    lines += [json.dumps(r, ensure_ascii=False) for r in other_script_records() + hostile_records()]
    src = d / "input.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = d / "annotated.jsonl"
    proc = subprocess.run([str(glean), "annotate", str(src), "-o", str(out), "--quiet"], capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    records = read_jsonl(out)
    assert len(records) == len(lines)
    # The sample's text files (one document per file; one has CRLF line ends) join them.
    texts = d / "texts.jsonl"
    proc = subprocess.run([str(glean), "annotate", str(SAMPLE_TEXTS), "-o", str(texts), "--quiet"], capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    text_records = read_jsonl(texts)
    assert len(text_records) == len(list(SAMPLE_TEXTS.glob("*.txt")))
    records += text_records
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    assert sum(len(r["ents"]) for r in records) > 100
    return d, out, records


def render(glean, input_path, page, *extra):
    proc = subprocess.run([str(glean), "render", str(input_path), "-o", str(page), "--limit", "100000", *extra],
                          capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stderr.decode()


def dump_dom(chromium, page, tmp, fragment=""):
    """The DOM after the page's scripts ran, as Chromium serialises it."""
    proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           f"--user-data-dir={tmp / 'chromium-profile'}", "--virtual-time-budget=5000",
                           "--dump-dom", page.resolve().as_uri() + fragment], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    dom = proc.stdout.decode("utf-8")
    assert "</html>" in dom, dom[-500:]
    return dom


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def classes(self):
        return (self.attrs.get("class") or "").split()


VOID = {"meta", "link", "br", "img", "input", "hr", "area", "base", "col", "embed", "source", "track", "wbr"}


class TreeBuilder(html.parser.HTMLParser):
    """A DOM tree from Chromium's serialisation (well-formed, so a plain stack suffices)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        n = self.current
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.current = n.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(dom):
    b = TreeBuilder()
    b.feed(dom)
    b.close()
    return b.root


def shown_text(text):
    """The text as a page can show it: HTML turns U+0000 into U+FFFD, whatever the markup."""
    return text.replace("\0", "\ufffd")


def articles(root):
    return [n for n in root.iter() if n.tag == "article" and "doc" in n.classes()]


def text_div(article):
    return next(n for n in article.iter() if n.tag == "div" and "text" in n.classes())


# ---------------------------------------------------------------------------------------------


def test_every_entity_is_highlighted_and_nothing_hostile_ran(glean, chromium, annotated, tmp_path):
    _, out, records = annotated
    page = tmp_path / "page.html"
    render(glean, out, page)
    raw = page.read_text(encoding="utf-8")
    # The file as written: self-contained, and no raw '<' from any document.
    assert "http://" not in raw.split("<main>")[0] and "src=" not in raw.split("<main>")[0]
    assert raw.count("<script") == 2 and raw.count("</script") == 2
    for p in PAYLOADS:
        assert p not in raw
    root = parse(dump_dom(chromium, page, tmp_path))

    tags = [n.tag for n in root.iter()]
    title = next(n for n in root.iter() if n.tag == "title").text()
    body = next(n for n in root.iter() if n.tag == "body")
    # The page's own script ran ...
    shown = next(n for n in root.iter() if n.attrs.get("id") == "shown").text()
    total = sum(len(r["ents"]) for r in records)
    assert shown == f"{total} of {total} entities shown"
    # ... and nothing else did.
    assert title == "Glean: annotated.jsonl"
    assert "data-pwned" not in body.attrs
    for tag in ("img", "svg", "iframe", "a", "object", "embed"):
        assert tag not in tags, f"a <{tag}> element in the DOM"
    assert tags.count("script") == 2 and tags.count("style") == 1

    docs = articles(root)
    assert len(docs) == len(records)
    for record, article in zip(records, docs):
        div = text_div(article)
        assert div.attrs.get("dir") == "auto"
        assert div.text() == shown_text(record["text"]), record.get("id")
        marks = [n for n in div.iter() if n.tag == "mark"]
        got = [(m.attrs.get("data-label"), m.text(), m.attrs.get("data-kb-id")) for m in marks]
        want = [(e["label"], shown_text(record["text"][e["start"]:e["end"]]), e["kb_id"]) for e in record["ents"]]
        assert got == want, record.get("id")
        for m, e in zip(marks, record["ents"]):
            assert "ent" in m.classes()
            tip = m.attrs.get("title", "")
            assert e["label"] in tip and e["source"] in tip
            assert (e.get("name") or e.get("alias")) in tip
        if record.get("id", "").startswith("hostile"):
            assert any(p in div.text() for p in PAYLOADS), "the hostile text is shown as text"
        if "lang" in record:
            assert div.attrs.get("lang") == record["lang"]
    # The legend has one checkbox per label, with its count.
    boxes = [n for n in root.iter() if n.tag == "input" and n.attrs.get("data-class")]
    labels = {}
    for r in records:
        for e in r["ents"]:
            labels[e["label"]] = labels.get(e["label"], 0) + 1
    assert sorted(b.attrs["data-label"] for b in boxes) == sorted(labels)
    # The hostile id is shown as text in its heading.
    heads = [n.text() for n in root.iter() if "doc-id" in n.classes()]
    assert "</script><script>document.title='PWNED-id'</script>" in heads


def test_sentences_and_label_filter(glean, chromium, annotated, tmp_path):
    _, out, records = annotated
    page = tmp_path / "page.html"
    render(glean, out, page, "--sentences", "--labels", "GPE,DATE")
    root = parse(dump_dom(chromium, page, tmp_path))
    docs = articles(root)
    assert len(docs) == len(records)
    for record, article in zip(records, docs):
        div = text_div(article)
        assert div.text() == shown_text(record["text"])
        boundaries = [n for n in div.iter() if "sb" in n.classes()]
        starts = {s["start"] for s in record["sents"] if 0 < s["start"] < len(record["text"])}
        assert len(boundaries) == len(starts), record.get("id")
        marks = [(n.attrs.get("data-label"), n.text()) for n in div.iter() if n.tag == "mark"]
        want = [(e["label"], shown_text(record["text"][e["start"]:e["end"]])) for e in record["ents"] if e["label"] in ("GPE", "DATE")]
        assert marks == want


def test_label_filter_in_the_browser(glean, chromium, annotated, tmp_path):
    """The legend's filter, driven by the address (#hide=...&only), as the checkboxes drive it:
    the hidden labels' marks lose their highlight (a class on body), the count of shown
    entities drops by theirs, and "only" hides the documents with no shown entity."""
    _, out, records = annotated
    page = tmp_path / "page.html"
    render(glean, out, page)
    counts = {}
    for r in records:
        for e in r["ents"]:
            counts[e["label"]] = counts.get(e["label"], 0) + 1
    hide = ["GPE", "DATE"]
    root = parse(dump_dom(chromium, page, tmp_path, "#hide=" + ",".join(hide) + "&only"))
    body = next(n for n in root.iter() if n.tag == "body")
    classes = {b.attrs["data-label"]: b.attrs["data-class"] for b in root.iter() if b.tag == "input" and b.attrs.get("data-class")}
    assert set(body.classes()) == {"hide-" + classes[l] for l in hide}
    total = sum(counts.values())
    shown = next(n for n in root.iter() if n.attrs.get("id") == "shown").text()
    assert shown == f"{total - sum(counts[l] for l in hide)} of {total} entities shown"
    for record, article in zip(records, articles(root)):
        visible = any(e["label"] not in hide for e in record["ents"])
        assert ("hidden" in article.attrs) == (not visible), record.get("id")


def test_records_without_ents_are_annotated_on_the_fly(glean, chromium, tmp_path):
    src = tmp_path / "raw.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in hostile_records()) + "\n", encoding="utf-8")
    page = tmp_path / "raw.html"
    stderr = render(glean, src, page)
    annotated = tmp_path / "annotated.jsonl"
    subprocess.run([str(glean), "annotate", str(src), "-o", str(annotated), "-q"], check=True, timeout=300)
    records = read_jsonl(annotated)
    root = parse(dump_dom(chromium, page, tmp_path))
    assert "data-pwned" not in next(n for n in root.iter() if n.tag == "body").attrs
    for record, article in zip(records, articles(root)):
        div = text_div(article)
        assert div.text() == record["text"]
        got = [(n.attrs.get("data-label"), n.text()) for n in div.iter() if n.tag == "mark"]
        assert got == [(e["label"], record["text"][e["start"]:e["end"]]) for e in record["ents"]]
    assert "rendered" in stderr


def test_unknown_label_is_a_warning(glean, annotated, tmp_path):
    _, out, _ = annotated
    stderr = render(glean, out, tmp_path / "p.html", "--labels", "GPE,PLANET")
    assert "warning: --labels PLANET: no entity has this label" in stderr
    assert "GPE" not in stderr.split("(labels found")[0]
