#!/usr/bin/env bash
# Installs the Debian packages that Glean's build, tests and corpora need. Idempotent: when
# every package is present it prints nothing and runs no apt-get at all.
#
#   build:   libicu-dev (ICU 72), libpcre2-dev, libzstd-dev, zlib1g-dev, pkg-config
#   data:    unicode-data (UAX #29 conformance files), wamerican (word list), iso-codes
#   tools:   zstd, pcre2-utils (pcre2test, for cross-checking patterns), python3-venv
#   corpora: fortunes-zh, fortunes-ru, fortunes-de (multilingual text, see corpora/README.md)
#   browser: chromium (headless, for the test of `glean render`'s page, Tests/python/test_render.py)
#   cluster: openjdk-17-jre-headless (PySpark's JVM, Tests/python/test_spark.py), binutils
#            (strip and objdump for scripts/release.sh)
#   counted work: valgrind (callgrind instruction counts, Tests/python/test_linear_work.py)
#
# Usage: sudo scripts/setup-system.sh   (or as root)
set -euo pipefail

PACKAGES=(
  libicu-dev libpcre2-dev libzstd-dev zlib1g-dev pkg-config
  unicode-data wamerican iso-codes
  zstd pcre2-utils python3-venv
  fortunes-zh fortunes-ru fortunes-de
  chromium
  openjdk-17-jre-headless binutils
  valgrind
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) != 0 ]]; then
  echo "setup-system: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "setup-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when they are absent or older than a day, or when the
# install fails on stale lists.
lists=(/var/lib/apt/lists/*_Packages*)
if [[ ! -e "${lists[0]}" ]] || [[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin +1440 -print -quit)" ]]; then
  apt-get update -q >/dev/null
fi
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup-system: done" >&2
