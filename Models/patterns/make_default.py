#!/usr/bin/env python3
"""Writes default.yaml, Glean's default pattern pack, from the fragments below.

The pack is written for the project (see README.md); edit this file, run it
(`python3 Models/patterns/make_default.py`), and commit both. Regexes are written for speed
with identical results to a naive form: ASCII digit classes `[0-9]` instead of `\\d`, a literal
or a narrow class at the start, cue words in lookbehinds so that a match starts at a rare byte.
"""
import os
import re


def esc(ch):
    if ch == " ":
        return "[ ]"
    if ch in ".^$|?*+()[]{}\\/":
        return "\\" + ch
    return ch


def trie(words):
    """An alternation of literal words as a trie, `(?:Mr(?:s|)|Dr)`: one comparison per level
    instead of one per word (PCRE2 tries alternatives one by one). Longer words are preferred."""
    root = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node):
        alts = [esc(ch) + emit(child) for ch, child in sorted(node.items()) if ch != ""]
        if "" in node:
            if not alts:
                return ""
            alts.append("")
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(root)



MONTH = (r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?"
         r"|Aug(?:ust|\.)?|Sep(?:tember|t\.?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)")
MONTH_FULL_NO_MAY = r"(?:January|February|March|April|June|July|August|September|October|November|December)"
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DAY = r"(?:[12][0-9]|3[01]|0?[1-9])"
YEAR = r"(?:1[89]|20)[0-9]{2}"
SUFFIX = r"(?:st|nd|rd|th)"
AMOUNT = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
SCALE = r"(?:[ ]?(?<scale>million|billion|trillion)\b|[ ](?<scale>thousand)\b|(?<scale>bn|mn|tn|m|b|k)(?![\w]))"
TZ = r"(?:A[ECW][SD]T|[ECMP][SD]T|UTC|GMT|BST|CES?T|EES?T|IST|JST|HKT|SGT|NZ[SD]T)"
AMPM = r"(?:[ap]\.m\.|[ap]m|[AP]M|[AP]\.M\.)"
# A capital letter, written so that PCRE2 can derive the bytes a match starts with (a leading
# \p{Lu} hides them and every position would be tried): ASCII A-Z or a non-ASCII character,
# then a one-character lookbehind for \p{Lu}. Same matches as \p{Lu}.
UPPER = r"(?:[A-Z]|[^\x00-\x7F](?<=\p{Lu}))"
# \p{Ll} and [\p{L}'’&-] the same way: ASCII first (a bitmap test), Unicode properties only for
# non-ASCII characters.
LOWER = r"(?:[a-z]|[^\x00-\x7F](?<=\p{Ll}))"
# An apostrophe only inside a word and not as a possessive ("O'Brien", not "Meteorology's").
ORG_CHAR = r"(?:[A-Za-z&-]|['’](?!s\b)(?=[A-Za-z])|[^\x00-\x7F](?<=\p{L}))"
# A personal name after a cue: one to three capitalised words, an initial allowed before the last.
NAME_WORD = (UPPER + LOWER + r"+(?:" + UPPER + LOWER + r"+)?(?:-" + UPPER + r"?" + LOWER + r"+|['’]" + UPPER
             + LOWER + r"+)*")
NOT_NAME_WORDS = (WEEKDAY[3:-1] + "|" + MONTH_FULL_NO_MAY[3:-1] +
                  "|The|A|An|And|But|For|If|In|On|At|To|Of|By|This|That|It|He|She|We|They|His|Her|Their|Its|Our"
                  "|Has|Had|Is|Was|Will|Would|Can|Could|Should|May|Might|Must|Says|Said|Told|Today|Yesterday|Tomorrow"
                  "|Department|Ministry|Office|Party|Council|Court|Street|Road|Avenue|Highway|House|Hospital"
                  "|University|Park|Island|Islands|Bay|River|Lake|Mountain|Mountains|Bridge|Square|Centre|Center|Hotel"
                  "|Airport|Station|Church|School|College|Palace|Building|Tower|Museum|General|Motors|Electric"
                  "|League|Assembly|Commission|Committee|Board|Agency|Service|Police|Army|Navy|Force|Airline|Airlines"
                  "|Bank|Corporation|Company|Group|Government|Administration|Cabinet|Parliament|Senate|Congress"
                  "|Minister|President|Secretary|Affairs|Defence|Defense|Health|Education|Justice|Foreign|Trade"
                  "|Coalition|Opposition|Generals|Government|Labor|Liberal|Federal|State|National").split("|")
TITLE_WORDS = ("Mr|Mrs|Ms|Mx|Dr|Prof|Sir|Dame"
               "|President|Vice President|Vice-President|Prime Minister|Premier|Senator|Governor|Minister"
               "|Treasurer|Chancellor|Attorney-General|Chief Minister|Chief Justice|Justice|Judge|Magistrate"
               "|Coroner|Commissioner|Superintendent|Inspector|Detective|Sergeant|Constable|Captain|Colonel"
               "|Lieutenant|Commander|Admiral|Brigadier|Ambassador|Mayor|Archbishop|Bishop|Cardinal|Pope"
               "|Father|Reverend|Sheikh|Ayatollah|Imam|Rabbi|Professor|Doctor|Lord|Lady|King|Queen|Prince"
               "|Princess|Emperor|Chairman|Chairwoman|Leader|Spokesman|Spokeswoman").split("|")
# Abbreviations that are also words or names ("Det Norske Veritas", "Gen X") count only with a dot.
TITLE_ABBREVIATIONS = "Sen|Gov|Gen|Capt|Lt|Sgt|Insp|Det|Supt|Cmdr|Rev|Hon|Col|Cpl|Maj|Adm|Brig|Fr|Pres".split("|")
NOT_NAME = r"(?!" + trie(sorted(set(NOT_NAME_WORDS + [w for w in TITLE_WORDS if " " not in w]))) + r"\b)"
PERSON_NAME = (NOT_NAME + NAME_WORD + r"(?:[ ](?:" + UPPER + r"\.?[ ])?" + NOT_NAME + NAME_WORD + r"){0,2}")
TITLES_CAP = "(?:" + trie(TITLE_WORDS) + r"\.?|" + trie(TITLE_ABBREVIATIONS) + r"\.)"
CUES_LOWER = ("leader spokesman spokeswoman spokesperson chairman chairwoman president premier minister "
              "treasurer senator governor mayor ambassador envoy commander director coach captain skipper "
              "lawyer prosecutor judge magistrate detective inspector superintendent sergeant constable "
              "professor secretary counterpart executive founder economist analyst correspondent reporter "
              "actor actress singer batsman bowler").split()
