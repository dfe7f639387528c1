#!/usr/bin/env bash
# Fetches the public corpora into corpora/public/ (gitignored) and converts them to JSONL:
#   news.jsonl  300 English news articles (lee_background.cor from the gensim 4.4.0 wheel on PyPI)
#   zh.jsonl    Chinese records from Debian fortunes-zh
#   ru.jsonl    Russian records from Debian fortunes-ru
#   de.jsonl    German records from Debian fortunes-de
# and prints where Debian unicode-data keeps Unicode's break conformance files.
# Idempotent: a corpus whose stamp matches its source is left alone, so a second run is quick.
# corpora/README.md gives the provenance and licence of each.
#
# Usage: corpora/fetch.sh [--quiet]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/corpora/public"
CONVERT="$ROOT/corpora/convert.py"
QUIET=0
[[ "${1:-}" == "--quiet" ]] && QUIET=1

say() { [[ $QUIET == 1 ]] || echo "fetch: $*"; }
die() { echo "fetch: error: $*" >&2; exit 1; }

# Any Python 3 runs convert.py (standard library only); pip is needed once, for the wheel.
if [[ -x "$ROOT/.venv/bin/python" ]]; then PY="$ROOT/.venv/bin/python"; else PY="$(command -v python3 || true)"; fi
[[ -n "$PY" ]] || die "python3 not found (scripts/setup-system.sh installs it)"

mkdir -p "$OUT"

stamp_ok() { [[ -s "$OUT/$1" && -f "$OUT/.$1.stamp" && "$(cat "$OUT/.$1.stamp")" == "$2" ]]; }
write_stamp() { printf '%s' "$2" > "$OUT/.$1.stamp"; }

# (a) English news: 300 ABC news articles shipped as test data in the gensim wheel.
GENSIM_VERSION=4.4.0
NEWS_STAMP="gensim==$GENSIM_VERSION lee_background.cor convert.py:$(sha256sum "$CONVERT" | cut -c1-16)"
if stamp_ok news.jsonl "$NEWS_STAMP"; then
  say "news.jsonl present ($(wc -l < "$OUT/news.jsonl") records)"
else
  if "$PY" -m pip --version >/dev/null 2>&1; then PIP=("$PY" -m pip)
  elif python3 -m pip --version >/dev/null 2>&1; then PIP=(python3 -m pip)
  else die "pip not found: run scripts/setup-python.sh first (it creates .venv with pip)"; fi
  TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
  say "downloading gensim==$GENSIM_VERSION wheel (only lee_background.cor is kept)"
  # The wheel is platform-specific; name one so that any local Python version can fetch it.
  "${PIP[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 \
    --dest "$TMP" "gensim==$GENSIM_VERSION" >&2 || die "pip download gensim==$GENSIM_VERSION failed"
  WHEEL="$(ls "$TMP"/gensim-*.whl)"
  n="$("$PY" "$CONVERT" lee "$WHEEL" "$OUT/news.jsonl")"
  write_stamp news.jsonl "$NEWS_STAMP"
  rm -rf "$TMP"; trap - EXIT
  say "news.jsonl written ($n records)"
fi

# (b) Chinese, Russian, German: Debian fortune packages, records separated by a line holding '%'.
for lang in zh ru de; do
  pkg="fortunes-$lang"
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      say "installing $pkg"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null; } \
        || die "apt-get install $pkg failed"
    else
      die "$pkg is not installed: run scripts/setup-system.sh as root"
    fi
  fi
  version="$(dpkg-query -W -f='${Version}' "$pkg")"
  stamp="$pkg=$version convert.py:$(sha256sum "$CONVERT" | cut -c1-16)"
  if stamp_ok "$lang.jsonl" "$stamp"; then
    say "$lang.jsonl present ($(wc -l < "$OUT/$lang.jsonl") records)"
  else
    n="$("$PY" "$CONVERT" fortunes "$lang" "$pkg" "$OUT/$lang.jsonl")"
    write_stamp "$lang.jsonl" "$stamp"
    say "$lang.jsonl written ($n records from $pkg $version)"
  fi
done

# (c) Unicode 15.0 conformance files from Debian unicode-data (used in place, not copied).
dpkg -s unicode-data >/dev/null 2>&1 || die "unicode-data is not installed: run scripts/setup-system.sh as root"
for f in WordBreakTest.txt SentenceBreakTest.txt GraphemeBreakTest.txt LineBreakTest.txt; do
  path="$(dpkg -L unicode-data | grep -m1 "/$f\$" || true)"
  [[ -n "$path" && -f "$path" ]] || die "unicode-data does not ship $f"
  say "unicode-data $(dpkg-query -W -f='${Version}' unicode-data): $path"
done
