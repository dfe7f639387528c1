#!/usr/bin/env bash
# Rebuilds Models/gazetteers/default.tsv from open data (see Models/gazetteers/README.md).
# Creates the project's virtual environment (.venv) from scripts/requirements-gazetteer.txt if needed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$root/.venv/bin/python" ]; then
    python3 -m venv "$root/.venv"
fi
"$root/.venv/bin/pip" install --quiet -r "$root/scripts/requirements-gazetteer.txt"
exec "$root/.venv/bin/python" "$root/scripts/build-gazetteer.py" "$@"