NOT_ORG_WORD = r"(?!" + trie((WEEKDAY[3:-1] + "|" + MONTH_FULL_NO_MAY[3:-1]
                                + "|The|A|An|And|But|For|If|In|On|At|To|Of|By|This|That|It|He|She|We|They").split("|")) + r"\b)"
ORG_WORD = UPPER + ORG_CHAR + r"*+(?:\." + UPPER + r")*"
ORG_HEADS = ("University Party Bank Council Court Service Commission Corporation Institute Department "
             "Ministry Agency Authority Association Airlines Airways Group Union Organisation Organization "
             "Committee Foundation Police Army Navy Force Forces Office Network Church Company "
             "Club Tribunal Board Fund Society College School Academy Museum Federation "
             "League Movement Front Brigade Brigades Herald Times Post Telegraph Journal Guardian Tribune "
             "Gazette Ltd Limited Inc Incorporated Corp LLC LLP PLC plc GmbH").split()
ORG_HEADS_OF = ("Institute Bureau University Department Ministry Council Commission Agency Association "
                "Federation Foundation Society Academy College Office Centre Center Court Bank Board "
                "Authority Union Organisation Organization Corporation Committee Tribunal League Church "
                "Museum School Chamber House Secretary").split()
ORG_STOP_FIRST = (r"(?!" + trie(("The|A|An|This|That|These|Those|In|On|At|But|And|Or|For|From|By|With|As|If|When"
                  "|While|After|Before|Since|Under|Over|His|Her|Their|Its|Our|Your|My|Mr|Mrs|Ms|Dr|It|He"
                  "|She|We|They|I|Yesterday|Today|Last|Next|Some|Many|Most|All|Both|Each|Every|No|Not"
                  "|Other|Another|Such|Meanwhile|However|Also|Then|Now|Earlier|Later|"
                  + WEEKDAY[3:-1] + "|" + MONTH_FULL_NO_MAY[3:-1]).split("|")) + r"\b)")


