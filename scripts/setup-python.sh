#!/usr/bin/env bash
# Creates .venv at the repository root (if missing) and installs scripts/requirements-test.txt
# into it. Idempotent and fast: the hash of the requirements file and the Python version are
# stored in .venv/.requirements.sha256, and nothing is installed while they match.
#
# Usage: scripts/setup-python.sh            then: .venv/bin/python -m pytest Tests/python
# Environment: PYTHON (default python3) is the interpreter the environment is made from.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/scripts/requirements-test.txt"
PYTHON="${PYTHON:-python3}"

if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  echo "setup-python: creating $VENV" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" \
    || { echo "setup-python: '$PYTHON -m venv' failed (scripts/setup-system.sh installs python3-venv)" >&2; exit 1; }
fi

want="$( { sha256sum < "$REQ"; "$VENV/bin/python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [[ -f "$VENV/.requirements.sha256" && "$(cat "$VENV/.requirements.sha256")" == "$want" ]]; then
  exit 0
fi

echo "setup-python: installing $(basename "$REQ") into .venv" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
echo "$want" > "$VENV/.requirements.sha256"
echo "setup-python: done" >&2
