"""--resume on the release binary: SIGKILL at random points, several times in a row, then
resume to the end; the output (and the errors file) must be byte-identical (sha256) to an
uninterrupted run, for plain, gzip and zstd file outputs and for a directory output.

Checkpoints are written after every batch here (GLEAN_CHECKPOINT_SECONDS=0), so that kills
land between checkpoints at many places. The seed of the kill times is printed; set
GLEAN_TEST_SEED to repeat a run.

Run: .venv/bin/python -m pytest -q Tests/python/test_resume.py
"""

import gzip
import hashlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

import cluster_support

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample" / "news.jsonl"
KILLS = 3


def glean_binary():
    return str(cluster_support.glean_binary())


@pytest.fixture(scope="module")
def rng():
    seed = int(os.environ.get("GLEAN_TEST_SEED", time.time_ns() % 1_000_000))
    print(f"kill times seeded with GLEAN_TEST_SEED={seed}")
    return random.Random(seed)


def env():
    e = dict(os.environ)
    e["GLEAN_CHECKPOINT_SECONDS"] = "0"
    return e


def corpus_bytes(copies):
    """The sample corpus `copies` times, with a broken record every 997 lines (error records)."""
    lines = SAMPLE.read_bytes().splitlines() * copies
    for i in range(500, len(lines), 997):
        lines[i] = b'{"id": "broken", "text": '
    return b"\n".join(lines) + b"\n"


def digest_tree(d):
    """sha256 of every file under d, by relative path."""
    d = Path(d)
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


def start(args):
    return subprocess.Popen([glean_binary(), "annotate", "-q", "--threads", "2", *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env())


def timed_run(args):
    t = time.monotonic()
    p = start(args)
    err = p.communicate(timeout=600)[1]
    assert p.returncode in (0, 1), err
    return time.monotonic() - t, p.returncode


def kill_and_resume(args, seconds, rng, leftovers):
    """Kills a run KILLS times at random points (each a resume of the one before), checks what
    each kill leaves, then resumes to the end; returns the last run's status."""
    resume = []
    killed = 0
    for _ in range(KILLS):
        p = start([*args, *resume])
        time.sleep(rng.uniform(0.05, 0.45) * seconds)
        if p.poll() is not None:
            break  # this resume reached the end before its kill
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
        killed += 1
        leftovers()
        resume = ["--resume"]
    assert killed > 0, "every run ended before its kill: make the corpus larger"
    p = start([*args, "--resume"])
    err = p.communicate(timeout=600)[1]
    assert p.returncode in (0, 1), err
    return p.returncode


def killed_and_resumed_equals_uninterrupted(tmp_path, rng, data, suffix):
    """Runs `data` to `ref/out{suffix}` uninterrupted, then to `out/out{suffix}` killed KILLS times
    and resumed; checks what each kill leaves and that both outputs are byte-identical. Returns
    the `out` folder."""
    ref = tmp_path / "ref"
    ref.mkdir()
    seconds, status = timed_run([data, "-o", ref / ("out" + suffix)])
    out = tmp_path / "out"
    out.mkdir()

    def leftovers():
        # A killed run leaves no target and nothing but Glean's own partial files and checkpoint.
        names = set(os.listdir(out))
        assert "out" + suffix not in names, names
        assert names <= {f".out{suffix}.glean-partial", f"out{suffix}.glean-checkpoint", ".out.errors.jsonl.glean-partial"}, names

    assert kill_and_resume([data, "-o", out / ("out" + suffix)], seconds, rng, leftovers) == status
    assert digest_tree(out) == digest_tree(ref)
    return out


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_sigkill_and_resume_give_the_bytes_of_an_uninterrupted_run(tmp_path, rng, suffix):
    data = tmp_path / "in.jsonl"
    data.write_bytes(corpus_bytes(300))
    out = killed_and_resumed_equals_uninterrupted(tmp_path, rng, data, suffix)
    if suffix == ".jsonl.gz":
        assert len(gzip.decompress((out / ("out" + suffix)).read_bytes()).splitlines()) > 0


def test_sigkill_and_resume_a_directory_output(tmp_path, rng):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.jsonl").write_bytes(corpus_bytes(80))
    (src / "b.jsonl.gz").write_bytes(gzip.compress(corpus_bytes(80)))
    (src / "sub" / "c.jsonl").write_bytes(corpus_bytes(80))
    (src / "sub" / "empty.jsonl").write_bytes(b"")
    (src / "z.jsonl.zst").write_bytes(subprocess.run(["zstd", "-q", "-c"], input=corpus_bytes(80), capture_output=True, check=True).stdout)
    ref = tmp_path / "ref"
    seconds, status = timed_run([src, "-o", str(ref) + "/"])
    out = tmp_path / "out"

    def leftovers():
        for p in out.rglob("*") if out.exists() else []:
            if p.is_file():
                assert p.name.endswith(".glean-partial"), p
        for name in os.listdir(tmp_path):
            assert name in {"src", "ref", "ref.errors.jsonl", "out", "out.glean-checkpoint", ".out.errors.jsonl.glean-partial"}, name

    assert kill_and_resume([src, "-o", str(out) + "/"], seconds, rng, leftovers) == status
    assert digest_tree(out) == digest_tree(ref)
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "ref.errors.jsonl").read_bytes()
    assert not (tmp_path / "out.glean-checkpoint").exists()