def dispatch_trie(words):
    """A trie whose first level is a binary search on the first letter (either case), with
    conditional groups `(?(?=[a-mA-M])LEFT|RIGHT)`: PCRE2 tries the alternatives of a group one
    by one, so a plain trie over 40 first letters costs up to 40 comparisons at every position;
    this one costs about six. It matches the words of `trie(words)` and their first letter in the
    other case (a superset: use it where only a necessary condition is needed, such as a gate)."""
    groups = {}
    for w in words:
        groups.setdefault(w[0].lower(), set()).add(w[1:])
    keys = sorted(groups)

    def alt(k):
        rests = sorted(groups[k])
        first = "[" + k.upper() + k + "]" if k.upper() != k else k
        if rests == [""]:
            return first
        return first + trie(rests) if "" not in rests else first + "(?:" + trie([r for r in rests if r]) + "|)"

    def node(ks):
        if len(ks) <= 2:
            return "(?:" + "|".join(alt(k) for k in ks) + ")"
        left, right = ks[:len(ks) // 2], ks[len(ks) // 2:]
        cls = "".join(k.upper() + k if k.upper() != k else k for k in left)
        return "(?(?=[" + cls + "])" + node(left) + "|" + node(right) + ")"
    # (PCRE2 derives no start bytes from a conditional group, so the pass tries every position;
    # measured, that is faster here than a class in front that restores them.)
    return node(keys)


def lookbehind_any(words, after=r"[ ]"):
    """A lookbehind for any of the words followed by `after` (each branch has a fixed length)."""
    return r"(?<=" + "|".join(r"\b" + w + after for w in words) + ")"


def lead(group, words):
    """An optional lookbehind that captures a word before the match as group `group` (the span's
    `lead`): "about 60" starts at "a" while the match starts at the rarer digit. PCRE2 10.42 wants
    each lookbehind branch of a fixed length, so words are grouped by length, longest first, in a
    branch-reset group (one group number for all); the empty last branch makes it optional."""
    by_len = {}
    for w in words:
        by_len.setdefault(len(w), []).append(w)
    alts = [r"(?<=\b(?<" + group + ">" + "|".join(esc_words(sorted(ws))) + r")[ ])"
            for _, ws in sorted(by_len.items(), reverse=True)]
    return LEAD_MARK + "(?|" + "|".join(alts) + "|)" + LEAD_MARK


# pat() moves a lead behind a lookahead for the rest of the pattern, `(?=REST)LEAD REST`: the
# lookbehinds of a lead are many, and most candidate positions fail REST at once, so the lead is
# tried only where the rest matches. The same matches; the lookahead's groups are unnamed.
LEAD_MARK = "\x00"


def place_lead(regex):
    if LEAD_MARK not in regex:
        return regex
    before, lead_text, rest = regex.split(LEAD_MARK)
    return before + "(?=" + re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", "(?:", rest) + ")" + lead_text + rest


def esc_words(ws):
    return ["".join(esc(c) for c in w) for w in ws]


# Words before a number that OntoNotes counts as part of the entity ("about 60", "more than 100").
MODIFIERS_LOWER = ("about|around|almost|nearly|approximately|roughly|some|over|under|more than|less than"
                   "|fewer than|at least|at most|up to|as many as|as much as|as few as|as little as|close to"
                   "|just over|just under|well over|well under|just about|upwards of|only about"
                   "|more than about|less than about").split("|")
MODIFIERS = MODIFIERS_LOWER + [m[0].upper() + m[1:] for m in MODIFIERS_LOWER]

PIECES = {}


def pat(name, label, regex, **kw):
    """One kind of entity. Pieces that start with the same kind of byte are joined into one pattern
    (one pass over the text) below, each as a labelled branch."""
    PIECES[name] = dict(name=name, label=label, regex=place_lead(regex), **kw)


# ---------------------------------------------------------------- DATE
HOLIDAY = (r"(?:New[ ]Year(?:['’]?s)?(?:[ ](?:Eve|Day))?|Christmas(?:[ ](?:Eve|Day))?(?![ ]Island)|Boxing[ ]Day"
           r"|Easter(?:[ ](?:Sunday|Monday|weekend))?(?![ ]Island)|Good[ ]Friday|Anzac[ ]Day|Australia[ ]Day"
           r"|Remembrance[ ]Day|Armistice[ ]Day|Independence[ ]Day|Thanksgiving(?:[ ]Day)?"
           r"|(?:Valentine|Mother|Father)['’]s[ ]Day|Labou?r[ ]Day|Memorial[ ]Day|Halloween|Ramadan"
           r"|Hanukkah|Passover|Yom[ ]Kippur|Diwali|(?:Chinese|Lunar)[ ]New[ ]Year)(?![\w'’]|[ ]Honours)")
pat("date-weekday", "DATE",
    r"(?J)\b(?<weekday>" + WEEKDAY + r")s?\b(?:,?[ ](?:(?<day>" + DAY + r")" + SUFFIX + r"?[ ](?:of[ ])?(?<month>"
    + MONTH + r")(?!\w)|(?<month>" + MONTH + r")[ ](?<day>" + DAY + r")" + SUFFIX + r"?\b(?![,.:][0-9]))"
    r"(?:,?[ ](?<year>" + YEAR + r")\b)?)?",
    value="date", priority=10,
    description="A weekday, alone or with its date: Thursday; Thursday, 2 March 2023; Friday, March 3, 2023.")
pat("date-dmy", "DATE",
    r"\b(?<day>" + DAY + r"(?:" + SUFFIX + r"?[-–]" + DAY + r")?)" + SUFFIX + r"?[ ](?:of[ ])?(?<month>" + MONTH + r")(?!\w)(?:,?[ ](?<year>" + YEAR + r")\b)?",
    value="date", priority=10, description="2 March 2023; 2nd of March; 2 Mar.")
pat("date-month", "DATE",
    r"(?J)\b(?:(?<month>" + MONTH + r")(?!\w)[ ](?:(?<day>" + DAY + r"(?:" + SUFFIX + r"?[-–]" + DAY + r")?)" + SUFFIX + r"?\b(?![,.:][0-9])"
    r"(?:,?[ ](?<year>" + YEAR + r")\b)?|(?<year>" + YEAR + r")\b)|(?<month>" + MONTH_FULL_NO_MAY + r")\b(?:[ ](?:this|last|next)[ ]year\b)?)",
    value="date", priority=10,
    description="March 1; March 1, 2023; February 2021; a month name alone (not May).")
pat("date-iso", "DATE",
    r"\b(?<year>" + YEAR + r")-(?<month>0[1-9]|1[0-2])-(?<day>0[1-9]|[12][0-9]|3[01])\b",
    value="date", priority=12, description="2023-03-02")
pat("date-numeric", "DATE",
    r"(?J)(?<![0-9/.])(?:(?<a>[0-3]?[0-9])/(?<b>[0-3]?[0-9])/(?<year>" + YEAR + r"|[0-9]{2})"
    r"|(?<a>[0-3]?[0-9])\.(?<b>[0-3]?[0-9])\.(?<year>" + YEAR + r"))(?![0-9]|[/.][0-9])",
    value="date", priority=11,
    description="02/03/2023, 2/3/23, 02.03.2023; a value only when day and month cannot be confused.")
pat("date-year-range", "DATE",
    r"(?<![-–/.0-9])(?<from>" + YEAR + r")[-–/](?<to>" + YEAR + r"|[0-9]{2})(?![0-9]|[-–/.][0-9])"
    r"(?:[ ](?:financial|fiscal|calendar|school|academic|tax)[ ]years?\b|[ ]season\b)?",
    priority=11, description="2023-2024, 2019-20, 1999/2000")
pat("date-year", "DATE",
    r"(?:" + lookbehind_any(["in", "In", "since", "Since", "by", "until", "from", "From", "during",
                              "During", "before", "after", "early", "late", "mid", "year", "Year",
                              "summer", "winter", "spring", "autumn"]) + r"|(?<=\bmid-))"
    r"(?<year>" + YEAR + r")\b(?![-–/.,:%][0-9]|%)",
    value="year", priority=9, description="A year after a cue word: in 2023, since 1999, mid-2020.")
pat("date-decade", "DATE", lead("lead_date_decade", ["early", "mid", "late", "Early", "Mid", "Late"])
    + r"(?<![\w-])(?:1[89]|20)[0-9]0s\b", priority=9, description="the 1990s, early 1980s")
pat("date-holiday", "DATE",
    r"\b" + HOLIDAY + r"(?:[-–]" + HOLIDAY + r")?(?:[ ](?:holiday[ ]period|holidays?|period|break|season|long[ ]weekend|week)\b)?",
    priority=9, description="New Year's Eve, Christmas Day, Easter, Anzac Day ...")
# Relative dates and times start with common lower-case letters; each group below starts with a
# fixed word, which PCRE2's JIT finds with a vector search, so they are separate passes.
PERIODS = r"(?:week|month|year|weekend|decade|century|summer|winter|spring|autumn|season|quarter|fortnight|financial[ ]year)"
PERIODS_PLURAL = r"(?:days|weeks|months|years|decades|weekends|seasons)"
PARTS_OF_DAY = r"(?:morning|afternoon|evening|night)"
# ---------------------------------------------------------------- TIME
pat("time-clock", "TIME",
    lead("lead_time_clock", MODIFIERS) + r"(?<![0-9:.])(?<hour>[01]?[0-9]|2[0-3]):(?<minute>[0-5][0-9])(?::(?<second>[0-5][0-9]))?(?![0-9]|:[0-9])"
    r"(?:[ ]?(?<ampm>" + AMPM + r")(?!\w))?(?:[ ](?<tz>" + TZ + r")\b)?",
    value="time", priority=10, description="09:57, 4:00pm AEDT, 16:30:05")
pat("time-ampm", "TIME",
    lead("lead_time_ampm", MODIFIERS) + r"(?<![0-9:.])(?<hour>1[0-2]|0?[1-9])(?:\.(?<minute>[0-5][0-9]))?[ ]?(?<ampm>" + AMPM + r")(?!\w)"
    r"(?:[ ](?<tz>" + TZ + r")\b)?",
    value="time", priority=10, description="4pm, 10 a.m., 4.30pm AEST")
# ---------------------------------------------------------------- MONEY
DOLLAR = r"(?:(?:US|A|AU|NZ|C|CA|HK|S|NT)\$|\$(?:US|A|AU|NZ)?)"
pat("money-dollar", "MONEY",
    r"(?J)" + lead("lead", MODIFIERS + ["between", "Between"]) + r"(?<![\w$])" + DOLLAR + r"[ ]?(?<amount>" + AMOUNT + r")" + SCALE + r"?"
    r"(?:(?:[ ](?:to|and)[ ]|[ ]?[-–][ ]?)" + DOLLAR + r"[ ]?" + AMOUNT + SCALE.replace("?<scale>", "?:") + r"?)?",
    priority=10, lead="lead",
    description="$5, US$1.2 billion, $US300,000, A$4m, about $5, $400 to $500 million")
pat("money-symbol", "MONEY",
    r"(?J)[€£¥₹][ ]?(?<amount>" + AMOUNT + r")" + SCALE + r"?",
    priority=10, description="€300, £4m")
pat("money-code", "MONEY",
    r"\b" + trie("AUD USD EUR GBP NZD CAD JPY CNY RMB CHF HKD SGD INR".split()) + r"[ ]?(?<amount>" + AMOUNT + r")" + SCALE + r"?",
    priority=10, description="AUD 5 million, USD 300")
pat("money-words", "MONEY",
    lead("lead_money_words", MODIFIERS) + r"(?<![\w.,])(?<amount>" + AMOUNT + r")(?:[ ](?:million|billion|trillion))?[ ](?:(?:US|Australian|American"
    r"|Canadian|New[ ]Zealand|Hong[ ]Kong|Singapore|Taiwan)[ ])?(?:dollars?|euros?|pounds?(?![ ]of\b)|pence"
    r"|yen|yuan|rupees?|cents?|rand|pesos?)\b",
    priority=10, description="5 million dollars, 300 euros, 50 cents")
# ---------------------------------------------------------------- PERCENT
pat("percent", "PERCENT",
    lead("lead_percent", MODIFIERS) + r"(?<![\w.,])" + AMOUNT + r"(?:(?:[ ]?[-–][ ]?|[ ](?:to|and)[ ])" + AMOUNT + r")?"
    r"(?:[ ]?%|(?:[ ]of[ ]a)?[ ]per[ ]?cent\b|[ ]percent\b|[ ]percentage[ ]points?\b)",
    priority=10, description="12%, 12 per cent, 3.5 percentage points, about 5 to 6 per cent, 0.25 of a per cent")
# ---------------------------------------------------------------- numbers
pat("ordinal", "ORDINAL", r"\b[0-9]*(?:1st|2nd|3rd|[04-9]th|1[123]th)\b", priority=2,
    description="1st, 22nd, 103rd, 11th")
pat("cardinal", "CARDINAL",
    lead("lead_cardinal", MODIFIERS) + r"(?<![\w.,/:$€£¥+-])(?!" + YEAR + r"(?![0-9]|[,.][0-9]))(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
    r"(?![\w%-]|[.,/:][0-9])(?:[ ](?:million|billion|trillion|thousand|hundred)\b)?",
    priority=1, description="16, 1,234.5, 2.5 million; not a year, not part of a date, time or amount.")

# Durations, ages, quantities and scores: a number with what it counts. Each comes before the
# bare cardinal in the numeric pass (at one position the first branch that matches wins).
DATE_UNITS = r"(?:days?|weeks?|fortnights?|months?|years?|decades?|centur(?:y|ies))"
TIME_UNITS = r"(?:hours?|minutes?|seconds?|hrs?|mins?)"
# After "a" or a number word, "second" is too often the ordinal ("a second minute of silence").
TIME_UNITS_WORDS = r"(?:hours?|minutes?|seconds|hrs?|mins?)"
NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
pat("date-duration", "DATE",
    lead("lead_date_duration", MODIFIERS + ["last", "past", "next", "first", "previous",
                                            "Last", "Past", "Next", "First", "Previous"])
    + r"(?<![\w.,/:$€£¥+-])" + NUM + r"(?:[ ]" + DATE_UNITS + r"(?:[ ](?:ago|earlier|later|ahead|old)\b)?"
    r"|-(?:day|week|month|year|decade)(?:s?-old)?)\b(?!-[a-z])",
    priority=10, description="15 months, 12 years, 10 days ago, 28-year-old, a 10-year expansion (durations and ages are DATE)")
pat("time-duration", "TIME",
    lead("lead_time_duration", MODIFIERS + ["last", "past", "next", "Last", "Past", "Next"])
    + r"(?<![\w.,/:$€£¥+-])" + NUM + r"(?:[ ]" + TIME_UNITS + r"(?:[ ](?:ago|earlier|later)\b)?|-(?:hour|minute|second))\b(?!-[a-z])",
    priority=10, description="62 minutes, 8 hours, a 24-hour strike (durations under a day are TIME)")
UNITS_QUANTITY = (r"(?:(?:kilo|centi|milli)?met(?:re|er)s?|km|cm|mm|kilograms?|kg|grams?|tonnes?|tons?|miles?"
                  r"|feet|foot|ft|inches|inch|litres?|liters?|hectares?|acres?|knots?|degrees?(?:[ ](?:Celsius|Fahrenheit|C|F))?"
                  r"|kilometres?|kilometers?|megawatts?|MW|kW|kph|km/h|mph|barrels?)(?![ ]of[ ](?:the|a|an|his|her|its|their|our|your|my|this|that|these|those|volatility|uncertainty|confidence|risk|support)\b)")
pat("quantity", "QUANTITY",
    lead("lead_quantity", MODIFIERS) + r"(?<![\w.,/:$€£¥+-])" + NUM + r"(?:[ ]?|-)" + UNITS_QUANTITY
    + r"(?![\w/])(?:[ ](?:an|per)[ ]hour\b)?",
    priority=10, description="20 kilometres, some 50 kilometers, 110 kilometres an hour, 46 miles, 5 tonnes")
pat("cardinal-score", "CARDINAL",
    r"(?<![\w.,/:$€£¥+-])[0-9]{1,2}-[0-9]{1,2}(?![\w%]|[-/.,:][0-9])",
    priority=2, description="Scores and tallies: 6-4, 3-0 (not dates, times or ranges with units)")
pat("date-age", "DATE",
    # "Razzano, 18, who ...": a two-digit number between commas right after a capitalised word.
    r"(?<=[a-z],[ ])(?:" + "|".join(r"(?<=\b[A-Z][a-z]{%d},[ ])" % k for k in range(1, 14)) + r")[1-9][0-9](?=,)",
    priority=9, description="An age after a name: Razzano, 18, (ages are DATE)")
pat("date-year-bare", "DATE",
    # A year of the last and this century on its own: "the 1971 war", "by 2020", "2001 and 2002".
    # Not before a counted plural, a percent or a unit ("2000 people", "1500 troops").
    r"(?<![\w.,/:$€£¥+#-])(?<year>19[0-9]{2}|20[0-3][0-9])\b(?![-–/.,:%][0-9]|%|[ ]?(?:per|people|persons|men|women|children|residents|km|kilomet|metres?|tonnes?|times)\b|[ ][a-z]+s\b|[ ](?:-|to)[ ]?[0-9])",
    value="year", priority=8, description="A bare year 1900-2039: in the 1971 war, 2001 and 2002 (not '2000 people')")

# ---------------------------------------------------------------- numbers in words
UNIT_WORDS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
ORD_WORDS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
             "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth sixtieth "
             "seventieth eightieth ninetieth hundredth thousandth millionth").split()
