#!/usr/bin/env python3
"""Quality beside speed: Glean's default models against the hand-annotated gold set.

    quality.py [--glean-bin PATH] [--out results/quality.md]

Runs `glean annotate` (GLEAN_BIN, default .build/release/glean; one thread, default models,
code-point offsets) over the 30 gold documents (gold/gold.py rebuilds their text from
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
GLEAN_BIN = os.environ.get("GLEAN_BIN", os.path.join(ROOT, ".build", "release", "glean"))
GEO = os.path.join(HERE, "work", "dicts", "geo.tsv")


# ----------------------------------------------------------------------------- systems

def run_glean(docs, glean_bin):
    """docs: [(id, text)] -> {id: [(start, end, label)]}; raises RuntimeError on failure."""
    if not os.access(glean_bin, os.X_OK):
        raise RuntimeError(f"glean binary not found at {glean_bin}: build it with "
                           f"`swift build -c release --product glean` or set GLEAN_BIN")
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--glean-bin", default=GLEAN_BIN)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "quality.md"))
    args = ap.parse_args()
    gold_docs = gold.load_gold_with_texts()
    docs = [(g["id"], t) for g, t in gold_docs]
    n_gold = sum(len(g["ents"]) for g, _ in gold_docs)
    L = ["# Quality: Glean's default models against the gold set\n",
         f"Gold set: {len(gold_docs)} ABC news articles of gensim's `lee_background.cor` "
         f"(Benchmarks/gold/README.md says which), {n_gold} entities annotated by hand for this project with "
         "OntoNotes labels (Benchmarks/gold/). Offsets are code points. *Exact*: same start, "
         "end and label; *overlap*: same label and overlapping spans, one-to-one. Goals: "
         "precision >= 90% on every label Glean emits; recall >= 70% on DATE, TIME, MONEY, "
         "PERCENT, CARDINAL and GPE.\n"]
    status = 0
    report = {}
    try:
        preds, cmd = run_glean(docs, args.glean_bin)
        res = score(gold_docs, preds)
        report["glean"] = res["table"]
        version = subprocess.run([args.glean_bin, "--version"], capture_output=True,
                                 text=True).stdout.strip().replace("\n", "; ")
        L.append(f"## Glean\n\nCommand: `{cmd.replace(ROOT + os.sep, '')}` ({version})\n")
        if not any(preds.values()):
            L.append("**This Glean build wrote no entities at all** (its pattern and gazetteer "
                     "stages are missing or produced nothing), so every precision is undefined "
                     "and every recall is 0.\n")
        label_table(res, L)
        L.append("\n### Goals\n")
        goals(res, L)
        L.append("\n### Errors that dominate\n")
        errors(res, L)
    except RuntimeError as e:
        print(f"quality: ERROR: {e}", file=sys.stderr)
        L.append(f"## Glean\n\n**Not measured**: {str(e).replace(ROOT + os.sep, '')}\n")
        status = 1
    if os.path.exists(GEO):
        res = score(gold_docs, naive_baseline(docs))
        report["naive"] = res["table"]
        L.append("\n## For scale: a naive build\n\nEvery open-data name of `geo.tsv` case-folded "
                 "(longest match on word boundaries) plus the ten regexes of the speed "
                 "benchmark, overlaps resolved longest-first; no Glean involved.\n")
        label_table(res, L)
        L.append("\n### Errors that dominate\n")
        errors(res, L, top=15)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    open(args.out, "w").write("\n".join(L) + "\n")
    json.dump(report, open(os.path.splitext(args.out)[0] + ".json", "w"), indent=1)
    print(f"quality: wrote {args.out}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
