#!/usr/bin/env python3
"""Run Glean and the peers side by side on the same text; write results.md and throughput.png.

Called by run.sh after the corpora and dictionaries exist. Every row runs in its own process
(peers.py for the peers, the glean binary for Glean); the parent measures that process's peak
resident memory with os.wait4. See README.md for what each row computes.

    bench.py [--rounds 3] [--spacy-1m] [--only PATTERN] [--skip-glean]
"""
import argparse
import datetime
import fnmatch
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
RESULTS = os.path.join(HERE, "results")
NEWS = os.path.join(ROOT, "corpora", "public", "news.jsonl")
NEWS10 = os.path.join(WORK, "news10.jsonl")
NEWS100 = os.path.join(WORK, "news100.jsonl")
GEO = os.path.join(WORK, "dicts", "geo.tsv")
ONE_M = os.path.join(WORK, "dicts", "1m.tsv")
PIN_CPU = 0
LOAD_AT_START = round(os.getloadavg()[0], 2)
GLEAN_BIN = os.environ.get("GLEAN_BIN", os.path.join(ROOT, ".build", "release", "glean"))


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def repeat_corpus(src, dst, times):
    """Write `times` copies of the JSONL corpus, ids made unique with a '#k' suffix."""
    if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
        return
    recs = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
    with open(dst + ".tmp", "w", encoding="utf-8") as f:
        for k in range(times):
            for r in recs:
                f.write(json.dumps({"id": f"{r['id']}#{k}", "text": r["text"]},
                                   ensure_ascii=False) + "\n")
    os.replace(dst + ".tmp", dst)


class Measured(subprocess.Popen):
    """Popen that records the child's peak RSS from wait4."""

    def _try_wait(self, wait_flags):
        try:
            pid, sts, ru = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return (self.pid, 0)
        if pid == self.pid:
            self.rusage_maxrss = ru.ru_maxrss / 1024.0
        return (pid, sts)


def measured(cmd, cpu=None, stdout=subprocess.PIPE):
    def pin():
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})
    t0 = time.perf_counter()
    p = Measured(cmd, stdout=stdout, stderr=subprocess.PIPE, preexec_fn=pin)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    return p.returncode, out, err, wall, getattr(p, "rusage_maxrss", None)


# ----------------------------------------------------------------------------- peers

def peer_rows(args):
    rows = [
        ("spaCy tokenizer", "spacy-tokenizer", None, 1),
        ("spaCy sentencizer + EntityRuler + re", "spacy-ruler", GEO, 1),
    ]
    if args.spacy_1m:
        # At ~0.014 MB/s one round of the 3.6 MB corpus would take over 4 minutes: this row
        # measures one round of the news read once (0.36 MB) after its cold pass.
        rows.append(("spaCy sentencizer + EntityRuler + re (news once)", "spacy-ruler", ONE_M, 1))
    rows += [
        ("flashtext", "flashtext", GEO, 1),
        ("flashtext", "flashtext", ONE_M, 1),
        ("pyahocorasick", "pyahocorasick", GEO, 1),
        ("pyahocorasick", "pyahocorasick", ONE_M, 1),
        ("hyperscan (10 regexes)", "hyperscan", None, 1),
        ("Python re (10 regexes)", "python-re", None, 1),
        ("PyICU word BreakIterator", "pyicu", None, 1),
        ("blingfire text_to_words", "blingfire", None, 1),
        ("spaCy tokenizer, nlp.pipe(n_process=2)", "spacy-tokenizer", None, 2),
        ("spaCy sentencizer + EntityRuler + re, nlp.pipe(n_process=2)", "spacy-ruler", GEO, 2),
        ("flashtext, 2 processes", "flashtext", GEO, 2),
        ("pyahocorasick, 2 processes", "pyahocorasick", GEO, 2),
        ("hyperscan, 2 processes", "hyperscan", None, 2),
        ("PyICU, 2 processes", "pyicu", None, 2),
        ("blingfire, 2 processes", "blingfire", None, 2),
    ]
    return rows