def cap_both(ws):
    return ws + [w[0].upper() + w[1:] for w in ws]
NUMBER_WORD_HEAD = (r"(?:" + trie([w for w in UNIT_WORDS + TENS_WORDS if w != "one"])
                    # "one" is too often a pronoun ("no one", "the last one", "then one without"): a number only
                    # before "of" or a word that is not a function word ("one person"), or after "number".
                    # (the lookbehind comes after "one", so that it runs only where "one" is)
                    + r"|one(?<!" + "|".join(r"\b" + w + "[ ]one" for w in "no No go the The this This that That last next each Each every Every any Any which Which only another little big new old".split()) + r")"
                    + r"(?:(?<=\bnumber[ ]one)|(?=[ ]of\b|[ ](?!(?:another|better|without|with|to|is|was|who|that|which|can|could|would|will|should|may|might|must|does|did|has|had|have|at|in|on|by|for|from|after|before|as|than|and|or|but|if|when|where|else|day|way|time|thing|says|said)\b)[a-z]))"
                    # A capitalised number word right after another word is part of a name ("Zeus Two").
                    + r"|(?<![\w][ ])" + trie([w[0].upper() + w[1:] for w in UNIT_WORDS + TENS_WORDS]) + ")")
NUMBER_WORD = (r"(?<![\w'’-])(?:" + NUMBER_WORD_HEAD + r"(?:-" + trie(UNIT_WORDS[:9]) + r")?"
               r"(?:[ ](?:hundred|thousand|million|billion)(?:[ ](?:and[ ])?" + trie(UNIT_WORDS + TENS_WORDS)
               + r"(?:-" + trie(UNIT_WORDS[:9]) + r")?)?)?)(?![\w-]|-[a-z])")
