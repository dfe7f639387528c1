"""The release archive (scripts/release.sh): unpacked into a fresh folder, it runs from any
working directory with a clean environment, needing nothing from the build tree or the Swift
toolchain, and annotates exactly as the build tree's binary does.

The archive is GLEAN_ARCHIVE. Without it the tests skip, unless GLEAN_REQUIRE_RELEASE=1, which
makes a missing archive a failure (scripts/test.sh's release phase builds the archive and sets
both):
    GLEAN_ARCHIVE=$(scripts/release.sh | tail -1) .venv/bin/python -m pytest Tests/python/test_release.py
"""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from cluster_support import ROOT, SAMPLE, lines, run

FIXTURE = ROOT / "Tests" / "EndToEndTests" / "Fixtures" / "input.jsonl"
CLEAN_ENV = {"PATH": "/usr/bin:/bin"}
SHIPPED = ("libicuuc.so", "libicui18n.so", "libicudata.so", "libpcre2-8.so", "libzstd.so")


def archive_path():
    # Only an archive named explicitly: one left in dist/ by an older build would be compared
    # with a newer build tree.
    if os.environ.get("GLEAN_ARCHIVE"):
        return Path(os.environ["GLEAN_ARCHIVE"]).resolve()
    if os.environ.get("GLEAN_REQUIRE_RELEASE") == "1":
        pytest.fail("GLEAN_ARCHIVE is not set: run scripts/release.sh and point it at the archive", pytrace=False)
    pytest.skip("GLEAN_ARCHIVE is not set (scripts/test.sh's release phase sets it after scripts/release.sh)")


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The archive unpacked into a fresh folder; returns its top folder."""
    archive = archive_path()
    target = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(archive) as t:
        names = t.getnames()
        t.extractall(target, filter="tar")
    top = {n.split("/")[0] for n in names}
    assert len(top) == 1, f"the archive has several top folders: {top}"
    name = top.pop()
    assert archive.name == name + ".tar.gz"
    return target / name


def toolchain_root():
    swift = shutil.which("swift")
    return Path(os.path.realpath(swift)).parent.parent if swift else None


def test_layout(unpacked):
    assert os.access(unpacked / "bin" / "glean", os.X_OK)
    # Every model file of the repository (scripts aside) is in the archive, byte for byte.
    models = ROOT / "Models"
    shipped = unpacked / "share" / "glean" / "Models"
    wanted = sorted(str(p.relative_to(models)) for p in models.rglob("*") if p.is_file() and p.suffix != ".py")
    assert "patterns/dates.yaml" in wanted and "gazetteers/default.tsv" in wanted
    assert sorted(str(p.relative_to(shipped)) for p in shipped.rglob("*") if p.is_file()) == wanted
    for name in wanted:
        assert (shipped / name).read_bytes() == (models / name).read_bytes(), name
    libs = [p.name for p in (unpacked / "lib").iterdir()]
    for prefix in SHIPPED:
        assert any(n.startswith(prefix) for n in libs), f"lib/ lacks {prefix}: {libs}"


def test_libraries_resolve_into_the_archive_or_the_system(unpacked):
    """ldd: the shipped libraries come from lib/, the rest from the system; nothing from the
    build tree or the Swift toolchain, and nothing is missing."""
    out = subprocess.run(["ldd", str(unpacked / "bin" / "glean")], capture_output=True, text=True,
                         env=CLEAN_ENV, check=True).stdout
    toolchain = toolchain_root()
    lib = (unpacked / "lib").resolve()
    seen = set()
    for line in out.splitlines():
        assert "not found" not in line, line
        if "=>" not in line:
            continue
        soname, _, rest = line.strip().partition(" => ")
        path = Path(os.path.realpath(rest.split(" (")[0]))
        assert not str(path).startswith(str(ROOT)), f"{soname} resolves into the build tree: {path}"
        if toolchain:
            assert not str(path).startswith(str(toolchain)), f"{soname} resolves into the Swift toolchain: {path}"
        assert "swift" not in soname.lower() and "Foundation" not in soname, f"a Swift runtime library: {soname}"
        if soname.startswith(SHIPPED):
            assert path.parent == lib, f"{soname} resolves to {path}, not to the archive's lib/"
            seen.add(soname)
    assert len(seen) == len(SHIPPED), seen


def run_release(binary, args, cwd, stdin=None):
    p = subprocess.run([str(binary), *map(str, args)], capture_output=True, cwd=cwd, env=CLEAN_ENV,
                       input=stdin, timeout=600)
    assert p.returncode in (0, 1), p.stderr.decode(errors="replace")
    return p


@pytest.mark.parametrize("source", [SAMPLE, FIXTURE], ids=["sample", "fixture-with-errors"])
def test_annotates_like_the_build_tree_from_anywhere(unpacked, source, tmp_path):
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    shutil.copy(source, elsewhere / "in.jsonl")
    # The build tree's binary, in the repository.
    run(["annotate", source, "-o", tmp_path / "dev.jsonl", "--errors", tmp_path / "dev.errors.jsonl", "--quiet"])
    # The release, from a folder that has no Models, with a clean environment.
    run_release(unpacked / "bin" / "glean", ["annotate", "in.jsonl", "-o", "rel.jsonl", "--errors", "rel.errors.jsonl"],
                cwd=elsewhere)
    assert (elsewhere / "rel.jsonl").read_bytes() == (tmp_path / "dev.jsonl").read_bytes()
    dev_errors = tmp_path / "dev.errors.jsonl"
    rel_errors = elsewhere / "rel.errors.jsonl"
    assert rel_errors.exists() == dev_errors.exists()
    if dev_errors.exists():
        # Same records; the source names the path each was given.
        assert rel_errors.read_bytes() == dev_errors.read_bytes().replace(str(source).encode(), b"in.jsonl")


def test_moved_and_symlinked_it_still_finds_its_libraries_and_models(unpacked, tmp_path):
    moved = tmp_path / "opt" / "glean-moved"
    shutil.copytree(unpacked, moved, symlinks=True)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "glean").symlink_to(moved / "bin" / "glean")
    data = SAMPLE.read_bytes()
    expected = run(["annotate", "--quiet", "--inline-errors"], stdin=data).stdout
    for binary in (moved / "bin" / "glean", tmp_path / "bin" / "glean"):
        p = run_release(binary, ["annotate", "--quiet", "--inline-errors"], cwd=tmp_path, stdin=data)
        assert p.stdout == expected, binary
        assert len(lines(p.stdout)) == len([l for l in data.split(b"\n") if l.strip()])


def test_spark_ships_the_archive_to_its_executors(unpacked, tmp_path):
    """spark-submit --archives ARCHIVE#glean: the job finds glean in the unpacked archive on
    the executors (no --glean, no glean on PATH)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "sample.jsonl")
    expected = run(["annotate", corpus / "sample.jsonl", "--quiet"]).stdout
    submit = Path(sys.executable).parent / "spark-submit"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable,
               PATH="/usr/bin:/bin")
    env.pop("GLEAN_BIN", None)
    p = subprocess.run([str(submit), "--master", "local[2]", "--conf", "spark.ui.enabled=false",
                        "--archives", f"{archive_path()}#glean",
                        str(ROOT / "integrations" / "spark" / "glean_spark.py"), str(corpus), "-o", str(tmp_path / "out")],
                       capture_output=True, env=env, cwd=tmp_path, timeout=600)
    assert p.returncode in (0, 1), (p.stdout + p.stderr).decode(errors="replace")[-3000:]
    got = b"".join(q.read_bytes() for q in sorted((tmp_path / "out" / "annotated").glob("part-*")))
    assert got == expected