def run_peer(label, peer, dict_path, procs, rounds, corpus=NEWS10, cold=NEWS, lang="en"):
    cmd = [sys.executable, os.path.join(HERE, "peers.py"), peer, "--corpus", corpus,
           "--cold", cold, "--rounds", str(rounds), "--procs", str(procs), "--lang", lang,
           "--cpu", str(PIN_CPU)]
    if dict_path:
        cmd += ["--dict", dict_path]
    rc, out, err, wall, rss = measured(cmd)
    row = {"group": "peer", "tool": label, "peer": peer, "procs": procs, "lang": lang,
           "corpus": os.path.basename(corpus),
           "dict": os.path.basename(dict_path) if dict_path else None, "wall_s": wall,
           "peak_rss_mib": rss}
    if rc != 0:
        row["error"] = f"exit {rc}: " + err.decode(errors="replace").strip().splitlines()[-1]
        return row
    row.update(json.loads(out))
    row["tool"] = label
    row["peak_rss_mib"] = rss
    return row


# ----------------------------------------------------------------------------- glean

def glean_counts(summary_path, out_path):
    """Token / sentence / entity counts: from the summary JSON when it has them, else from
    the output records."""
    counts = {}
    try:
        summary = json.load(open(summary_path))
    except (OSError, ValueError):
        summary = {}
    flat = {}

    def walk(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, prefix + k + ".")
            elif isinstance(v, (int, float)):
                flat[prefix + k] = v
    walk(summary if isinstance(summary, dict) else {})
    for want, keys in (("tokens", ("tokens", "counts.tokens")),
                       ("sentences", ("sentences", "sents", "counts.sentences", "counts.sents")),
                       ("entities", ("entities", "ents", "counts.entities", "counts.ents"))):
        for k in keys:
            if k in flat:
                counts[want] = int(flat[k])
                break
    if len(counts) < 3 and os.path.exists(out_path):
        t = s = e = 0
        with open(out_path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                t += sum(1 for tok in r.get("tokens", []) if not tok.get("kind") == "space")
                s += len(r.get("sents", []))
                e += len(r.get("ents", []))
        counts = {"tokens": t, "sentences": s, "entities": e}
    return counts, summary


def run_glean(label, corpus, threads, rounds, extra=(), what=None, lang="en", dict_name=None):
    row = {"group": "glean", "tool": label, "procs": threads, "corpus": os.path.basename(corpus),
           "lang": lang,
           "dict": dict_name or (os.path.basename(extra[1]) if extra else "default models"),
           "what": what or ("glean annotate: JSONL in -> ICU tokens + sentences + default "
                            "patterns + default gazetteer -> resolved ents -> JSONL out")}
    if not os.access(GLEAN_BIN, os.X_OK):
        row["error"] = (f"glean binary not found at {GLEAN_BIN}: build it with "
                        f"`swift build -c release --product glean --static-swift-stdlib` or set GLEAN_BIN")
        log("ERROR " + label + ": " + row["error"])
        return row
    tmp = os.path.join(WORK, "tmp")
    os.makedirs(tmp, exist_ok=True)
    build_s = compile_rss = None
    if "--gazetteer" in extra:
        # Compile the TSV once (`glean compile`, timed: the dictionary's build time), then
        # annotate with the compiled file; a glean without `compile` gets the TSV itself.
        i = extra.index("--gazetteer") + 1
        tsv = extra[i]
        top_help = subprocess.run([GLEAN_BIN, "--help"], capture_output=True, text=True).stdout
        annotate_help = subprocess.run([GLEAN_BIN, "annotate", "--help"], capture_output=True,
                                       text=True).stdout
        if "--gazetteer" not in annotate_help:
            row["error"] = (f"{GLEAN_BIN} annotate has no --gazetteer option yet "
                            "(see `glean annotate --help`)")
            log("ERROR " + label + ": " + row["error"])
            return row
        has_compile = re.search(r"^\s+compile\b", top_help, re.M) is not None
        if has_compile:
            glz = os.path.join(WORK, "dicts", os.path.splitext(os.path.basename(tsv))[0] + ".glz")
            ccmd = [GLEAN_BIN, "compile", tsv, "-o", glz, "--quiet"]
            rc, _o, err, build_s, compile_rss = measured(ccmd, cpu=PIN_CPU if threads == 1 else None,
                                                          stdout=subprocess.DEVNULL)
            if rc != 0:
                msg = err.decode(errors="replace").strip().splitlines()
                row["error"] = f"`{' '.join(ccmd)}` exited {rc}: " + (msg[-1] if msg else "")
                log("ERROR " + label + ": " + row["error"])
                return row
            extra = tuple(extra[:i]) + (glz,) + tuple(extra[i + 1:])
            row["compile_command"] = " ".join(shlex.quote(c) for c in ccmd)
            row["compile_peak_rss_mib"] = compile_rss
    out = os.path.join(tmp, "glean-out.jsonl")
    summary = os.path.join(tmp, "glean-summary.json")
    cmd = [GLEAN_BIN, "annotate", corpus, "-o", out, "--threads", str(threads), "--quiet",
           "--summary-json", summary, *extra]
    cpu = PIN_CPU if threads == 1 else None
    nbytes = sum(len(json.loads(l)["text"].encode("utf-8"))
                 for l in open(corpus, encoding="utf-8") if l.strip())
    docs = sum(1 for l in open(corpus, encoding="utf-8") if l.strip())
    times, rss = [], []
    for _ in range(rounds):
        rc, _out, err, wall, peak = measured(cmd, cpu=cpu, stdout=subprocess.DEVNULL)
        if rc != 0:
            msg = err.decode(errors="replace").strip().splitlines()
            row["error"] = f"`{' '.join(shlex.quote(c) for c in cmd)}` exited {rc}: " + \
                (msg[-1] if msg else "")
            log("ERROR " + label + ": " + row["error"])
            return row
        times.append(wall)
        rss.append(peak)
    mbs = [nbytes / 1e6 / t for t in times]
    counts, summ = glean_counts(summary, out)
    row.update({"bytes": nbytes, "docs": docs, "rounds": rounds, "build_s": build_s,
                "mb_s": statistics.median(mbs), "mb_s_min": min(mbs), "mb_s_max": max(mbs),
                "docs_s": docs / statistics.median(times), "counts": counts,
                "peak_rss_mib": max(r for r in rss if r is not None) if any(rss) else None,
                "summary": summ, "command": " ".join(shlex.quote(c) for c in cmd)})
    return row


def glean_rows(args):
    gaz = ("--gazetteer", ONE_M)
    gaz_what = ("as above, plus --gazetteer with the 1M-name TSV, compiled by `glean compile` "
                "with its defaults (build s = compile time)")
    specs = [
        ("Glean, 1 thread", NEWS10, 1, args.rounds, (), None),
        ("Glean, 2 threads", NEWS10, 2, args.rounds, (), None),
        ("Glean, 1 thread, cold (news once)", NEWS, 1, 1, (), None),
        ("Glean, 1 thread, + geo gazetteer", NEWS10, 1, args.rounds, ("--gazetteer", GEO),
         "as above, plus --gazetteer with geo.tsv (the peers' dictionary), compiled by "
         "`glean compile` with its defaults"),
        ("Glean, 1 thread, + 1M-name gazetteer", NEWS10, 1, args.rounds, gaz, gaz_what),
        ("Glean, 2 threads, + 1M-name gazetteer", NEWS10, 2, args.rounds, gaz, gaz_what),
        ("Glean, 2 threads, corpus x10 (36 MB, memory check)", NEWS100, 2, 1, (),
         "default models on the news repeated 100 times: peak RSS must stay flat against the "
         "3.6 MB run"),
    ]
    rows = []
    for label, corpus, threads, rounds, extra, what in specs:
        if args.only and not fnmatch.fnmatch(label, args.only):
            continue
        log(f"{label}")
        rows.append(run_glean(label, corpus, threads, rounds, extra, what))
    # The cold run goes into the cold column of the one-thread row.
    cold = next((r for r in rows if r["tool"].endswith("cold (news once)")), None)
    one = next((r for r in rows if r["tool"] == "Glean, 1 thread"), None)
    if cold and one and "error" not in cold and "error" not in one:
        one["cold_mb_s"] = cold["mb_s"]
        rows.remove(cold)
    return rows


# ----------------------------------------------------------------------------- report

def machine():
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        commit += " (uncommitted changes)" if dirty else ""
    except OSError:
        commit = "unknown"
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cores": os.cpu_count(), "cpu": model, "commit": commit,
            "python": platform.python_version(), "kernel": platform.release(),
            "loadavg_at_start": LOAD_AT_START, "glean_bin": GLEAN_BIN,
            "glean_version": glean_version()}