SCALE_WORD = r"(?:hundred|thousand|million|billion|dozen)"
VAGUE = (r"(?:[Hh]undreds|[Tt]housands|[Mm]illions|[Dd]ozens|[Ss]cores)(?=[ ]of[ ])(?:[ ]of[ ](?:thousands|millions))?"
         r"|[Tt]ens[ ]of[ ](?:thousands|millions)")
# "a million", "a week": the "a"/"an"/"one" before a scale or unit word is a lead, so that the
# match starts at the rarer scale or unit word instead of at every "a".
A_LEAD = ["a", "an", "A", "An"]
pat("duration-words-date", "DATE",
    lead("lead_dw_date", [m + " " + a for m in MODIFIERS for a in ("a",)] + A_LEAD + MODIFIERS + ["last", "past", "next", "first", "Last", "Past", "Next", "First"])
    + r"(?:" + NUMBER_WORD + r"(?:[ ]|-)|(?<=\ba[ ]|\ban[ ]|\bA[ ]|\bAn[ ])|(?<=\bfew[ ]|\bseveral[ ]|\bmany[ ]))"
    + r"(?:(?<=[ ])" + DATE_UNITS + r"(?:[ ](?:ago|earlier|later|ahead|old)\b)?|(?<=-)(?:day|week|month|year|decade)(?:s?-old)?)\b(?!-[a-z])",
    priority=10, description="two days, four years, a week ago, the next few days, five-day (durations are DATE)")
pat("duration-words-time", "TIME",
    lead("lead_dw_time", A_LEAD + MODIFIERS + ["last", "past", "next", "Last", "Past", "Next", "next few", "Next few"])
    + r"(?:" + NUMBER_WORD + r"(?:[ ]|-)|(?<=\ba[ ]|\ban[ ]|\bA[ ]|\bAn[ ])|(?<=\bfew[ ]|\bseveral[ ]|\bmany[ ]))"
    + r"(?:(?<=[ ])" + TIME_UNITS_WORDS + r"(?:[ ](?:ago|earlier|later)\b)?|(?<=-)(?:hour|minute))\b(?!-[a-z])",
    priority=10, description="eight hours, the next few hours, an hour ago (durations under a day are TIME)")
