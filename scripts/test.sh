#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need, builds, and runs every suite:
# the Swift unit, pipeline and end-to-end tests, then the Python tests where spaCy (and other
# references) consume Glean's output. Prints each phase's time.
set -euo pipefail
cd "$(dirname "$0")/.."

phase() { PHASE_NAME=$1; PHASE_START=$SECONDS; echo "==> $1"; }
done_phase() { echo "<== $PHASE_NAME: $((SECONDS - PHASE_START)) s"; }

phase "system packages"
scripts/setup-system.sh
done_phase

phase "public corpora"
corpora/fetch.sh
done_phase

phase "release build"
swift build -c release --product glean --static-swift-stdlib
done_phase

phase "swift tests"
GLEAN_BIN="$PWD/.build/release/glean" swift test
done_phase

# The sanitizer phases run every unit and pipeline suite (core, IO, segmenter, patterns,
# gazetteer, pipeline); the end-to-end suite drives the release binary, not the sanitized build,
# so it is left out. GLEAN_SANITIZER=1 tells the few heavy tests (stress sizes) to run smaller.
phase "thread sanitizer: all unit and pipeline tests"
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
GLEAN_SANITIZER=1 TSAN_OPTIONS=halt_on_error=1 swift test --skip-build --sanitize=thread --scratch-path .build-tsan \
  --skip EndToEndTests
done_phase

phase "address sanitizer: all unit and pipeline tests"
swift build --build-tests --sanitize=address --scratch-path .build-asan
# Leak checking is off: the only reports come from Foundation's Process and the test runner.
GLEAN_SANITIZER=1 ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 swift test --skip-build --sanitize=address --scratch-path .build-asan \
  --skip EndToEndTests
done_phase

phase "fuzzers: a short run of each libFuzzer target (Fuzz/README.md)"
Fuzz/build.sh
for target in record annotate glz gazetteer; do
  Fuzz/run.sh "$target" "${GLEAN_FUZZ_SECONDS:-20}"
done
done_phase

phase "python environment"
scripts/setup-python.sh
done_phase

phase "gold set: offsets, surfaces and splits (Benchmarks/gold)"
.venv/bin/python Benchmarks/gold/gold.py verify
.venv/bin/python -m pytest -q Benchmarks/tests
done_phase

phase "python tests (spaCy as the consumer, reference implementations)"
# test_release.py runs in the release archive phase below, where the archive exists.
GLEAN_REQUIRE_PUBLIC=1 GLEAN_BIN="$PWD/.build/release/glean" .venv/bin/python -m pytest -q Tests/python --ignore=Tests/python/test_release.py
done_phase

phase "release archive (static Swift runtime; unpacked elsewhere, run with a clean environment, and by spark-submit --archives)"
# The release build reuses the static build of the phase above (.build): only the link runs again.
archive="$(GLEAN_RELEASE_SCRATCH=.build scripts/release.sh | tail -1)"
GLEAN_ARCHIVE="$PWD/$archive" GLEAN_REQUIRE_RELEASE=1 GLEAN_BIN="$PWD/.build/release/glean" \
  .venv/bin/python -m pytest -q Tests/python/test_release.py
done_phase