def glean_version():
    try:
        return subprocess.run([GLEAN_BIN, "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip().replace("\n", "; ") or "unknown"
    except OSError:
        return "not found"


def fmt(x, digits=1):
    if x is None:
        return "-"
    if isinstance(x, int):
        return f"{x:,}"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}" if x >= 1 else f"{x:.3f}"


def corpus_mb(path):
    try:
        return sum(len(json.loads(l)["text"].encode("utf-8")) for l in open(path, encoding="utf-8")
                   if l.strip()) / 1e6
    except OSError:
        return 0.0


def table(rows, L):
    refs = {}
    for r in rows:
        if r["group"] == "glean" and r["procs"] == 1 and "error" not in r and "gazetteer" not in r["tool"]:
            refs.setdefault(r.get("lang", "en"), r)
    L.append("| tool | procs | dictionary | MB/s | cold MB/s | docs/s | tokens | sentences | "
             "entities | build s | peak RSS MiB | Glean 1 thread is ... times faster |")
    L.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "error" in r:
            L.append(f"| {r['tool']} | {r['procs']} | {r.get('dict') or '-'} | FAILED: "
                     f"{r['error'].replace('|', '/')} | | | | | | | | |")
            continue
        ref = refs.get(r.get("lang", "en"))
        ratio = f"{ref['mb_s'] / r['mb_s']:.1f}" if ref and r is not ref else "-"
        c = r.get("counts", {})
        tokens = c.get("tokens", c.get("segments"))
        tok_s = fmt(tokens) + (" segs" if "segments" in c and "tokens" not in c else "") \
            if tokens is not None else "-"
        L.append(f"| {r['tool']} | {r['procs']} | {r.get('dict') or '-'} | "
                 f"{fmt(r['mb_s'])} ({fmt(r['mb_s_min'])}-{fmt(r['mb_s_max'])}) | "
                 f"{fmt(r.get('cold_mb_s'))} | {fmt(r['docs_s'], 0)} | {tok_s} | "
                 f"{fmt(c.get('sentences'))} | {fmt(c.get('entities'))} | "
                 f"{fmt(r.get('build_s'), 2)} | {fmt(r.get('peak_rss_mib'), 0)} | {ratio} |")


def write_markdown(rows, info, path, args):
    # Paths inside the repository are shown relative to its root.
    rows = json.loads(json.dumps(rows).replace(json.dumps(ROOT + os.sep)[1:-1], ""))
    L = []
    L.append("# Glean and its peers: throughput\n")
    L.append(f"Run {info['date']} on {info['cores']} cores ({info['cpu']}), commit "
             f"`{info['commit']}`, Python {info['python']}, Linux {info['kernel']}; 1-minute load "
             f"average at the start {info.get('loadavg_at_start', '?')} (other work on this shared "
             "machine adds noise to every row). Glean binary: "
             f"`{info.get('glean_bin', '?')}` ({info.get('glean_version', '?')}).\n")
    L.append("Corpus: the 300 ABC news articles of gensim's `lee_background.cor` repeated 10 times "
             f"({corpus_mb(NEWS10):.1f} MB "
             "of UTF-8 text, 3,000 documents); *cold* = the 300 articles once, in a fresh process. "
             f"MB/s = MB of document text per second, median of {args.rounds} rounds "
             "(min-max in brackets). Dictionaries: *geo.tsv* (the open-data names) and *1m.tsv* "
             "(geo plus synthetic names, 1,000,000 in all). Build = time to load the dictionary "
             "or compile the patterns. Peak RSS = the largest resident set of the measured "
             "process. Rows with 1 process are pinned to one CPU. Counts are over one round of "
             "the repeated corpus; see README.md for what each tool counts.\n")
    if not args.spacy_1m:
        L.append("The spaCy EntityRuler with the 1M-name dictionary is off by default (building it took "
                 "135-185 s and 7.8 GB here, then it runs at 0.02 MB/s); run with `--spacy-1m` to "
                 "include it.\n")
    news = [r for r in rows if r.get("lang", "en") == "en"]
    other = [r for r in rows if r.get("lang", "en") != "en"]
    table(news, L)
    if other:
        L.append("\n## Tokenization on other languages\n")
        L.append("Corpora: Debian fortunes-zh (2.7 MB), fortunes-ru (4.6 MB), fortunes-de "
                 "(4.0 MB), one record per fortune; *cold* = the first pass in a fresh process. "
                 "Only tokenization (and Glean's sentences and JSONL output) is compared here.\n")
        table(other, L)
    inner = [r for r in rows if r["group"] == "glean" and "error" not in r
             and isinstance(r.get("summary"), dict) and r["summary"].get("mb_per_second")]
    if inner:
        L.append("\nGlean's own end summary (`--summary-json`: time inside the pipeline, without "
                 "process start and model loading), last round: " +
                 "; ".join(f"{r['tool']} {r['summary']['mb_per_second']} MB/s" for r in inner) + ".")
    L.append("\n## What each row computed\n")
    whats = {}
    for r in rows:
        if r.get("what"):
            whats.setdefault(r["what"], [])
            if r["tool"] not in whats[r["what"]]:
                whats[r["what"]].append(r["tool"])
    for what, tools in whats.items():
        L.append(f"- **{'; '.join(tools)}**: {what}.")
    spacy = next((r for r in rows if r.get("peer") == "spacy-ruler" and r["procs"] == 1
                  and r.get("dict") == "geo.tsv" and "error" not in r), None)
    glean = next((r for r in rows if r["tool"] == "Glean, 1 thread" and "error" not in r), None)
    if spacy and glean:
        L.append(f"\nGlean, 1 thread, against spaCy sentencizer + EntityRuler (geo) + re: "
                 f"{glean['mb_s'] / spacy['mb_s']:.0f} times the throughput.")
    failed = [r for r in rows if "error" in r]
    if failed:
        L.append("\n## Failed rows\n")
        for r in failed:
            L.append(f"- {r['tool']}: {r['error']}")
    open(path, "w").write("\n".join(L) + "\n")


def write_chart(rows, info, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ok = [r for r in rows if "error" not in r and r.get("lang", "en") == "en"]
    if not ok:
        return
    labels = [f"{r['tool']}" + (f" [{r['dict']}]" if r.get("dict") and r["dict"] != "default models" else "")
              for r in ok]
    vals = [r["mb_s"] for r in ok]
    lo = [r["mb_s"] - r["mb_s_min"] for r in ok]
    hi = [r["mb_s_max"] - r["mb_s"] for r in ok]
    colors = ["#d62728" if r["group"] == "glean" else ("#1f77b4" if r["procs"] == 1 else "#7fb2dd")
              for r in ok]
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(ok) + 1.6))
    y = list(range(len(ok)))[::-1]
    ax.barh(y, vals, xerr=[lo, hi], color=colors, capsize=2)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("MB/s of document text (log scale; median, whiskers min-max)")
    for yi, r in zip(y, ok):
        v = r["mb_s"]
        ax.text(r["mb_s_max"] * 1.12, yi, f"{v:.2f}" if v < 10 else f"{v:.0f}", va="center",
                fontsize=7)
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color="#d62728", label="Glean"),
                       Patch(color="#1f77b4", label="peer, 1 process (pinned)"),
                       Patch(color="#7fb2dd", label="peer, 2 processes")],
              loc="lower right", fontsize=7)
    ax.set_xlim(right=max(r["mb_s_max"] for r in ok) * 4)
    ax.set_title(f"English news, 3.6 MB - {info['cores']} cores {info['cpu']} - "
                 f"{info['date']} - {info['commit']}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--spacy-1m", action="store_true",
                    help="include spaCy's EntityRuler with the 1M-name dictionary (~5 min)")
    ap.add_argument("--only", help="run only rows whose tool label matches this glob")
    ap.add_argument("--skip-glean", action="store_true")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--cpu", type=int, default=0, help="the CPU one-process rows are pinned to")
    ap.add_argument("--out", default=RESULTS, help="results folder (default Benchmarks/results)")
    ap.add_argument("--no-multilingual", action="store_true",
                    help="skip the tokenizer rows on the Chinese, Russian and German text")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite results.md and throughput.png from OUT/results.json")
    args = ap.parse_args()
    if args.report_only:
        d = json.load(open(os.path.join(args.out, "results.json")))
        write_markdown(d["rows"], d["machine"], os.path.join(args.out, "results.md"), args)
        write_chart(d["rows"], d["machine"], os.path.join(args.out, "throughput.png"))
        return
    global PIN_CPU
    PIN_CPU = args.cpu
    os.makedirs(args.out, exist_ok=True)
    repeat_corpus(NEWS, NEWS10, 10)
    repeat_corpus(NEWS, NEWS100, 100)
    rows = []
    if not args.skip_glean:
        log(f"Glean rows with {GLEAN_BIN}")
        rows += glean_rows(args)
    if not args.skip_peers:
        for label, peer, d, procs in peer_rows(args):
            if args.only and not fnmatch.fnmatch(label, args.only):
                continue
            log(f"{label} [{os.path.basename(d) if d else '-'}] procs={procs}")
            if label.endswith("(news once)"):
                r = run_peer(label, peer, d, procs, 1, corpus=NEWS)
            else:
                r = run_peer(label, peer, d, procs, args.rounds)
            if "error" in r:
                log("ERROR " + r["error"])
            else:
                log(f"  {r['mb_s']:.2f} MB/s, cold {r['cold_mb_s']:.2f}, counts {r['counts']}, "
                    f"build {r['build_s']:.2f} s, rss {r['peak_rss_mib']:.0f} MiB")
            rows.append(r)
    if not args.no_multilingual:
        for lang in ("zh", "ru", "de"):
            corpus = os.path.join(ROOT, "corpora", "public", f"{lang}.jsonl")
            if not os.path.exists(corpus):
                log(f"no {corpus}; skipping {lang}")
                continue
            if not args.skip_glean and fnmatch.fnmatch(f"Glean tokens + sentences [{lang}]",
                                                       args.only or "*"):
                log(f"Glean tokens + sentences [{lang}]")
                rows.append(run_glean(
                    f"Glean tokens + sentences [{lang}]", corpus, 1, args.rounds,
                    ("--lang", lang, "--emit", "tokens,sents"), lang=lang, dict_name="-",
                    what=f"glean annotate --lang {lang} --emit tokens,sents (JSONL in and out)"))
            if args.skip_peers:
                continue
            for label, peer in ((f"spaCy blank('{lang}') tokenizer", "spacy-tokenizer"),
                                (f"PyICU word BreakIterator ({lang})", "pyicu"),
                                (f"blingfire text_to_words [{lang}]", "blingfire")):
                if args.only and not fnmatch.fnmatch(label, args.only):
                    continue
                log(label)
                r = run_peer(label, peer, None, 1, args.rounds, corpus, corpus, lang)
                log("ERROR " + r["error"] if "error" in r else f"  {r['mb_s']:.2f} MB/s")
                rows.append(r)
    info = machine()
    json.dump({"machine": info, "rows": rows}, open(os.path.join(args.out, "results.json"), "w"),
              indent=1)
    write_markdown(rows, info, os.path.join(args.out, "results.md"), args)
    write_chart(rows, info, os.path.join(args.out, "throughput.png"))
    log(f"wrote {os.path.join(args.out, 'results.md')} and throughput.png")
    failed = [r["tool"] for r in rows if "error" in r]
    if failed:
        log("FAILED rows: " + "; ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