pat("percent-words", "PERCENT",
    lead("lead_pw", MODIFIERS + A_LEAD + ["half a", "Half a"]) +
    r"(?:" + NUMBER_WORD + r"[ ]per[ ]?cent\b|(?:quarter|half)(?:-|[ ](?:of[ ]a[ ])?)(?:percentage[ ])?point\b|(?<=\bhalf[ ]a[ ])percentage[ ]point\b)",
    priority=10, description="Twenty per cent, a quarter-point, half a percentage point")
pat("quantity-words", "QUANTITY",
    lead("lead_qw", MODIFIERS + [m + " a" for m in MODIFIERS_LOWER] + A_LEAD)
    + r"(?:" + NUMBER_WORD + r"(?:[ ]|-)|(?<=\ba[ ]|\ban[ ]|\bA[ ]|\bAn[ ]))" + UNITS_QUANTITY + r"(?![\w/])(?:[ ](?:an|per)[ ]hour\b)?",
    priority=10, description="five millimetres, a millimetre, nine metre")
pat("date-ordinal-period", "DATE",
    trie(ORD_WORDS[:12]) + r"[ ](?:week|day|month|year|quarter|half|weekend|season|term)(?:[ ]of[ ](?:the[ ])?(?:new[ ]year|year|month|season|week|financial[ ]year))?\b",
    priority=10, description="second week, first quarter of the new year (an ordinal period is DATE)")
pat("cardinal-words", "CARDINAL",
    lead("lead_cw", MODIFIERS + A_LEAD + [m + " a" for m in MODIFIERS_LOWER] + ["more than two", "More than two"])
    + r"(?:(?:" + VAGUE + r")|(?<=\ba[ ]|\ban[ ]|\bA[ ]|\bAn[ ])" + SCALE_WORD + r"(?![\w-])|" + NUMBER_WORD + r"(?:[ ]dozen\b)?)",
    priority=1, description="two, Two hundred and thirty, a million, hundreds of, tens of thousands, Scores of")
WORDS_GATE = sorted(set(UNIT_WORDS + TENS_WORDS + ORD_WORDS + [
    "day", "week", "fortnight", "month", "year", "decade", "centur", "hour", "minute", "second", "hr", "min",
    "met", "km", "cm", "mm", "kilo", "centi", "milli", "gram", "kg", "tonne", "ton", "mile", "feet", "foot", "ft",
    "inch", "litre", "liter", "hectare", "acre", "knot", "degree", "megawatt", "MW", "kW", "kph", "mph", "barrel",
    "quarter", "half", "percentage", "hundred", "thousand", "million", "billion", "dozen", "score", "ten",
    "overnight", "early", "late"]))
# The whole words a branch of the `words` pass can start with (each is followed by \b in every
# match): number words, ordinals, the units after "a" or "few", scale and vague words, time words.
WORDS_GATE_FULL = sorted(set(UNIT_WORDS + TENS_WORDS + ORD_WORDS + [
    "day", "days", "week", "weeks", "fortnight", "fortnights", "month", "months", "year", "years",
    "decade", "decades", "century", "centuries",
    "hour", "hours", "minute", "minutes", "seconds", "hr", "hrs", "min", "mins",
    "quarter", "half", "percentage",
    "metre", "metres", "meter", "meters", "kilometre", "kilometres", "kilometer", "kilometers",
    "centimetre", "centimetres", "centimeter", "centimeters", "millimetre", "millimetres", "millimeter",
    "millimeters", "km", "cm", "mm", "kilogram", "kilograms", "kg", "gram", "grams", "tonne", "tonnes",
    "ton", "tons", "mile", "miles", "feet", "foot", "ft", "inches", "inch", "litre", "litres", "liter",
    "liters", "hectare", "hectares", "acre", "acres", "knot", "knots", "degree", "degrees", "megawatt",
    "megawatts", "MW", "kW", "kph", "mph", "barrel", "barrels",
    "hundreds", "thousands", "millions", "dozens", "scores", "tens",
    "hundred", "thousand", "million", "billion", "dozen",
    "overnight", "early", "late"]))
pat("ordinal-words", "ORDINAL",
    r"(?<![\w-])(?<!\bat[ ])(?<!\bAt[ ])" + trie(cap_both(ORD_WORDS)) + r"(?![\w-]|-(?:hand|class|rate|ever|degree|time)\b)",
    priority=2, description="first, second, eighth (not 'at first', 'first-hand')")
# ---------------------------------------------------------------- internet and contact
pat("email", "EMAIL",
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b",
    requires=["@"], priority=12, description="someone@example.com")
pat("url", "URL",
    r"\b(?:https?://|ftp://|www\.)[^\s<>\"“”]*[^\s<>\"“”.,;:!?)\]}'’]",
    requires=["://", "www."], priority=12, description="https://example.com/a?b=c, www.example.org")
pat("ipv4", "IP",
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?!\w|\.[0-9])",
    priority=12, description="192.168.0.1")
pat("ipv6", "IP",
    r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})(?![\w:])",
    requires=[":"], priority=12, description="2001:db8::1, fe80::1ff:fe23:4567:890a")
pat("phone", "PHONE",
    r"(?<![\w+.,-])(?:\+[1-9][0-9]{0,2}[ .-]?(?:\(0\)[ ]?)?[0-9]{1,4}[ .-]|\([0-9]{2,4}\)[ ]?|0[0-9]{1,3}[ .-]|1[38]00[ .-]|[2-9][0-9]{2}-)"
    r"[0-9]{3,4}[ .-][0-9]{3,4}(?![\w-]|[.,][0-9])",
    priority=11, description="+61 2 9999 9999, (02) 9999 9999, 1300 555 123, 212-555-1234")
pat("hashtag", "HASHTAG", r"(?<![\w#&])#(?=\w*\p{L})\w+", priority=12, description="#auspol")
pat("mention", "MENTION", r"(?<![\w@.])@[A-Za-z0-9_]{1,30}\b(?![@.][A-Za-z0-9])", priority=12,
    description="@abcnews")
# ---------------------------------------------------------------- PERSON
pat("person-title", "PERSON",
    r"\b(?:" + TITLES_CAP + r"[ ])+(?<name>" + PERSON_NAME + r")",
    group="name", priority=5,
    description="The name after a title (the title stays outside): President Xi Jinping, Mr. Smith, Dr Claire Richards.")
