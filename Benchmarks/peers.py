#!/usr/bin/env python3
"""One peer, measured in its own process. Prints one JSON object on stdout.

    peers.py PEER --corpus NEWS10.jsonl --cold NEWS.jsonl [--dict geo.tsv] [--rounds 3]
             [--procs 1] [--cpu 0]

Protocol, the same for every peer:
  1. read both corpora into memory (not timed);
  2. build: load the dictionary / compile the patterns / create the pipeline (timed: build_s);
  3. cold pass: process the news articles once, in this fresh process (timed: cold MB/s);
  4. rounds: process the repeated corpus `--rounds` times (each timed; the median and the
     spread are reported).
With --procs 1 the process is pinned to one CPU. With --procs N > 1 the built peer is forked into
N worker processes (multiprocessing, fork start method) that get batches of documents and send
back counts only; spaCy's own `nlp.pipe(n_process=N)` is used for the spaCy peers instead.
MB/s counts UTF-8 bytes of document text. Peak RSS is measured by the parent (os.wait4).
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

# Ten comparable patterns: dates, times, money, percentages, emails, URLs, numbers.
# Written in the common subset of Python `re` and Hyperscan (no lookaround, ASCII \b).
MONTH = ("(?:January|February|March|April|May|June|July|August|September|October|November|"
         "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)")
PATTERNS = [
    ("date_iso", r"\b\d{4}-\d{2}-\d{2}\b"),
    ("date_dmy", r"\b\d{1,2} " + MONTH + r"(?: \d{4})?\b"),
    ("date_mdy", r"\b" + MONTH + r" \d{1,2}(?:, \d{4})?\b"),
    ("date_numeric", r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    ("time", r"\b\d{1,2}(?::\d{2})? ?(?:am|pm|AM|PM|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b"),
    ("money", r"(?:US\$|A\$|\$|€|£)\d[\d,]*(?:\.\d+)?(?: ?(?:million|billion|m|bn)\b)?"),
    ("percent", r"\b\d+(?:\.\d+)? ?(?:%|per ?cent\b|percent\b)"),
    ("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b"),
    ("url", r"\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+"),
    ("number", r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\b"),
]


def read_texts(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def read_dict(path):
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, label, kb = line.rstrip("\n").split("\t")
            names.append((name, label, kb))
    return names


def is_word_char(c):
    return c.isalnum() or c == "_"


# Each peer: build(args) -> state; run(state, texts) -> {"tokens": n, "entities": n, ...}.
# A peer may also define `pipe(state, texts, n)` for its own multiprocessing.

class SpacyTokenizer:
    what = "spaCy blank('en') tokenizer (Tokenizer only, no sentences)"

    def build(self, args):
        import spacy
        return spacy.blank(args.lang)

    def run(self, nlp, texts):
        return {"tokens": sum(len(nlp.make_doc(t)) for t in texts)}

    def pipe(self, nlp, texts, n):
        return {"tokens": sum(len(d) for d in nlp.pipe(texts, n_process=n, batch_size=50))}


class SpacyRuler:
    what = ("spaCy blank('en') + sentencizer + EntityRuler (phrase patterns, "
            "phrase_matcher_attr=LOWER) + the 10 regexes via Python re")

    def build(self, args):
        import spacy
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns([{"label": l, "pattern": n, "id": k} for n, l, k in read_dict(args.dict)])
        return nlp, [re.compile(p) for _, p in PATTERNS]

    @staticmethod
    def _count(docs_texts, regexes):
        tok = sents = ents = rx = 0
        for doc, text in docs_texts:
            tok += len(doc)
            sents += sum(1 for _ in doc.sents)
            ents += len(doc.ents)
            for r in regexes:
                rx += sum(1 for _ in r.finditer(text))
        return {"tokens": tok, "sentences": sents, "entities": ents + rx,
                "gazetteer_entities": ents, "regex_matches": rx}

    def run(self, state, texts):
        nlp, regexes = state
        return self._count(((nlp(t), t) for t in texts), regexes)

    def pipe(self, state, texts, n):
        # The regexes run in the parent on the texts (spaCy has no hook to run them in its
        # workers other than a custom component); the Docs come back pickled.
        nlp, regexes = state
        return self._count(zip(nlp.pipe(texts, n_process=n, batch_size=50), texts), regexes)


class Flashtext:
    what = "flashtext KeywordProcessor(case_sensitive=False), extract_keywords with spans"

    def build(self, args):
        from flashtext import KeywordProcessor
        kp = KeywordProcessor(case_sensitive=False)
        for name, label, kb in read_dict(args.dict):
            kp.add_keyword(name, (label, kb))
        return kp

    def run(self, kp, texts):
        return {"entities": sum(len(kp.extract_keywords(t, span_info=True)) for t in texts)}


class PyAhoCorasick:
    what = ("pyahocorasick Automaton over lower-cased names; text lower-cased; iter_long "
            "(leftmost-longest, non-overlapping); matches not on word boundaries dropped")

    def build(self, args):
        import ahocorasick
        a = ahocorasick.Automaton()
        for name, label, kb in read_dict(args.dict):
            low = name.lower()
            a.add_word(low, (len(low), label, kb))
        a.make_automaton()
        return a

    def run(self, a, texts):
        n = 0
        for t in texts:
            low = t.lower()
            size = len(low)
            for end, (length, _label, _kb) in a.iter_long(low):
                start = end - length + 1
                if start > 0 and is_word_char(low[start - 1]):
                    continue
                if end + 1 < size and is_word_char(low[end + 1]):
                    continue
                n += 1
        return {"entities": n}


class Hyperscan:
    what = ("Hyperscan block mode, the 10 regexes in one database (SOM_LEFTMOST); "
            "counts every match Hyperscan reports (all end positions, overlapping)")

    def build(self, args):
        import hyperscan
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(expressions=[p.encode() for _, p in PATTERNS],
                   ids=list(range(len(PATTERNS))),
                   elements=len(PATTERNS),
                   flags=[hyperscan.HS_FLAG_SOM_LEFTMOST | hyperscan.HS_FLAG_UTF8] * len(PATTERNS))
        return db

    def run(self, db, texts):
        count = [0]

        def on_match(_id, _start, _end, _flags, _ctx):
            count[0] += 1
            return 0

        for t in texts:
            db.scan(t.encode("utf-8"), match_event_handler=on_match)
        return {"entities": count[0]}


class PythonRe:
    what = "Python re, the same 10 regexes, finditer each (leftmost, non-overlapping per regex)"

    def build(self, args):
        return [re.compile(p) for _, p in PATTERNS]

    def run(self, regexes, texts):
        return {"entities": sum(1 for t in texts for r in regexes for _ in r.finditer(t))}


class PyICU:
    what = ("PyICU word BreakIterator (en): every boundary visited; segments counted "
            "including whitespace segments (ICU gives each space run and newline its own)")

    def build(self, args):
        import icu
        return icu.BreakIterator.createWordInstance(icu.Locale(args.lang))

    def run(self, bi, texts):
        n = 0
        for t in texts:
            bi.setText(t)
            for _ in bi:
                n += 1
        return {"segments": n}


class Blingfire:
    what = "blingfire text_to_words (tokens joined by spaces; counted by split)"

    def build(self, args):
        import blingfire
        return blingfire

    def run(self, bf, texts):
        return {"tokens": sum(len(bf.text_to_words(t).split()) for t in texts)}


PEERS = {
    "spacy-tokenizer": SpacyTokenizer,
    "spacy-ruler": SpacyRuler,
    "flashtext": Flashtext,
    "pyahocorasick": PyAhoCorasick,
    "hyperscan": Hyperscan,
    "python-re": PythonRe,
    "pyicu": PyICU,
    "blingfire": Blingfire,
}

_STATE = None
_PEER = None


def _work(batch):
    return _PEER.run(_STATE, batch)


def add_counts(a, b):
    for k, v in b.items():
        a[k] = a.get(k, 0) + v
    return a


def process(peer, state, texts, procs, pool):
    if procs == 1:
        return peer.run(state, texts)
    if hasattr(peer, "pipe"):
        return peer.pipe(state, texts, procs)
    total = {}
    size = max(1, len(texts) // (procs * 8))
    for c in pool.imap_unordered(_work, [texts[i:i + size] for i in range(0, len(texts), size)]):
        add_counts(total, c)
    return total


def main():
    global _STATE, _PEER
    ap = argparse.ArgumentParser()
    ap.add_argument("peer", choices=sorted(PEERS))
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--cold", required=True)
    ap.add_argument("--dict")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--cpu", type=int, default=0)
    ap.add_argument("--lang", default="en", help="language for the tokenizer peers")
    args = ap.parse_args()
    if args.procs == 1:
        os.sched_setaffinity(0, {args.cpu})
    texts = read_texts(args.corpus)
    cold = read_texts(args.cold)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    cold_bytes = sum(len(t.encode("utf-8")) for t in cold)
    peer = PEERS[args.peer]()
    t0 = time.perf_counter()
    state = peer.build(args)
    build_s = time.perf_counter() - t0
    _STATE, _PEER = state, peer
    pool = None
    if args.procs > 1 and not hasattr(peer, "pipe"):
        import multiprocessing
        pool = multiprocessing.get_context("fork").Pool(args.procs)
    t0 = time.perf_counter()
    cold_counts = process(peer, state, cold, args.procs, pool)
    cold_s = time.perf_counter() - t0
    times, counts = [], None
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        counts = process(peer, state, texts, args.procs, pool)
        times.append(time.perf_counter() - t0)
    if pool:
        pool.close()
        pool.join()
    mbs = [nbytes / 1e6 / s for s in times]
    json.dump({
        "peer": args.peer,
        "what": peer.what.replace("'en'", f"'{args.lang}'").replace("(en)", f"({args.lang})"), "procs": args.procs, "lang": args.lang,
        "dict": os.path.basename(args.dict) if args.dict else None,
        "bytes": nbytes, "docs": len(texts), "rounds": args.rounds,
        "build_s": build_s,
        "mb_s": statistics.median(mbs), "mb_s_min": min(mbs), "mb_s_max": max(mbs),
        "docs_s": len(texts) / statistics.median(times),
        "cold_mb_s": cold_bytes / 1e6 / cold_s, "cold_bytes": cold_bytes,
        "counts": counts, "cold_counts": cold_counts,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
