#!/usr/bin/env python3
"""Convert the public corpora that corpora/fetch.sh brings into JSONL, one document per line.

Only the Python standard library is used, so this runs before any virtual environment exists.

    python3 corpora/convert.py lee WHEEL OUT.jsonl
        Reads gensim/test/test_data/lee_background.cor (300 news articles, one per line) from
        the gensim wheel WHEEL and writes {"id": "lee-N", "text": ...} records, N from 1.

    python3 corpora/convert.py fortunes LANG PACKAGE OUT.jsonl
        Reads every fortune file that the installed Debian PACKAGE ships (found with
        `dpkg -L`), splits it into records on lines holding only `%`, and writes
        {"id": "LANG-FILE-N", "text": ..., "lang": LANG} records. For example the 3rd record
        of /usr/share/games/fortunes/ru/life becomes {"id": "ru-life-3", ...}.

Texts are kept exactly as the sources have them (inner CR, tabs, ANSI escape sequences and
all); only the line feed that ends a record is dropped, and records that are empty or
whitespace only are skipped. Output is written to a temporary file and renamed into place.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

LEE_MEMBER = "gensim/test/test_data/lee_background.cor"
# sha256 of lee_background.cor in gensim 4.4.0; a different file means a different corpus.
LEE_SHA256 = "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb"
FORTUNE_ROOT = "/usr/share/games/fortunes/"


def write_jsonl(path, records):
    """Writes records (dicts) to path atomically; returns how many were written."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".jsonl", dir=directory)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False))
                out.write("\n")
                count += 1
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return count


def lee(wheel, out):
    with zipfile.ZipFile(wheel) as z:
        data = z.read(LEE_MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != LEE_SHA256:
        sys.exit(f"convert.py: {LEE_MEMBER} in {wheel} has sha256 {digest}, expected {LEE_SHA256}")
    text = data.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    def records():
        for n, line in enumerate(lines, start=1):
            line = line.removesuffix("\r")
            if line.strip():
                yield {"id": f"lee-{n}", "text": line}

    return write_jsonl(out, records())


def fortune_files(package):
    listing = subprocess.run(["dpkg", "-L", package], check=True, capture_output=True, text=True).stdout
    files = []
    for path in listing.split("\n"):
        if not path.startswith(FORTUNE_ROOT) or path.endswith(".dat"):
            continue
        if os.path.islink(path) or not os.path.isfile(path):
            continue  # the .u8 names are links to the same files
        files.append(path)
    if not files:
        sys.exit(f"convert.py: {package} lists no fortune files under {FORTUNE_ROOT}")
    return sorted(files)


def split_fortunes(text):
    """Splits a fortune file into records: a line holding only `%` (CR allowed) separates them."""
    record = []
    for line in text.split("\n"):
        if line.removesuffix("\r") == "%":
            yield "\n".join(record)
            record = []
        else:
            record.append(line)
    if record:
        yield "\n".join(record)


def fortunes(lang, package, out):
    def records():
        for path in fortune_files(package):
            name = os.path.basename(path)
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")  # strict: a non-UTF-8 file is an error
            n = 0
            for record in split_fortunes(text):
                if record.endswith("\n"):
                    record = record[:-1]
                if not record.strip():
                    continue
                n += 1
                yield {"id": f"{lang}-{name}-{n}", "text": record, "lang": lang}

    return write_jsonl(out, records())


def main(argv):
    if len(argv) == 4 and argv[1] == "lee":
        count = lee(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "fortunes":
        count = fortunes(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)
    print(count)


if __name__ == "__main__":
    main(sys.argv)