def cue_lookbehind(words):
    """Lookbehinds for `word ` before the current character, as a trie over the words read
    backwards: the last letter is checked first, then the one before it, so that most positions
    fail on one or two comparisons instead of one per word."""
    root = {}
    for w in words:
        node = root
        for ch in reversed(w):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node, suffix):
        alts = []
        if "" in node:
            alts.append(r"(?<=\b" + suffix + r"[ ].)")
        for ch, child in sorted(node.items()):
            if ch == "":
                continue
            s2 = ch + suffix
            # Collapse chains of single letters into one longer check.
            while len(child) == 1 and "" not in child:
                (c2, child), = child.items()
                s2 = c2 + s2
            alts.append(r"(?<=" + s2 + r"[ ].)" + emit(child, s2))
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    # One class test for the last letter first: most positions fail here.
    return r"(?<=[" + "".join(sorted(k for k in root)) + r"][ ].)" + emit(root, "")


# PCRE2's JIT scans fast for start bytes that are all ASCII; one non-ASCII start byte makes it
# step through the text character by character (three times slower here). So the branches that
# start at any capital letter come twice: starting with A-Z in the capitalised pass, and starting
# with a non-ASCII capital in the capitalised-intl pass, which a document of ASCII text skips.
ASCII_UPPER = "[A-Z]"
INTL_UPPER = r"[^\x00-\x7F](?<=\p{Lu})"
PERSON_CUE_REST = cue_lookbehind(CUES_LOWER) + r"(?<=(?=" + NOT_NAME + r").)" + PERSON_NAME[len(NOT_NAME) + len(UPPER):]
pat("person-cue", "PERSON", ASCII_UPPER + PERSON_CUE_REST, priority=4,
    description="The name after a lower-case role word: Chinese leader Xi Jinping, spokesman Raanan Gissin.")
pat("person-cue-intl", "PERSON", INTL_UPPER + PERSON_CUE_REST, priority=4,
    description="The same, for a name that starts with a non-ASCII capital: minister Émile Zola.")
# ---------------------------------------------------------------- ORG
pat("org-head-of", "ORG",
    r"\b(?:(?:Royal|National|State|Federal|International|European|American|Australian|British|World|United)[ ])?"
    + trie(ORG_HEADS_OF) + r"[ ](?:of|for|on)[ ](?:the[ ])?" + NOT_ORG_WORD + ORG_WORD
    + r"(?:[ ](?:(?:of|for|on|&)[ ](?:the[ ])?)?" + NOT_ORG_WORD + ORG_WORD + r"){0,4}",
    priority=6,
    description="Institute for the Study of War, Bureau of Meteorology, University of Sydney")
ORG_NAMED_REST = (ORG_STOP_FIRST + r"(?!(?:West|South|Left)[ ]Bank\b)(?:(?!" + trie(ORG_HEADS) + r"\b)" + ORG_WORD
                  + r"[ ]){1,6}+" + trie(ORG_HEADS + ["Pty Ltd"]) + r"\b"
                  # "South Asian Association for Regional Cooperation": an "of/for" tail of capitalised words.
                  + r"(?:[ ](?:for|of)[ ](?:the[ ])?" + NOT_ORG_WORD + ORG_WORD + r"(?:[ ](?:and[ ])?" + NOT_ORG_WORD + ORG_WORD + r"){0,3})?")
pat("org-named", "ORG",
    # First a cheap necessary condition (the first word is followed by a space and a capital,
    # a non-ASCII letter or "plc"; a word with other characters passes to the full test), so
    # that most capitals fail after one short ASCII scan.
    r"\b(?=[A-Z][A-Za-z]*+(?:[^A-Za-z ]|[ ](?:[A-Z]|[^\x00-\x7F]|plc)))" + ORG_NAMED_REST,
    priority=6,
    description="Names ending in an organisational head or a legal form: Rural Fire Service, Acme Pty Ltd.")
pat("org-named-intl", "ORG", r"\b(?=" + INTL_UPPER + ")" + ORG_NAMED_REST, priority=6,
    description="The same, for a name that starts with a non-ASCII capital: Österreichische Nationalbank.")


# Pieces joined into one pattern each: one pass over the text for all entities that start with a
# digit, one for those that start with a capital letter, one for lower-case time words. The order
# of the branches matters: at one position the first branch that matches wins.
pat("time-this", "TIME", lead("lead_time_this", ["early hours of", "small hours of", "early hours on"]) + r"\b[Tt]his[ ]" + PARTS_OF_DAY + r"\b", priority=9, description="this morning")
pat("date-this", "DATE", r"\b[Tt]his[ ]" + PERIODS + r"\b", priority=8, description="this year")
pat("time-last", "TIME", r"\b[Ll]ast[ ]" + PARTS_OF_DAY + r"\b", priority=9, description="last night")
pat("date-last", "DATE", r"\b[Ll]ast[ ](?:" + PERIODS + "|" + WEEKDAY + "|" + MONTH_FULL_NO_MAY + r"|May)\b", priority=8, description="last week, last Thursday")
pat("date-next", "DATE", r"\b[Nn]ext[ ](?:" + PERIODS + "|" + WEEKDAY + "|" + MONTH_FULL_NO_MAY + r"|May|few[ ]" + PERIODS_PLURAL + r")\b", priority=8, description="next month, next Monday, next few days")
pat("time-next", "TIME", r"\b[Nn]ext[ ](?:few[ ])?(?:hours?|minutes)\b", priority=9, description="next hour, next few hours")
pat("time-overnight", "TIME", r"\b(?:[Oo]vernight|(?:[Ee]arly|[Ll]ate)[ ](?:morning|afternoon|evening))\b(?![ ]of\b|[ ](?:borrowing|lending|rates?|cash|loans?|markets?)\b)", priority=9, description="overnight, early evening")
pat("date-new-year", "DATE", r"(?<=\bthe[ ]|\bthis[ ]|\bnext[ ]|\blast[ ])new[ ]year\b", priority=8, description="the new year (lower case)")
pat("time-yesterday", "TIME", r"\b[Yy]esterday[ ]" + PARTS_OF_DAY + r"\b", priority=9,
    description="yesterday afternoon")
