#!/usr/bin/env python3
"""Fallback corpus fetch for the benchmarks.

Used by run.sh only when the repository's corpora/fetch.sh is absent. Writes the same files:

  corpora/public/news.jsonl  {"id", "text"}: the 300 ABC news articles of gensim's
                              lee_background.cor (gensim 4.4.0 wheel from PyPI, LGPL-2.1),
                              one article per line, id "lee-NNN" (0-based line number).
  corpora/public/zh.jsonl, ru.jsonl, de.jsonl  {"id", "text", "lang"}: Debian fortunes-zh,
                              fortunes-ru, fortunes-de, one record per fortune (records are
                              separated by a line holding "%").

Nothing fetched here is committed (corpora/public/ is gitignored).
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile

GENSIM = "gensim==4.4.0"
LEE = "gensim/test/test_data/lee_background.cor"
FORTUNES = {
    "zh": ("fortunes-zh", ["/usr/share/games/fortunes/chinese", "/usr/share/games/fortunes/tang300",
                           "/usr/share/games/fortunes/song100"]),
    "ru": ("fortunes-ru", sorted(glob.glob("/usr/share/games/fortunes/ru/*"))),
    "de": ("fortunes-de", sorted(glob.glob("/usr/share/games/fortunes/de/*"))),
}


def write_jsonl(path, records):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def fetch_news(out_dir, pip):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(pip + ["download", "--quiet", "--no-deps", "--only-binary=:all:",
                              "-d", tmp, GENSIM], check=True)
        wheel = glob.glob(os.path.join(tmp, "gensim-*.whl"))[0]
        data = zipfile.ZipFile(wheel).read(LEE).decode("utf-8")
    lines = data.split("\n")
    records = [{"id": "lee-%03d" % i, "text": line.strip()} for i, line in enumerate(lines)
               if line.strip()]
    write_jsonl(os.path.join(out_dir, "news.jsonl"), records)
    return len(records)


def fortunes(paths):
    for path in paths:
        if os.path.islink(path) or path.endswith(".dat") or not os.path.isfile(path):
            continue
        try:
            text = open(path, "rb").read().decode("utf-8")
        except UnicodeDecodeError:
            continue
        chunk = []
        for line in text.split("\n") + ["%"]:
            if line.strip() == "%":
                body = "\n".join(chunk).strip()
                if body:
                    yield os.path.basename(path), body
                chunk = []
            else:
                chunk.append(line)


def fetch_fortunes(out_dir):
    counts = {}
    for lang, (pkg, paths) in FORTUNES.items():
        if not paths or not any(os.path.exists(p) for p in paths):
            print(f"fetch_corpora: {pkg} is not installed (apt-get install {pkg}); "
                  f"skipping {lang}.jsonl", file=sys.stderr)
            continue
        recs = [{"id": f"{lang}-{name}-{i:05d}", "text": body, "lang": lang}
                for i, (name, body) in enumerate(fortunes(paths))]
        write_jsonl(os.path.join(out_dir, f"{lang}.jsonl"), recs)
        counts[lang] = len(recs)
    return counts


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    out_dir = os.path.join(root, "corpora", "public")
    os.makedirs(out_dir, exist_ok=True)
    pip = [sys.executable, "-m", "pip"]
    if not os.path.exists(os.path.join(out_dir, "news.jsonl")):
        n = fetch_news(out_dir, pip)
        print(f"fetch_corpora: news.jsonl: {n} articles", file=sys.stderr)
    missing = [l for l in FORTUNES if not os.path.exists(os.path.join(out_dir, f"{l}.jsonl"))]
    if missing:
        print(f"fetch_corpora: {fetch_fortunes(out_dir)}", file=sys.stderr)


if __name__ == "__main__":
    main()
