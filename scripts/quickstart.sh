#!/usr/bin/env bash
# First command of the README: installs what is missing (Debian packages), builds the release
# binary, and annotates the bundled sample corpus with the embedded default models.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
swift build -c release --product glean --static-swift-stdlib
mkdir -p out
.build/release/glean annotate corpora/sample/news.jsonl -o out/sample.jsonl "$@"
echo "first record:"
head -n 1 out/sample.jsonl | cut -c 1-600
echo "..."