def test_sigterm_keeps_a_checkpoint_and_resume_finishes(tmp_path):
    data = tmp_path / "in.jsonl"
    data.write_bytes(corpus_bytes(1500))
    ref = tmp_path / "ref.jsonl"
    timed_run([data, "-o", ref])
    out = tmp_path / "out.jsonl"
    p = start([data, "-o", out])
    # The signal lands mid-run: once some output is written, not after a fixed time.
    partial = tmp_path / ".out.jsonl.glean-partial"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None and not (partial.exists() and partial.stat().st_size > 0):
        time.sleep(0.005)
    p.send_signal(signal.SIGTERM)
    err = p.communicate(timeout=60)[1].decode()
    if p.returncode in (0, 1):
        pytest.fail("the run ended before the signal; make the corpus larger")
    assert p.returncode == 143, err
    assert "--resume" in err
    assert not out.exists() and (tmp_path / "out.jsonl.glean-checkpoint").exists()
    p = start([data, "-o", out, "--resume"])
    p.communicate(timeout=600)
    assert out.read_bytes() == ref.read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "ref.errors.jsonl").read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl", "out.errors.jsonl", "out.jsonl", "ref.errors.jsonl", "ref.jsonl"]


def interrupted(tmp_path, extra=()):
    """A run killed after its first checkpoints, and the uninterrupted output."""
    data = tmp_path / "in.jsonl"
    data.write_bytes(corpus_bytes(300))
    out = tmp_path / "out.jsonl"
    p = start([data, "-o", out, *extra])
    checkpoint = tmp_path / "out.jsonl.glean-checkpoint"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (checkpoint.exists() and (tmp_path / ".out.jsonl.glean-partial").stat().st_size > 0):
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert checkpoint.exists()
    return data, out


@pytest.mark.parametrize(
    "changed,named",
    [(["--lang", "de"], "--lang"), (["--emit", "tokens"], "--emit"), (["--no-default-gazetteer"], "models"),
     (["--limit", "10"], "--limit")],
)
def test_resume_refuses_other_options(tmp_path, changed, named):
    data, out = interrupted(tmp_path)
    p = subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(out), "--resume", *changed],
                       capture_output=True, env=env(), timeout=300)
    assert p.returncode == 2, p.stderr
    assert named.encode() in p.stderr and b"without --resume" in p.stderr, p.stderr
    assert not out.exists()


def test_resume_refuses_a_changed_input(tmp_path):
    data, out = interrupted(tmp_path)
    with open(data, "ab") as f:
        f.write(b'{"text": "one more"}\n')
    p = subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(out), "--resume"],
                       capture_output=True, env=env(), timeout=300)
    assert p.returncode == 2 and b"the inputs" in p.stderr, p.stderr


def test_resume_with_other_threads_gives_the_same_bytes(tmp_path):
    data, out = interrupted(tmp_path)
    p = subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(out), "--resume", "--threads", "1"],
                       capture_output=True, env=env(), timeout=600)
    assert p.returncode == 1, p.stderr  # the corpus has broken records
    ref = tmp_path / "ref.jsonl"
    subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(ref)], capture_output=True, timeout=600)
    assert out.read_bytes() == ref.read_bytes()


def test_a_run_without_resume_starts_afresh_and_removes_the_leftovers(tmp_path):
    data, out = interrupted(tmp_path)
    p = subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(out), "--lang", "de"],
                       capture_output=True, env=env(), timeout=600)
    assert p.returncode == 1, p.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl", "out.errors.jsonl", "out.jsonl"]


def test_resume_without_a_checkpoint_starts_afresh(tmp_path):
    data = tmp_path / "in.jsonl"
    data.write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "out.jsonl"
    p = subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(out), "--resume"], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl", "out.jsonl"]
    records = [json.loads(line) for line in out.read_bytes().split(b"\n") if line]
    assert len(records) == len(SAMPLE.read_bytes().splitlines())


