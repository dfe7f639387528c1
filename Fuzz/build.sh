#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets: the package's library modules with coverage
# instrumentation and AddressSanitizer (`swift build --sanitize=fuzzer --sanitize=address`, debug,
# so that `@testable import` works), then each target file linked against their objects.
#   Fuzz/build.sh            -> .build-fuzz/fuzzers/{record,annotate,glz,gazetteer}
#   Fuzz/build.sh glz        -> only that one
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-fuzz
swift build --target Glean --sanitize=fuzzer --sanitize=address --scratch-path "$scratch" >&2
bin="$scratch/debug"
out="$scratch/fuzzers"
mkdir -p "$out"
objects=()
for module in GleanCore GleanIO GleanSegment GleanPatterns GleanGazetteer GleanNames Glean Yams CYaml CICUShim CCompression; do
  objects+=($(find "$bin/$module.build" -name '*.o'))
done
# The C targets' module maps are found through the debug modules' recorded clang options,
# except the system library PCRE2's.
flags=(-sanitize=fuzzer,address -parse-as-library -g -I "$bin/Modules" -I "$bin"
       -Xcc -fmodule-map-file="$PWD/Sources/CPCRE2/module.modulemap"
       -lpcre2-8 -licui18n -licuuc -licudata -lz -lzstd)
# The work counters of the annotate and gazetteer targets (Fuzz/Targets/WorkCounters.swift)
# define ICU's entry points, whose names carry the ICU version.
icu_suffix=$(sed -n 's/^#define U_ICU_VERSION_SUFFIX //p' "$(pkg-config --variable=includedir icu-uc 2>/dev/null || echo /usr/include)/unicode/uvernum.h")
[ -n "$icu_suffix" ] || { echo "Fuzz/build.sh: ICU's version suffix not found in unicode/uvernum.h" >&2; exit 1; }
sed "s/ICUSUFFIX/$icu_suffix/g" Fuzz/Targets/WorkCounters.swift >"$scratch/WorkCounters.swift"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(record annotate glz gazetteer)
for t in "${targets[@]}"; do
  echo "fuzz target $t" >&2
  sources=(Fuzz/Targets/Invariants.swift "Fuzz/Targets/$t.swift")
  case $t in annotate|gazetteer) sources+=("$scratch/WorkCounters.swift") ;; esac
  swiftc "${flags[@]}" -module-name "Fuzz_$t" "${sources[@]}" "${objects[@]}" -o "$out/$t"
done