pat("date-yesterday", "DATE", r"\b[Yy]esterday\b", priority=8, description="yesterday")
pat("time-tomorrow", "TIME", r"\b[Tt]omorrow[ ]" + PARTS_OF_DAY + r"\b", priority=9,
    description="tomorrow morning")
pat("time-tonight", "TIME", r"\b[Tt]onight\b", priority=9, description="tonight")
pat("date-today", "DATE", r"\b[Tt]o(?:day|morrow)\b", priority=8, description="today, tomorrow")
pat("time-noon", "TIME", r"\b(?<word>noon|mid(?:night|day))\b", value="time", priority=9,
    description="noon, midday, midnight")

PASSES = [
    ("numeric", "Entities that start with a digit (or the '(' or '+' of a phone number).",
     ["date-iso", "date-numeric", "date-year-range", "time-clock", "time-ampm", "date-dmy", "money-words",
      "percent", "ipv4", "phone", "ordinal", "date-decade", "date-year", "date-duration", "time-duration",
      "quantity", "cardinal-score", "date-age", "date-year-bare", "cardinal"]),
    ("capitalised", "Entities that start with a capital letter, at the start of a word (one \\b for all).",
     ["date-weekday", "date-month", "date-holiday", "money-code", "person-title", "person-cue",
      "org-head-of", "org-named"]),
    ("capitalised-intl", "Entities that start with a non-ASCII capital letter (skipped on ASCII text).",
     ["person-cue-intl", "org-named-intl"]),
    # Relative dates and times, one pass per fixed first word.
    ("this", "this morning (TIME), this week (DATE).", ["time-this", "date-this"]),
    ("last", "last night (TIME), last year (DATE).", ["time-last", "date-last"]),
    ("next", "next week (DATE), next few hours (TIME).", ["time-next", "date-next"]),
    ("new-year", "the new year (DATE).", ["date-new-year"]),
    ("yesterday", "yesterday afternoon (TIME), yesterday (DATE).", ["time-yesterday", "date-yesterday"]),
    ("today-tomorrow-tonight", "tomorrow morning, tonight (TIME); today, tomorrow (DATE).",
     ["time-tomorrow", "time-tonight", "date-today"]),
    ("noon-midnight", "noon, midday, midnight (TIME).", ["time-noon"]),
    ("words", "Numbers in words: durations (DATE, TIME), percentages, cardinals, ordinals; overnight (TIME).",
     ["duration-words-date", "duration-words-time", "percent-words", "quantity-words", "date-ordinal-period",
      "cardinal-words", "ordinal-words", "time-overnight"]),
]
P = []
used = set()
for name, description, pieces in PASSES:
    branches = []
    labels = {}
    # Every branch of the capitalised pass starts at the start of a word (person-cue after a cue
    # word and a space): test \b once, not once per branch.
    factor_b = name.startswith("capitalised")
    for piece in pieces:
        d = PIECES[piece]
        used.add(piece)
        group = piece.replace("-", "_")
        regex = d["regex"].replace("(?J)", "")
        if factor_b:
            assert regex.startswith("\\b") or piece.startswith("person-cue"), piece
            regex = regex[2:] if regex.startswith("\\b") else regex
        if d.get("group"):
            # The entity is a named group inside the piece (a title stays outside): it becomes the branch.
            regex = regex.replace("(?<" + d["group"] + ">", "(?<" + group + ">", 1)
            branches.append("(?:" + regex + ")")
        else:
            branches.append("(?<" + group + ">" + regex + ")")
        labels[group] = {"label": d["label"], "priority": d.get("priority", 0)}
        if d.get("value"):
            labels[group]["value"] = d["value"]
        leads = sorted(set(re.findall(r"\(\?<(lead_[a-z_]+)>", regex)))
        assert len(leads) <= 1, piece
        if leads:
            labels[group]["lead"] = leads[0]
    body = "|".join(branches)
    if factor_b:
        body = r"\b(?:" + body + ")"
    elif name == "words":
        # Every branch starts at the start of a word that is a number, ordinal, unit or scale
        # word (a unit after "a" or "few"): one cheap test for all branches, so that the many
        # other words fail on their first letters.
        # The gate is a whole word (a trie over the words a branch can start with, then \b), so
        # that words that merely start like one ("minister", "tennis", "football") fail in it.
        body = r"(?<![A-Za-z0-9_'-])(?=" + dispatch_trie(WORDS_GATE_FULL) + r"\b)(?:" + body + ")"
    elif name == "numeric":
        # No branch starts right after a digit (each begins with \b or a lookbehind that excludes
        # digits): one test rejects the inner digits of every number for all branches.
        body = r"(?<![0-9])(?:" + body + ")"
    P.append(dict(name=name, regex="(?J)" + body, labels=labels,
                  description=description + " Branches: " + "; ".join(PIECES[x]["description"] for x in pieces)))
for piece, d in PIECES.items():
    if piece not in used:
        P.append(d)


def yaml_quote(s):
    return "'" + s.replace("'", "''") + "'"


out = ["# Glean's default pattern pack (English news). Generated by make_default.py: edit that file.",
       "# Written for the project; licence: Apache-2.0, as the project. See README.md.", ""]
for p in P:
    out.append(f"- name: {p['name']}")
    if "label" in p:
        out.append(f"  label: {p['label']}")
    out.append(f"  regex: {yaml_quote(p['regex'])}")
    if "labels" in p:
        out.append("  labels:")
        for g, b in p["labels"].items():
            out.append(f"    {g}: {{" + ", ".join(f"{k}: {v}" for k, v in b.items()) + "}")
    for k in ("group", "priority", "value", "lead"):
        if k in p:
            out.append(f"  {k}: {p[k]}")
    if "requires" in p:
        out.append("  requires: [" + ", ".join(yaml_quote(r) for r in p["requires"]) + "]")
    out.append("  lang: en")
    out.append(f"  description: {yaml_quote(p['description'])}")
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "default.yaml"), "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(f"wrote {len(P)} patterns")