def checkpoint_state(path):
    """The newest state in a checkpoint file: two slots of 32 KiB, each a header line
    `GLEANCKPT <generation> <length> <hash>` and the state as JSON."""
    data = Path(path).read_bytes()
    best = None
    for slot in range(2):
        chunk = data[slot * 32768:(slot + 1) * 32768]
        header, _, rest = chunk.partition(b"\n")
        fields = header.split(b" ")
        if len(fields) != 4 or fields[0] != b"GLEANCKPT":
            continue
        generation, length = int(fields[1]), int(fields[2])
        if best is None or generation > best[0]:
            best = (generation, json.loads(rest[:length]))
    assert best is not None, "no valid slot in the checkpoint"
    return best[1]


def interrupted_at_a_position(tmp_path):
    """A run killed once its checkpoint holds a read position well into the input."""
    data = tmp_path / "in.jsonl"
    data.write_bytes(corpus_bytes(300))
    out = tmp_path / "out.jsonl"
    checkpoint = tmp_path / "out.jsonl.glean-checkpoint"
    p = start([data, "-o", out])
    deadline = time.monotonic() + 120
    state = None
    while time.monotonic() < deadline and p.poll() is None:
        if checkpoint.exists():
            try:
                state = checkpoint_state(checkpoint)
            except (AssertionError, ValueError):
                state = None
            if state and (state.get("readPosition") or {}).get("offset", 0) > 1_000_000:
                break
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    state = checkpoint_state(checkpoint)
    position = state.get("readPosition")
    assert position and position["offset"] > 1_000_000, f"the run ended or wrote no position: {state}"
    return data, out, position


def rewrite_keeping_size_and_mtime(path, start, end, byte):
    st = os.stat(path)
    with open(path, "r+b") as f:
        f.seek(start)
        f.write(byte * (end - start))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_resume_of_a_plain_input_starts_at_its_position_without_reading_what_was_done(tmp_path):
    data, out, position = interrupted_at_a_position(tmp_path)
    ref = tmp_path / "ref.jsonl"
    subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(ref)], capture_output=True, timeout=600)
    # What was read before the position becomes one line of "x" (size and time kept): a
    # resume that read the input again would cut other batches there and write other bytes.
    # Only the bytes just before the position are checked, and they stay.
    rewrite_keeping_size_and_mtime(data, 0, position["offset"] - 64, b"x")
    p = subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(out), "--resume"],
                       capture_output=True, env=env(), timeout=600)
    assert p.returncode == 1, p.stderr  # the corpus has broken records
    assert out.read_bytes() == ref.read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "ref.errors.jsonl").read_bytes()


def test_resume_refuses_a_plain_input_rewritten_just_before_its_position(tmp_path):
    data, out, position = interrupted_at_a_position(tmp_path)
    rewrite_keeping_size_and_mtime(data, position["offset"] - 10, position["offset"] - 2, b"x")
    p = subprocess.run([glean_binary(), "annotate", "-q", str(data), "-o", str(out), "--resume"],
                       capture_output=True, env=env(), timeout=300)
    assert p.returncode == 2, p.stderr
    assert b"changed since the interrupted run" in p.stderr and b"without --resume" in p.stderr, p.stderr
    assert not out.exists() and (tmp_path / "out.jsonl.glean-checkpoint").exists()


def corpus_with_large_records(copies, large, large_bytes):
    """The sample corpus with `large` records of about `large_bytes` of text spread through it:
    each one's output (about ten times its text) is over the printer's 4 MB hand-over, so it is
    written to the output in pieces while later batches wait."""
    lines = corpus_bytes(copies).splitlines()
    texts = [json.loads(line)["text"] for line in SAMPLE.read_bytes().splitlines()]
    body = " ".join(texts)
    big = (body + " ") * (large_bytes // len(body) + 1)
    step = len(lines) // (large + 1)
    for k in range(large):
        lines.insert((k + 1) * step, json.dumps({"id": f"large-{k}", "text": big[:large_bytes]}).encode())
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_sigkill_and_resume_with_records_printed_in_pieces(tmp_path, rng, suffix):
    data = tmp_path / "in.jsonl"
    data.write_bytes(corpus_with_large_records(40, 4, 1_000_000))
    out = killed_and_resumed_equals_uninterrupted(tmp_path, rng, data, suffix)
    opened = gzip.open if suffix == ".jsonl.gz" else open
    with opened(out / ("out" + suffix), "rb") as f:
        ids = [json.loads(line).get("id") for line in f]
    assert sum(1 for i in ids if str(i).startswith("large-")) == 4
