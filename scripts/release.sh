#!/usr/bin/env bash
# Builds the relocatable release archive dist/glean-VERSION-linux-ARCH.tar.gz, which runs from
# any folder on a Debian-like machine that has no Swift toolchain (a cluster node):
#
#   glean-VERSION-linux-ARCH/
#     bin/glean             the binary; the Swift runtime and Foundation linked statically;
#                           its rpath ($ORIGIN/../lib, DT_RPATH so that it also covers the
#                           libraries' own dependencies) finds lib/ wherever the folder lies
#     lib/                  the shared libraries a node may lack, copied from this system:
#                           ICU (libicuuc, libicui18n, libicudata), PCRE2 (libpcre2-8), zstd
#     share/glean/Models    pattern packs and gazetteers, found relative to the binary
#     README.md, LICENSES   what is in the archive
#
# What the node must have: glibc (at least the version printed at the end), libstdc++, libgcc_s,
# libm and zlib, which every Debian or Ubuntu system has.
#
# Usage: scripts/release.sh            (prints the archive's path on the last line)
# Environment: GLEAN_RELEASE_SCRATCH (default .build-static) is the build folder; DIST (default
# dist) where the archive goes.
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH="${GLEAN_RELEASE_SCRATCH:-.build-static}"
DIST="${DIST:-dist}"
# Libraries to ship, by soname prefix: the ones that are not on every Debian-like system.
SHIP_PATTERN='^(libicu(uc|i18n|data)|libpcre2-8|libzstd)\.so'

build=(swift build -c release --product glean --static-swift-stdlib --scratch-path "$SCRATCH"
       -Xlinker -rpath -Xlinker '$ORIGIN/../lib' -Xlinker --disable-new-dtags)
echo "release: ${build[*]}" >&2
"${build[@]}" >&2
bin="$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)/glean"

version="$("$bin" --version | awk '{print $2}')"
arch="$(uname -m)"
name="glean-$version-linux-$arch"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage/bin" "$stage/lib" "$stage/share/glean"

cp "$bin" "$stage/bin/glean"
strip --strip-unneeded "$stage/bin/glean"

# The shared libraries the binary needs, as this system resolves them; only those matching
# SHIP_PATTERN travel. Anything still resolving into the Swift toolchain is an error.
toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")"
while read -r soname path; do
  case "$path" in
    "$toolchain"/*) echo "release: $soname resolves into the Swift toolchain ($path)" >&2; exit 1 ;;
  esac
  if [[ "$soname" =~ $SHIP_PATTERN ]]; then
    cp -L "$path" "$stage/lib/$soname"
    chmod 0644 "$stage/lib/$soname"
  fi
done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')
for needed in libicuuc libicui18n libicudata libpcre2-8 libzstd; do
  ls "$stage/lib/$needed".so* >/dev/null 2>&1 || { echo "release: $needed was not found by ldd" >&2; exit 1; }
done

# The models, without the scripts that rebuild them.
cp -R Models "$stage/share/glean/Models"
find "$stage/share/glean/Models" -name '*.py' -delete

glibc="$(objdump -T "$stage/bin/glean" "$stage"/lib/*.so* 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
cat > "$stage/README.md" <<EOF
# $name

\`bin/glean\` runs from wherever this folder is unpacked; it finds its libraries in \`lib/\` and
its models in \`share/glean/Models\` relative to itself (or in \`\$GLEAN_MODELS\`).

    tar -xzf $name.tar.gz
    $name/bin/glean annotate corpus.jsonl -o annotated.jsonl

Built by scripts/release.sh on $(. /etc/os-release && echo "$PRETTY_NAME") ($arch) with $(swift --version 2>/dev/null | head -1).
The machine that runs it needs glibc ${glibc#GLIBC_} or later, libstdc++, libgcc_s and zlib.
Shipped libraries: $(cd "$stage/lib" && ls | tr '\n' ' ')
EOF
{
  echo "Glean's models: see share/glean/Models/README.md and share/glean/Models/*/README.md."
  for lib in icu pcre2 zstd; do
    for doc in /usr/share/doc/lib"$lib"*/copyright; do
      [[ -f "$doc" ]] && { echo; echo "=== $doc"; cat "$doc"; }
    done
  done
} > "$stage/LICENSES"

mkdir -p "$DIST"
archive="$DIST/$name.tar.gz"
# A reproducible archive: sorted names, fixed owner and time, no gzip timestamp.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
    -C "$work" -cf - "$name" | gzip -n -9 > "$archive.tmp"
mv "$archive.tmp" "$archive"
echo "release: $(du -h "$archive" | cut -f1) $archive; needs ${glibc:-glibc}" >&2
echo "$archive"
